package io.redisha.connection;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.redisha.embedded.RedisServerProcess;

/**
 * A client outside the application (plain Lettuce, no reconnect), connected to one node.
 */
final class ForeignClient implements AutoCloseable {

	private final RedisClient client;

	private final StatefulRedisConnection<String, String> connection;

	ForeignClient(RedisServerProcess node) {
		this.client = RedisClient.create(RedisURI.create(node.host(), node.port()));
		this.client.setOptions(ClientOptions.builder().autoReconnect(false).build());
		this.connection = this.client.connect();
	}

	boolean isConnected() {
		return this.connection.isOpen();
	}

	@Override
	public void close() {
		this.client.shutdown();
	}

}
