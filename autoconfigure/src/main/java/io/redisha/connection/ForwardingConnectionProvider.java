package io.redisha.connection;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.lettuce.core.api.StatefulConnection;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionProvider;

/**
 * A connection provider that hands everything to another; the wrappers around Spring
 * Data's providers override only what they add. The interface's own defaults would close
 * a released connection instead of giving it back.
 */
abstract class ForwardingConnectionProvider implements LettuceConnectionProvider {

	protected final LettuceConnectionProvider delegate;

	ForwardingConnectionProvider(LettuceConnectionProvider delegate) {
		this.delegate = delegate;
	}

	@Override
	public <T extends StatefulConnection<?, ?>> T getConnection(Class<T> connectionType) {
		return this.delegate.getConnection(connectionType);
	}

	@Override
	public <T extends StatefulConnection<?, ?>> CompletionStage<T> getConnectionAsync(Class<T> connectionType) {
		return this.delegate.getConnectionAsync(connectionType);
	}

	@Override
	public void release(StatefulConnection<?, ?> connection) {
		this.delegate.release(connection);
	}

	@Override
	public CompletableFuture<Void> releaseAsync(StatefulConnection<?, ?> connection) {
		return this.delegate.releaseAsync(connection);
	}

}
