package io.redisha.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

import io.redisha.protocol.NodeAddress;
import io.redisha.sentinel.SentinelEndpointSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * The Sentinel-protocol endpoint of this instance: where Sentinel clients in any language
 * ask for the master of a group and subscribe to {@code +switch-master}. Off unless a
 * port is set. Validates itself while it is bound, naming the property and the value.
 */
@ConfigurationProperties(RedisHaSentinelProperties.PREFIX)
public class RedisHaSentinelProperties implements Validator {

	static final String PREFIX = "redis-ha.sentinel";

	/**
	 * Port on which this instance answers Sentinel's client protocol, e.g. 26379. Not
	 * set: no endpoint.
	 */
	private @Nullable Integer port;

	/**
	 * Address the endpoint listens on. The loopback address by default, so that only
	 * processes on this host reach it until it is opened on purpose (with a password).
	 */
	private String bind = "127.0.0.1";

	/**
	 * Host that the other instances announce to clients for this endpoint (SENTINEL
	 * sentinels). Defaults to 'bind', or to this host's address when 'bind' is a
	 * wildcard.
	 */
	private @Nullable String announceHost;

	/**
	 * Port announced for this endpoint, when clients reach it through another port (NAT,
	 * containers). Defaults to 'port'.
	 */
	private @Nullable Integer announcePort;

	/**
	 * User that clients authenticate as (AUTH user password). Defaults to 'default', the
	 * user of AUTH password.
	 */
	private @Nullable String username;

	/**
	 * Password clients must give (AUTH) before any other command. Not set: no
	 * authentication, which only a loopback 'bind' makes safe.
	 */
	private @Nullable String password;

	/**
	 * SSL bundle (spring.ssl.bundle.*) with the endpoint's key and certificate: clients
	 * then connect with TLS only. Not set: plain text.
	 */
	private @Nullable String sslBundle;

	/**
	 * Most client connections at a time; further ones are refused with Redis's "max
	 * number of clients reached" error.
	 */
	private int maxConnections = 128;

	/**
	 * How long a connection may stay silent before it is closed. Subscribed connections
	 * are exempt, as in Redis: they wait for events.
	 */
	private Duration idleTimeout = Duration.ofMinutes(5);

	/**
	 * Whether SENTINEL FAILOVER forces a failover, as the actuator endpoint's failover
	 * operation does. Off by default: clients get Redis's NOPERM error.
	 */
	private boolean allowFailover;

	public @Nullable Integer getPort() {
		return this.port;
	}

	public void setPort(@Nullable Integer port) {
		this.port = port;
	}

	public String getBind() {
		return this.bind;
	}

	public void setBind(String bind) {
		this.bind = bind;
	}

	public @Nullable String getAnnounceHost() {
		return this.announceHost;
	}

	public void setAnnounceHost(@Nullable String announceHost) {
		this.announceHost = announceHost;
	}

	public @Nullable Integer getAnnouncePort() {
		return this.announcePort;
	}

	public void setAnnouncePort(@Nullable Integer announcePort) {
		this.announcePort = announcePort;
	}

	public @Nullable String getUsername() {
		return this.username;
	}

	public void setUsername(@Nullable String username) {
		this.username = username;
	}

	public @Nullable String getPassword() {
		return this.password;
	}

	public void setPassword(@Nullable String password) {
		this.password = password;
	}

	public @Nullable String getSslBundle() {
		return this.sslBundle;
	}

	public void setSslBundle(@Nullable String sslBundle) {
		this.sslBundle = sslBundle;
	}

	public int getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(int maxConnections) {
		this.maxConnections = maxConnections;
	}

	public Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	public void setIdleTimeout(Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

	public boolean isAllowFailover() {
		return this.allowFailover;
	}

	public void setAllowFailover(boolean allowFailover) {
		this.allowFailover = allowFailover;
	}

	/** Whether the endpoint is on. */
	boolean enabled() {
		return this.port != null;
	}

	/** The endpoint's settings; only when {@link #enabled()}. */
	SentinelEndpointSettings settings() {
		return new SentinelEndpointSettings(this.bind, Objects.requireNonNull(this.port), this.username, this.password,
				this.maxConnections, this.idleTimeout, this.allowFailover);
	}

	/**
	 * Where the other instances tell clients to find this endpoint; null when it is off.
	 */
	@Nullable NodeAddress announcedAddress() {
		if (!enabled()) {
			return null;
		}
		String host = (this.announceHost != null) ? this.announceHost : this.bind;
		if (this.announceHost == null && isWildcard(this.bind)) {
			host = localHostAddress();
		}
		return new NodeAddress(host,
				(this.announcePort != null) ? this.announcePort : Objects.requireNonNull(this.port));
	}

	private static boolean isWildcard(String host) {
		return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
	}

	private static String localHostAddress() {
		try {
			return InetAddress.getLocalHost().getHostAddress();
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(PREFIX + ".bind is a wildcard and this host's address is unknown ("
					+ ex.getMessage() + "): set " + PREFIX + ".announce-host", ex);
		}
	}

	@Override
	public boolean supports(Class<?> type) {
		return RedisHaSentinelProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		PropertyChecks checks = new PropertyChecks(errors);
		checks.require("port", this.port, (port) -> port == null || isPort(port), "must be between 1 and 65535");
		checks.require("announce-port", this.announcePort, (port) -> port == null || isPort(port),
				"must be between 1 and 65535");
		checks.require("bind", this.bind, RedisHaSentinelProperties::isWord,
				"must be a host name or IP address, e.g. 127.0.0.1 or 0.0.0.0");
		checks.require("announce-host", this.announceHost, (host) -> host == null || isWord(host),
				"must be a host name or IP address");
		checks.require("ssl-bundle", this.sslBundle, (name) -> name == null || !name.isBlank(), "must not be blank");
		checks.require("max-connections", this.maxConnections, (max) -> max >= 1, "must be >= 1");
		checks.requirePositive("idle-timeout", this.idleTimeout);
		checks.require("username", this.username, (name) -> name == null || isWord(name),
				"must be a user name without spaces");
		if (this.password != null && this.password.isEmpty()) {
			checks.rejectObject(checks.fullName("password") + " must not be empty: leave it unset for no password");
		}
		if (this.username != null && this.password == null) {
			checks.reject("username", "is set but password is not: clients authenticate with both");
		}
	}

	private static boolean isPort(int port) {
		return port >= 1 && port <= 65535;
	}

	/** Printable, without spaces: a host name, an address or a user name. */
	private static boolean isWord(String host) {
		return host != null && !host.isBlank() && host.chars().noneMatch((c) -> Character.isWhitespace(c) || c < '!');
	}

}
