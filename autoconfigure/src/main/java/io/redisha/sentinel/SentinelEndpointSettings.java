package io.redisha.sentinel;

import java.time.Duration;
import java.util.Objects;

/**
 * How the Sentinel-protocol endpoint listens and whom it serves.
 *
 * @param bind the address it listens on
 * @param port the port it listens on
 * @param username the user clients authenticate as; null for {@code default}
 * @param password the password clients must give before any other command; null for none
 * @param maxConnections the most client connections at a time
 * @param idleTimeout how long a connection that subscribed to nothing may stay silent
 * @param allowFailover whether {@code SENTINEL FAILOVER} forces a failover
 */
public record SentinelEndpointSettings(String bind, int port, String username, String password, int maxConnections,
		Duration idleTimeout, boolean allowFailover) {

	/** The user of {@code AUTH <password>}, as in Redis. */
	static final String DEFAULT_USER = "default";

	public SentinelEndpointSettings {
		Objects.requireNonNull(bind, "bind");
		Objects.requireNonNull(idleTimeout, "idleTimeout");
		if (maxConnections < 1) {
			throw new IllegalArgumentException("maxConnections must be >= 1 but was " + maxConnections);
		}
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
