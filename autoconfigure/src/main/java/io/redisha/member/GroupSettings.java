package io.redisha.member;

import java.time.Duration;
import java.util.Objects;

import io.lettuce.core.SslOptions;
import io.redisha.protocol.GroupConfig;

/**
 * One group as a member runs it: the protocol's configuration plus what the connections
 * need. The password is never part of {@link #toString()}.
 *
 * @param config the protocol configuration
 * @param username the Redis ACL user, or null
 * @param password the Redis password, or null
 * @param commandTimeout how long a command to a node may take before it counts as failed
 * @param tls the TLS options every connection to the group's nodes uses, or null for plain text
 */
public record GroupSettings(GroupConfig config, String username, String password, Duration commandTimeout,
		SslOptions tls) {

	public GroupSettings {
		Objects.requireNonNull(config, "config");
		Objects.requireNonNull(commandTimeout, "commandTimeout");
	}

	/** A group whose nodes are reached in plain text. */
	public GroupSettings(GroupConfig config, String username, String password, Duration commandTimeout) {
		this(config, username, password, commandTimeout, null);
	}

	@Override
	public String toString() {
		return "GroupSettings[config=" + this.config + ", username=" + this.username + ", password="
				+ ((this.password != null) ? "******" : null) + ", commandTimeout=" + this.commandTimeout
				+ ((this.tls != null) ? ", tls" : "") + "]";
	}

}
