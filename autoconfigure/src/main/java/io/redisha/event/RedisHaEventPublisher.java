package io.redisha.event;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.redisha.member.RedisHaMember;
import io.redisha.protocol.ProtocolEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Publishes a {@link RedisHaEvent} for every protocol event of the member. The member
 * calls its listeners on its group threads, which must never block (a stalled group
 * thread looks like a frozen process and sends the member into TILT); application
 * listeners may block. So events are handed to one thread of their own,
 * {@value #THREAD_NAME}, and published there one after the other: listeners see every
 * event, in the order the member saw it (per group), and a slow listener delays later
 * events but never the protocol.
 */
public final class RedisHaEventPublisher implements Consumer<ProtocolEvent>, AutoCloseable {

	static final String THREAD_NAME = "redis-ha-events";

	private static final Logger logger = LoggerFactory.getLogger(RedisHaEventPublisher.class);

	private final RedisHaMember member;

	private final ApplicationEventPublisher publisher;

	private final ExecutorService executor = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, THREAD_NAME);
		thread.setDaemon(true);
		return thread;
	});

	/** Creates the publisher and registers it with the member. */
	public RedisHaEventPublisher(RedisHaMember member, ApplicationEventPublisher publisher) {
		this.member = member;
		this.publisher = publisher;
		member.addEventListener(this);
	}

	@Override
	public void accept(ProtocolEvent event) {
		RedisHaEvent applicationEvent = RedisHaEvent.of(this.member, event);
		try {
			this.executor.execute(() -> publish(applicationEvent));
		}
		catch (RejectedExecutionException ex) {
			logger.debug("Application closing: {} not published", applicationEvent);
		}
	}

	private void publish(RedisHaEvent event) {
		try {
			this.publisher.publishEvent(event);
		}
		catch (RuntimeException ex) {
			logger.warn("A listener failed on {}", event, ex);
		}
	}

	/**
	 * Delivers the events already handed over (for at most a few seconds), then stops.
	 */
	@Override
	public void close() {
		this.executor.shutdown();
		try {
			if (!this.executor.awaitTermination(5, TimeUnit.SECONDS)) {
				logger.warn("redis-ha event listeners still busy after 5 s; later events are dropped");
				this.executor.shutdownNow();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
