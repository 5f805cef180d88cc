package io.redisha.connection;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelId;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionProvider;

/**
 * The Lettuce connections of a route that Spring Data holds as dedicated connections: for
 * a transaction ({@code MULTI}/{@code EXEC}, {@code WATCH}), a pipeline, a blocking
 * command, or every command when the native connection is not shared. Their commands
 * belong together, so they must all reach one Redis connection: once a held connection's
 * commands went to one channel, a channel it reconnected on (after a switch cut it, or
 * after Redis closed it) gets none of them ({@link #movedFrom(Channel, Object)}), not
 * even those still under way when it is released (Spring Data then closes it; the next
 * connection it takes goes to the current master). Lettuce reconnects the shared
 * connection and the pub/sub connections as always: their commands stand alone.
 */
final class HeldConnections {

	private static final String HANDLER_NAME = "redis-ha-held";

	private static final AttributeKey<Held> HELD = AttributeKey.valueOf("redis-ha-held");

	/**
	 * By Lettuce connection ({@link LettuceInternals#connectionOf}); weak: a closed
	 * connection goes.
	 */
	private final Map<Object, Held> connections = Collections.synchronizedMap(new WeakHashMap<>());

	private final ChannelHandler handshakeOver = new HandshakeOver();

	/**
	 * Follows the channel's connection once its handshake is over (the handshake is no
	 * command of the holder's).
	 */
	void register(Channel channel) {
		LettuceInternals.addAfterHandshake(channel, HANDLER_NAME, this.handshakeOver);
	}

	/**
	 * When the channel's connection is held and its commands went to another channel
	 * since it was taken: the stamp that channel had; else null, and the command may go
	 * on this channel. The first command after the connection was taken decides.
	 * @param stamp what the caller knows of this channel (its route target)
	 */
	@SuppressWarnings("unchecked")
	static <S> @Nullable S movedFrom(Channel channel, S stamp) {
		Held held = channel.attr(HELD).get();
		return (held != null) ? (S) held.movedFrom(channel.id(), stamp) : null;
	}

	/**
	 * A provider of Spring Data's that holds every connection it gives out but pub/sub
	 * ones.
	 */
	LettuceConnectionProvider holding(LettuceConnectionProvider provider) {
		return new HoldingProvider(provider);
	}

	private void taken(StatefulConnection<?, ?> connection) {
		Object key = LettuceInternals.connectionOf(connection);
		if (key != null && !(connection instanceof StatefulRedisPubSubConnection<?, ?>)) {
			// Perhaps before the channel's handshake handler sees it: whichever comes
			// first creates it.
			this.connections.computeIfAbsent(key, (any) -> new Held()).take();
		}
	}

	/**
	 * A channel a held connection's commands went to: its id and its stamp, no reference
	 * to the channel, which would keep the connection (the weak key) from being
	 * collected.
	 */
	private record Sent(ChannelId channel, Object stamp) {
	}

	/** One Lettuce connection, across the channels it reconnects on. */
	private static final class Held {

		private volatile boolean taken;

		/**
		 * Where the first command since the connection was last taken went; null before
		 * it.
		 */
		private final AtomicReference<@Nullable Sent> first = new AtomicReference<>();

		/**
		 * Where the connection's commands went before they moved to another channel, for
		 * good: commands issued before the release may still come after it (a pipeline
		 * whose first command failed ends at once), and must not go out either.
		 */
		private volatile @Nullable Sent left;

		void take() {
			this.left = null;
			this.first.set(null);
			this.taken = true;
		}

		/**
		 * The stamp of the channel the connection left, or null when this command may go
		 * where it goes.
		 */
		@Nullable Object movedFrom(ChannelId channel, Object stamp) {
			Sent left = this.left;
			if (left == null && this.taken) {
				Sent first = this.first.get();
				if (first == null && this.first.compareAndSet(null, new Sent(channel, stamp))) {
					return null;
				}
				first = this.first.get();
				if (first != null && !first.channel().equals(channel)) {
					this.left = first;
					left = first;
				}
			}
			return (left != null) ? left.stamp() : null;
		}

	}

	/**
	 * Sees the channel become active after Lettuce's handshake, before the connection
	 * sends what it holds.
	 */
	@ChannelHandler.Sharable
	private final class HandshakeOver extends ChannelInboundHandlerAdapter {

		@Override
		public void channelActive(ChannelHandlerContext context) throws Exception {
			Object connection = LettuceInternals.connectionOf(context.channel());
			if (connection != null) {
				context.channel()
					.attr(HELD)
					.set(HeldConnections.this.connections.computeIfAbsent(connection, (key) -> new Held()));
			}
			super.channelActive(context);
		}

	}

	private final class HoldingProvider extends ForwardingConnectionProvider {

		HoldingProvider(LettuceConnectionProvider delegate) {
			super(delegate);
		}

		@Override
		public <T extends StatefulConnection<?, ?>> T getConnection(Class<T> connectionType) {
			T connection = this.delegate.getConnection(connectionType);
			taken(connection);
			return connection;
		}

		@Override
		public <T extends StatefulConnection<?, ?>> CompletionStage<T> getConnectionAsync(Class<T> connectionType) {
			return this.delegate.getConnectionAsync(connectionType).thenApply((connection) -> {
				taken(connection);
				return connection;
			});
		}

	}

}
