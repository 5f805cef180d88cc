package io.redisha.redis;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ConnectionFuture;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.redisha.protocol.NodeAddress;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link NodeLink}'s Lettuce client and its connections to the node: one for commands,
 * one to publish gossip on and one subscribed to the gossip channel (none while the link
 * listens to no channel). Each is opened when first needed and again after it broke; the
 * subscription as soon as it drops.
 */
final class NodeConnections {

	private static final Logger logger = LoggerFactory.getLogger(NodeLink.class);

	private final NodeAddress node;

	/** The channel subscribed to, null for none; changed by {@link #listen(String)}. */
	private volatile @Nullable String channel;

	private final Duration timeout;

	private final RedisClient client;

	private final RedisURI uri;

	private final Consumer<String> gossip;

	private final ProblemLog problems;

	private final Executor connector;

	/** Told when the command connection is opened again after it broke. */
	private final Runnable reopened;

	private @Nullable CompletableFuture<StatefulRedisConnection<String, String>> commands;

	private @Nullable CompletableFuture<StatefulRedisConnection<String, String>> publisher;

	private @Nullable CompletableFuture<StatefulRedisPubSubConnection<String, String>> subscription;

	private volatile boolean closed;

	NodeConnections(NodeAddress node, LinkSettings settings, ClientResources resources, @Nullable String channel,
			Consumer<String> gossip, ProblemLog problems, Runnable reopened) {
		this.node = node;
		this.channel = channel;
		this.timeout = settings.timeout();
		this.gossip = gossip;
		this.uri = settings.uri();
		this.problems = problems;
		this.reopened = reopened;
		this.connector = resources.eventExecutorGroup();
		this.client = RedisClient.create(resources, this.uri);
		ClientOptions.Builder options = ClientOptions.builder();
		if (settings.tls() != null) {
			options.sslOptions(settings.tls());
		}
		this.client.setOptions(options
			// A broken connection is opened again by the next command: commands never
			// queue behind a dead node and no stale command is replayed after a
			// reconnect.
			.autoReconnect(false)
			.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			.protocolVersion(ProtocolVersion.RESP2)
			.pingBeforeActivateConnection(true)
			.socketOptions(SocketOptions.builder().connectTimeout(this.timeout).keepAlive(true).build())
			.timeoutOptions(TimeoutOptions.enabled(this.timeout))
			.build());
		this.client.addListener(new RedisConnectionStateListener() {

			@Override
			public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
				resubscribe(connection);
			}

		});
	}

	/** Whether {@link #closeAsync()} was called. */
	boolean isClosed() {
		return this.closed;
	}

	/** Whether the command connection is open now. */
	boolean isConnected() {
		CompletableFuture<StatefulRedisConnection<String, String>> current = this.commands;
		return current != null && isOpen(current);
	}

	/** Whether the gossip subscription is open now. */
	boolean isSubscribed() {
		CompletableFuture<StatefulRedisPubSubConnection<String, String>> current = this.subscription;
		return current != null && isOpen(current);
	}

	synchronized CompletableFuture<StatefulRedisConnection<String, String>> commands() {
		if (this.closed) {
			return CompletableFuture.failedFuture(new IllegalStateException("link to " + this.node + " is closed"));
		}
		if (this.commands == null || !isOpenOrOpening(this.commands)) {
			if (this.commands != null) {
				this.reopened.run();
			}
			closeQuietly(this.commands);
			this.commands = offCallerThread(() -> this.client.connectAsync(StringCodec.UTF8, this.uri));
		}
		return this.commands;
	}

	/** Opened when first needed, and again after it broke. */
	synchronized CompletableFuture<StatefulRedisConnection<String, String>> publisher() {
		if (this.publisher == null || !isOpenOrOpening(this.publisher)) {
			closeQuietly(this.publisher);
			this.publisher = offCallerThread(() -> this.client.connectAsync(StringCodec.UTF8, this.uri));
		}
		return this.publisher;
	}

	/**
	 * Subscribes to {@code newChannel} instead: the subscription is closed and opened
	 * again on it at once (an observer that became a voter, or the reverse); null closes
	 * it until another channel is named.
	 */
	synchronized void listen(@Nullable String newChannel) {
		if (Objects.equals(newChannel, this.channel)) {
			return;
		}
		String was = this.channel;
		this.channel = newChannel;
		CompletableFuture<StatefulRedisPubSubConnection<String, String>> old = this.subscription;
		this.subscription = null;
		if (old != null) {
			old.thenAccept(StatefulConnection::closeAsync);
		}
		if (old != null || was == null) {
			ensureSubscribed();
		}
	}

	/**
	 * Closes the connection messages are published on until the next message: an observer
	 * publishes rarely, and on its master only.
	 */
	synchronized void releasePublisher() {
		CompletableFuture<StatefulRedisConnection<String, String>> old = this.publisher;
		this.publisher = null;
		if (old != null) {
			old.thenAccept(StatefulConnection::closeAsync);
		}
	}

	/** A connection of its own, for one use: the caller closes it. */
	CompletableFuture<StatefulRedisConnection<String, String>> openSingleUse() {
		return offCallerThread(() -> this.client.connectAsync(StringCodec.UTF8, this.uri));
	}

	synchronized void ensureSubscribed() {
		String channel = this.channel;
		if (!this.closed && channel != null && (this.subscription == null || !isOpenOrOpening(this.subscription))) {
			closeQuietly(this.subscription);
			this.subscription = offCallerThread(() -> this.client.connectPubSubAsync(StringCodec.UTF8, this.uri))
				.thenCompose((connection) -> subscribe(connection, channel));
		}
	}

	/**
	 * Opens the subscription again as soon as it drops (a promotion's CLIENT KILL TYPE
	 * pubsub, a restarted node) rather than at the next command: gossip matters most
	 * during a failover. A node that refuses is tried again by the next command, not in a
	 * loop.
	 */
	private synchronized void resubscribe(RedisChannelHandler<?, ?> disconnected) {
		CompletableFuture<StatefulRedisPubSubConnection<String, String>> current = this.subscription;
		if (current != null && current.isDone() && !current.isCompletedExceptionally()
				&& current.join() == disconnected) {
			this.subscription = null;
			ensureSubscribed();
		}
	}

	/**
	 * Starts a connection from Lettuce's own threads: the first one loads Netty and
	 * Lettuce (seconds on a busy machine) and resolving a host name may block, and the
	 * caller's thread is the member's timer, whose stalls would look like a frozen
	 * process (TILT).
	 */
	private <C> CompletableFuture<C> offCallerThread(Supplier<ConnectionFuture<C>> connect) {
		return CompletableFuture.supplyAsync(connect, this.connector)
			.thenCompose(ConnectionFuture::toCompletableFuture);
	}

	private CompletableFuture<StatefulRedisPubSubConnection<String, String>> subscribe(
			StatefulRedisPubSubConnection<String, String> connection, String channel) {
		connection.addListener(new RedisPubSubAdapter<>() {

			@Override
			public void message(String from, String message) {
				NodeConnections.this.gossip.accept(message);
			}

		});
		return connection.async().subscribe(channel).toCompletableFuture().handle((ok, failure) -> {
			if (failure != null) {
				connection.closeAsync();
				// Typically an ACL without this channel: the node answers, but no gossip
				// flows through it.
				String problem = "SUBSCRIBE " + channel + " on " + this.node + " refused: "
						+ Failures.rootMessage(failure);
				this.problems.gossip("SUBSCRIBE", problem);
				throw new IllegalStateException(problem, failure);
			}
			this.problems.gossip("SUBSCRIBE", null);
			return connection;
		});
	}

	private static boolean isOpenOrOpening(CompletableFuture<? extends StatefulConnection<?, ?>> connection) {
		return !connection.isDone() || isOpen(connection);
	}

	private static boolean isOpen(CompletableFuture<? extends StatefulConnection<?, ?>> connection) {
		return connection.isDone() && !connection.isCompletedExceptionally() && connection.join().isOpen();
	}

	/**
	 * Releases a broken connection (Lettuce has closed some already: it warns when closed
	 * twice).
	 */
	private static void closeQuietly(@Nullable CompletableFuture<? extends StatefulConnection<?, ?>> connection) {
		if (connection != null) {
			connection.thenAccept((broken) -> {
				if (!(broken instanceof RedisChannelHandler<?, ?> handler) || !handler.isClosed()) {
					broken.closeAsync();
				}
			});
		}
	}

	/**
	 * Closes the connections and the client; commands still under way fail. Idempotent.
	 */
	CompletableFuture<Void> closeAsync() {
		CompletableFuture<?> connecting;
		synchronized (this) {
			if (this.closed) {
				return CompletableFuture.completedFuture(null);
			}
			this.closed = true;
			// Let connection attempts under way settle (within the timeout) before the
			// client goes.
			connecting = CompletableFuture.allOf(settled(this.commands), settled(this.publisher),
					settled(this.subscription));
		}
		return connecting
			.thenCompose((settled) -> this.client.shutdownAsync(0, this.timeout.toMillis(), TimeUnit.MILLISECONDS))
			.orTimeout(2 * this.timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)
			.exceptionally((failure) -> {
				logger.debug("Closing the link to {} failed", this.node, failure);
				return null;
			});
	}

	private static CompletableFuture<?> settled(@Nullable CompletableFuture<?> future) {
		return (future != null) ? future.handle((result, failure) -> null) : CompletableFuture.completedFuture(null);
	}

}
