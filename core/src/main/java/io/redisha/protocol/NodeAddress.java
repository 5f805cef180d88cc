package io.redisha.protocol;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Where a Redis node listens: a host name, IPv4 or IPv6 literal, and a port. Written as
 * {@code host:port}, with IPv6 literals in brackets ({@code [::1]:6379}).
 */
public record NodeAddress(String host, int port) implements Comparable<NodeAddress> {

	public NodeAddress {
		Objects.requireNonNull(host, "host");
		if (host.isBlank()) {
			throw new IllegalArgumentException("host must not be blank");
		}
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		if (port < 1 || port > 65535) {
			throw new IllegalArgumentException("port must be between 1 and 65535 but was " + port);
		}
	}

	/**
	 * Parses {@code host:port} or {@code [ipv6]:port}.
	 * @throws IllegalArgumentException naming the text when it is not an address
	 */
	public static NodeAddress parse(String text) {
		if (text == null || text.isBlank()) {
			throw new IllegalArgumentException("'" + text + "' is not a host:port address: it is empty");
		}
		String trimmed = text.trim();
		if (trimmed.contains("://")) {
			throw new IllegalArgumentException("'" + text + "' is not a host:port address: write nodes without a "
					+ "scheme; TLS is spring.data.redis.ssl.enabled or spring.data.redis.ssl.bundle");
		}
		String host;
		String port;
		if (trimmed.startsWith("[")) {
			int close = trimmed.indexOf(']');
			if (close < 0 || close + 1 >= trimmed.length() || trimmed.charAt(close + 1) != ':') {
				throw new IllegalArgumentException("'" + text + "' is not a [ipv6]:port address");
			}
			host = trimmed.substring(1, close);
			port = trimmed.substring(close + 2);
		}
		else {
			int colon = trimmed.lastIndexOf(':');
			if (colon <= 0 || trimmed.indexOf(':') != colon) {
				throw new IllegalArgumentException("'" + text + "' is not a host:port address"
						+ (colon > 0 ? " (write IPv6 literals as [addr]:port)" : ""));
			}
			host = trimmed.substring(0, colon);
			port = trimmed.substring(colon + 1);
		}
		if (host.isBlank() || hasWhitespace(host)) {
			throw new IllegalArgumentException("'" + text + "' has no valid host");
		}
		int number;
		try {
			number = Integer.parseInt(port);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("'" + text + "' has no valid port: '" + port + "'");
		}
		if (number < 1 || number > 65535) {
			throw new IllegalArgumentException("'" + text + "' has a port outside 1..65535");
		}
		return new NodeAddress(host, number);
	}

	private static boolean hasWhitespace(String host) {
		for (int i = 0; i < host.length(); i++) {
			if (Character.isWhitespace(host.charAt(i))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The record's equality, written out: the generated one goes through method handles,
	 * and the protocol compares addresses at every step.
	 */
	@Override
	public boolean equals(@Nullable Object other) {
		return this == other
				|| other instanceof NodeAddress address && this.port == address.port && this.host.equals(address.host);
	}

	/** The record's hash, the same: maps keyed by address keep their order. */
	@Override
	public int hashCode() {
		return 31 * this.host.hashCode() + this.port;
	}

	@Override
	public int compareTo(NodeAddress other) {
		int byHost = this.host.compareTo(other.host);
		return (byHost != 0) ? byHost : Integer.compare(this.port, other.port);
	}

	@Override
	public String toString() {
		return (this.host.indexOf(':') >= 0) ? "[" + this.host + "]:" + this.port : this.host + ":" + this.port;
	}

}
