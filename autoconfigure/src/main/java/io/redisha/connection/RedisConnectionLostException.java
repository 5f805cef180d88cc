package io.redisha.connection;

import java.net.SocketAddress;

import org.springframework.data.redis.RedisConnectionFailureException;

/**
 * The connection closed (the node died, restarted or disconnected its clients) while this
 * command was in flight on it. The command was not replayed after reconnecting, as
 * Lettuce would do by default: it <em>may have been applied</em> by the node, and the
 * reconnect may reach another master. Retry it if it is idempotent; new commands go to
 * the group's current master. Or the message says it was not sent: the connection was
 * held for a transaction, a {@code WATCH}, a pipeline or a blocking command when it
 * closed, and fails every later command until it is released.
 */
public class RedisConnectionLostException extends RedisConnectionFailureException {

	public RedisConnectionLostException(String group, SocketAddress node) {
		super("redis-ha group '" + group + "': the connection to " + node
				+ " closed while this command was in flight; it was not replayed and may or may not have been"
				+ " carried out there");
	}

	public RedisConnectionLostException(String message) {
		super(message);
	}

}
