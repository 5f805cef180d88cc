package io.redisha.member;

import java.time.Duration;
import java.util.Objects;

import io.lettuce.core.SslOptions;
import io.redisha.protocol.GossipSeal;
import io.redisha.protocol.GroupConfig;
import org.jspecify.annotations.Nullable;

/**
 * One group as a member runs it: the protocol's configuration plus what the connections
 * need. The password is never part of {@link #toString()}.
 *
 * @param config the protocol configuration
 * @param username the Redis ACL user
 * @param password the Redis password
 * @param commandTimeout how long a command to a node may take before it counts as failed
 * @param gossipSeal signs this member's gossip and verifies the other members'
 * @param tls the TLS options every connection to the group's nodes uses, or null for
 * plain text
 */
public record GroupSettings(GroupConfig config, @Nullable String username, @Nullable String password,
		Duration commandTimeout, GossipSeal gossipSeal, @Nullable SslOptions tls) {

	public GroupSettings {
		Objects.requireNonNull(config, "config");
		Objects.requireNonNull(commandTimeout, "commandTimeout");
		Objects.requireNonNull(gossipSeal, "gossipSeal");
	}

	/** A group whose nodes are reached in plain text. */
	public GroupSettings(GroupConfig config, @Nullable String username, @Nullable String password,
			Duration commandTimeout, GossipSeal gossipSeal) {
		this(config, username, password, commandTimeout, gossipSeal, null);
	}

	@Override
	public String toString() {
		return "GroupSettings[config=" + this.config + ", username=" + this.username + ", password="
				+ ((this.password != null) ? "******" : null) + ", commandTimeout=" + this.commandTimeout
				+ ", gossipSeal=" + this.gossipSeal + ((this.tls != null) ? ", tls" : "") + "]";
	}

}
