package io.redisha.redis;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Transports;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The Lettuce threads shared by one member's {@link NodeLink links} (2 I/O, 2
 * computation, a timer), named with a prefix of the owner's choice so that a thread dump
 * shows whose they are: {@code redis-ha-<member id>} for a member's own, {@code redis-ha}
 * for the application context's, which the member and the demoted-master disconnector
 * share. Lettuce starts each thread when it first has work for it.
 * <p>
 * The I/O event loop is held for the lifetime of these resources. Without that hold, the
 * loop stops when the last link closes, while Lettuce's timer may still fire the
 * handshake timeout of a connection attempt that was refused a moment earlier: Netty then
 * logs a {@code RejectedExecutionException} at ERROR on every shutdown that follows a
 * dead node. The timer stops first when these resources close, so no such timeout fires
 * any more.
 */
public final class LinkResources implements AutoCloseable {

	private final ClientResources clientResources;

	/**
	 * @param threadPrefix the prefix of every thread's name, e.g.
	 * {@code redis-ha-<member id>}
	 */
	public LinkResources(String threadPrefix) {
		this.clientResources = DefaultClientResources.builder()
			.ioThreadPoolSize(2)
			.computationThreadPoolSize(2)
			.threadFactoryProvider((pool) -> new DefaultThreadFactory(threadPrefix + "-" + pool, true))
			.build();
		this.clientResources.eventLoopGroupProvider().allocate(Transports.eventLoopGroupClass());
	}

	/** The resources every {@link NodeLink} of this member shares. */
	public ClientResources clientResources() {
		return this.clientResources;
	}

	/**
	 * Stops every thread, waiting at most {@code timeout}; close the links first.
	 * @return whether everything stopped in time
	 */
	public boolean close(Duration timeout) {
		try {
			this.clientResources.shutdown(0, timeout.toMillis(), TimeUnit.MILLISECONDS)
				.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		catch (ExecutionException | TimeoutException ex) {
			return false;
		}
	}

	@Override
	public void close() {
		close(Duration.ofSeconds(2));
	}

}
