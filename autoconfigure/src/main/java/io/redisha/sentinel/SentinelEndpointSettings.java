package io.redisha.sentinel;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * How the Sentinel-protocol endpoint listens and whom it serves.
 *
 * @param bind the address it listens on
 * @param port the port it listens on
 * @param username the user clients authenticate as; null for {@code default}
 * @param password the password clients must give before any other command, if any
 * @param maxConnections the most client connections at a time
 * @param idleTimeout how long a connection that subscribed to nothing may stay silent
 * @param allowFailover whether {@code SENTINEL FAILOVER} forces a failover
 */
public record SentinelEndpointSettings(String bind, int port, @Nullable String username, @Nullable String password,
		int maxConnections, Duration idleTimeout, boolean allowFailover) {

	/** The user of {@code AUTH <password>}, as in Redis. */
	static final String DEFAULT_USER = "default";

	public SentinelEndpointSettings {
		Objects.requireNonNull(bind, "bind");
		Objects.requireNonNull(idleTimeout, "idleTimeout");
		if (maxConnections < 1) {
			throw new IllegalArgumentException("maxConnections must be >= 1 but was " + maxConnections);
		}
	}

	/**
	 * Whether a client gives the right user and password. Without a password, like
	 * Redis's passwordless default user: any password, no other user.
	 */
	boolean accepts(String user, String password) {
		if (this.password == null) {
			return user.equals(DEFAULT_USER);
		}
		// Both compared in full, in constant time: the reply's timing tells nothing about
		// either.
		boolean userMatches = MessageDigest.isEqual(bytes(user), bytes(user()));
		boolean passwordMatches = MessageDigest.isEqual(bytes(password), bytes(this.password));
		return userMatches & passwordMatches;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/** The user clients authenticate as. */
	String user() {
		return (this.username != null) ? this.username : DEFAULT_USER;
	}

	@Override
	public String toString() {
		return "SentinelEndpointSettings[" + this.bind + ":" + this.port + ", user=" + user() + ", password="
				+ ((this.password != null) ? "****" : "none") + ", maxConnections=" + this.maxConnections
				+ ", idleTimeout=" + this.idleTimeout + ", allowFailover=" + this.allowFailover + "]";
	}

}
