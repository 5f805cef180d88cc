package io.redisha.redis;

import java.time.Duration;
import java.util.Objects;

import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.redisha.protocol.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link NodeLink} connects: where, as whom, how patiently and whether over TLS.
 * The password is never part of {@link #toString()}. With TLS the node's certificate is
 * verified, host name included, and nothing is sent before the handshake succeeded: there
 * is no plain-text fallback.
 *
 * @param connectTo the address to connect to
 * @param username the Redis ACL user, or null for the default user
 * @param password the password, or null when none is required
 * @param timeout the connect and command timeout
 * @param clientName the name shown by {@code CLIENT LIST}
 * @param tls the TLS options (trusted certificates, own key, protocols), or null for
 * plain text
 */
public record LinkSettings(NodeAddress connectTo, @Nullable String username, @Nullable String password,
		Duration timeout, @Nullable String clientName, @Nullable SslOptions tls) {

	public LinkSettings {
		Objects.requireNonNull(connectTo, "connectTo");
		Objects.requireNonNull(timeout, "timeout");
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("timeout must be positive but was " + timeout);
		}
		if (username != null && password == null) {
			throw new IllegalArgumentException("username '" + username + "' is set without a password");
		}
		// CLIENT SETNAME refuses spaces and newlines.
		clientName = (clientName != null) ? clientName.replaceAll("[^\\x21-\\x7e]", "_") : null;
	}

	RedisURI uri() {
		RedisURI.Builder builder = RedisURI.builder()
			.withHost(this.connectTo.host())
			.withPort(this.connectTo.port())
			.withTimeout(this.timeout)
			.withSsl(this.tls != null)
			.withVerifyPeer(SslVerifyMode.FULL);
		if (this.clientName != null) {
			builder.withClientName(this.clientName);
		}
		if (this.password != null) {
			if (this.username != null) {
				builder.withAuthentication(this.username, this.password);
			}
			else {
				builder.withPassword(this.password.toCharArray());
			}
		}
		return builder.build();
	}

	@Override
	public String toString() {
		return "LinkSettings[connectTo=" + this.connectTo + ", username=" + this.username + ", password="
				+ ((this.password != null) ? "******" : null) + ", timeout=" + this.timeout + ", clientName="
				+ this.clientName + ((this.tls != null) ? ", tls" : "") + "]";
	}

}
