package io.redisha.connection;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.api.StatefulConnection;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionProvider;

/**
 * With read routing, a connection reads from the replicas Lettuce discovered when it
 * connected, and Lettuce never looks again. When the replicas change (a switch, a replica
 * repointed to the new master, one gone), the factory declares every discovery made so
 * far stale; a stale connection is then closed when it is next borrowed or given back,
 * instead of being used or pooled again, so that the next one discovers the replicas
 * afresh. Closing it then rather than at once lets what is under way on it finish.
 * <p>
 * Spring Data pools the connections its provider creates: {@link #recording} wraps that
 * provider to learn when each connection was discovered, {@link #discarding} wraps the
 * pool the application borrows from. The pool must destroy the closed connections given
 * back to it (it validates them on return).
 */
final class ReplicaDiscoveries {

	/**
	 * How many stale connections one borrow discards at most: a pool that hands closed
	 * connections out again must not make it loop.
	 */
	private static final int MAX_DISCARDED = 64;

	private final AtomicLong generation = new AtomicLong();

	/** The generation each connection was discovered in; weak, as the pool owns them. */
	private final Map<StatefulConnection<?, ?>, Long> discoveredIn = Collections.synchronizedMap(new WeakHashMap<>());

	/** Makes every connection discovered until now stale. */
	void changed() {
		this.generation.incrementAndGet();
	}

	/**
	 * Whether the connection discovered the replicas before their last change; a
	 * connection not created through {@link #recording} never is.
	 */
	boolean isStale(StatefulConnection<?, ?> connection) {
		Long discovered = this.discoveredIn.get(connection);
		return discovered != null && discovered != this.generation.get();
	}

	/**
	 * The provider that creates connections, noting when each one discovered the
	 * replicas.
	 */
	LettuceConnectionProvider recording(LettuceConnectionProvider creating) {
		return new Recording(creating);
	}

	/** The provider the application borrows from, handing out no stale connection. */
	LettuceConnectionProvider discarding(LettuceConnectionProvider pool) {
		return new Discarding(pool);
	}

	private final class Recording extends ForwardingConnectionProvider {

		Recording(LettuceConnectionProvider creating) {
			super(creating);
		}

		@Override
		public <T extends StatefulConnection<?, ?>> T getConnection(Class<T> connectionType) {
			// Noted before it connects: a change during its discovery makes it stale.
			long now = ReplicaDiscoveries.this.generation.get();
			T connection = this.delegate.getConnection(connectionType);
			ReplicaDiscoveries.this.discoveredIn.put(connection, now);
			return connection;
		}

		@Override
		public <T extends StatefulConnection<?, ?>> CompletionStage<T> getConnectionAsync(Class<T> connectionType) {
			long now = ReplicaDiscoveries.this.generation.get();
			return this.delegate.getConnectionAsync(connectionType).thenApply((connection) -> {
				ReplicaDiscoveries.this.discoveredIn.put(connection, now);
				return connection;
			});
		}

	}

	private final class Discarding extends ForwardingConnectionProvider {

		Discarding(LettuceConnectionProvider pool) {
			super(pool);
		}

		@Override
		public <T extends StatefulConnection<?, ?>> T getConnection(Class<T> connectionType) {
			for (int discarded = 0;; discarded++) {
				T connection = this.delegate.getConnection(connectionType);
				if (!isStale(connection) || discarded == MAX_DISCARDED) {
					return connection;
				}
				release(connection);
			}
		}

		@Override
		public <T extends StatefulConnection<?, ?>> CompletionStage<T> getConnectionAsync(Class<T> connectionType) {
			return getConnectionAsync(connectionType, 0);
		}

		private <T extends StatefulConnection<?, ?>> CompletionStage<T> getConnectionAsync(Class<T> connectionType,
				int discarded) {
			return this.delegate.getConnectionAsync(connectionType).thenCompose((connection) -> {
				if (!isStale(connection) || discarded == MAX_DISCARDED) {
					return CompletableFuture.completedFuture(connection);
				}
				return releaseAsync(connection)
					.thenCompose((released) -> getConnectionAsync(connectionType, discarded + 1));
			});
		}

		/**
		 * Gives the connection back, closed first when stale: the pool destroys it, and a
		 * provider without a pool closes it anyway.
		 */
		@Override
		public void release(StatefulConnection<?, ?> connection) {
			if (isStale(connection)) {
				connection.close();
			}
			super.release(connection);
		}

		@Override
		public CompletableFuture<Void> releaseAsync(StatefulConnection<?, ?> connection) {
			if (isStale(connection)) {
				return connection.closeAsync().thenCompose((closed) -> super.releaseAsync(connection));
			}
			return super.releaseAsync(connection);
		}

	}

}
