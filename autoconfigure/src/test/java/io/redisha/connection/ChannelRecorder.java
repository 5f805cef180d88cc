package io.redisha.connection;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.redisha.embedded.RedisServerProcess;

/**
 * A plain Lettuce subscriber on one node, as a non-Spring service would subscribe:
 * records every message received on the given channels as {@code channel -> message}.
 */
final class ChannelRecorder implements AutoCloseable {

	final List<String> messages = new CopyOnWriteArrayList<>();

	private final RedisClient client;

	private final StatefulRedisPubSubConnection<String, String> connection;

	ChannelRecorder(RedisServerProcess node, String... channels) {
		this.client = RedisClient.create(RedisURI.create(node.host(), node.port()));
		this.connection = this.client.connectPubSub();
		this.connection.addListener(new RedisPubSubAdapter<>() {

			@Override
			public void message(String channel, String message) {
				ChannelRecorder.this.messages.add(channel + " -> " + message);
			}

		});
		this.connection.sync().subscribe(channels);
	}

	@Override
	public void close() {
		this.connection.close();
		this.client.shutdown();
	}

}
