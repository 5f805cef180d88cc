package io.redisha.connection;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connections discovered before the replicas changed are never used or pooled again, on
 * real connections to a real Redis, through a pool that, like commons-pool2 validating on
 * return, destroys closed connections given back to it.
 */
class ReplicaDiscoveriesTest {

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(0);

	private RedisClient client;

	private final ReplicaDiscoveries discoveries = new ReplicaDiscoveries();

	private Pool pool;

	private LettuceConnectionProvider provider;

	@BeforeEach
	void connect() {
		RedisServerProcess server = redis.group().master();
		this.client = RedisClient.create(RedisURI.create(server.host(), server.port()));
		this.pool = new Pool(this.discoveries.recording(new Connecting(this.client)));
		this.provider = this.discoveries.discarding(this.pool);
	}

	@AfterEach
	void close() {
		this.client.shutdown();
	}

	@Test
	void aPooledConnectionIsReusedWhileTheReplicasStayTheSame() {
		StatefulRedisConnection<?, ?> first = this.provider.getConnection(StatefulRedisConnection.class);
		this.provider.release(first);
		StatefulRedisConnection<?, ?> second = this.provider.getConnection(StatefulRedisConnection.class);
		assertThat(second).isSameAs(first);
		assertThat(second.sync().ping()).isEqualTo("PONG");
		assertThat(this.pool.destroyed).isZero();
	}

	@Test
	void anIdleConnectionDiscoveredBeforeTheChangeIsDiscardedWhenBorrowed() {
		StatefulRedisConnection<?, ?> before = this.provider.getConnection(StatefulRedisConnection.class);
		this.provider.release(before);

		this.discoveries.changed();
		StatefulRedisConnection<?, ?> after = this.provider.getConnection(StatefulRedisConnection.class);

		assertThat(after).isNotSameAs(before);
		assertThat(before.isOpen()).isFalse();
		assertThat(after.sync().ping()).isEqualTo("PONG");
		assertThat(this.pool.destroyed).isOne();
	}

	@Test
	void aConnectionBorrowedBeforeTheChangeWorksUntilReleasedThenIsClosed() {
		StatefulRedisConnection<?, ?> held = this.provider.getConnection(StatefulRedisConnection.class);

		this.discoveries.changed();
		// What is under way on it (a transaction, a pipeline) finishes.
		assertThat(held.sync().ping()).isEqualTo("PONG");
		this.provider.release(held);

		assertThat(held.isOpen()).isFalse();
		assertThat(this.pool.idle).isEmpty();
		assertThat(this.provider.getConnection(StatefulRedisConnection.class)).isNotSameAs(held);
	}

	@Test
	void theAsynchronousPathDiscardsStaleConnectionsToo() throws Exception {
		StatefulRedisConnection<?, ?> before = this.provider.getConnectionAsync(StatefulRedisConnection.class)
			.toCompletableFuture()
			.get();
		this.provider.releaseAsync(before).get();

		this.discoveries.changed();
		StatefulRedisConnection<?, ?> after = this.provider.getConnectionAsync(StatefulRedisConnection.class)
			.toCompletableFuture()
			.get();

		assertThat(after).isNotSameAs(before);
		assertThat(before.isOpen()).isFalse();
		this.provider.releaseAsync(after).get();
		assertThat(this.pool.idle).containsExactly(after);
	}

	/** Connects a new connection each time, as Spring Data's provider does. */
	private record Connecting(RedisClient client) implements LettuceConnectionProvider {

		@Override
		@SuppressWarnings("unchecked")
		public <T extends StatefulConnection<?, ?>> T getConnection(Class<T> connectionType) {
			return (T) this.client.connect();
		}

		@Override
		public <T extends StatefulConnection<?, ?>> CompletionStage<T> getConnectionAsync(Class<T> connectionType) {
			return CompletableFuture.completedFuture(getConnection(connectionType));
		}

	}

	/**
	 * Last in, first out, as commons-pool2 hands out idle connections; destroys the
	 * closed ones given back, as it does when it validates on return.
	 */
	private static final class Pool implements LettuceConnectionProvider {

		private final LettuceConnectionProvider creating;

		private final Deque<StatefulConnection<?, ?>> idle = new ArrayDeque<>();

		private int destroyed;

		Pool(LettuceConnectionProvider creating) {
			this.creating = creating;
		}

		@Override
		public synchronized <T extends StatefulConnection<?, ?>> T getConnection(Class<T> connectionType) {
			return this.idle.isEmpty() ? this.creating.getConnection(connectionType)
					: connectionType.cast(this.idle.pop());
		}

		@Override
		public <T extends StatefulConnection<?, ?>> CompletionStage<T> getConnectionAsync(Class<T> connectionType) {
			return CompletableFuture.completedFuture(getConnection(connectionType));
		}

		@Override
		public synchronized void release(StatefulConnection<?, ?> connection) {
			if (connection.isOpen()) {
				this.idle.push(connection);
			}
			else {
				this.destroyed++;
			}
		}

		@Override
		public CompletableFuture<Void> releaseAsync(StatefulConnection<?, ?> connection) {
			release(connection);
			return CompletableFuture.completedFuture(null);
		}

	}

}
