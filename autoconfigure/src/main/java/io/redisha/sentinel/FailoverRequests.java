package io.redisha.sentinel;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.netty.handler.codec.redis.RedisMessage;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.CommandOutcome;

/**
 * Carries out {@code SENTINEL FAILOVER} off the endpoint's event loop: the member answers
 * an operator command from its group's thread, which the event loop must never wait for.
 * One request at a time, a few more queued; beyond that clients are told to try again.
 */
final class FailoverRequests implements AutoCloseable {

	/**
	 * How long a request waits for the group's thread to take it, as the actuator's
	 * operations do.
	 */
	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

	private static final int MAX_QUEUED = 8;

	private final RedisHaMember member;

	private final ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
			new ArrayBlockingQueue<>(MAX_QUEUED), (task) -> {
				Thread thread = new Thread(task, "redis-ha-sentinel-failover");
				thread.setDaemon(true);
				return thread;
			});

	FailoverRequests(RedisHaMember member) {
		this.member = member;
	}

	/** Forces a failover of the group; completes with Sentinel's reply. */
	CompletableFuture<RedisMessage> request(String group) {
		try {
			return CompletableFuture.supplyAsync(() -> failover(group), this.executor);
		}
		catch (RejectedExecutionException ex) {
			return CompletableFuture
				.completedFuture(Resp.error("ERR too many SENTINEL FAILOVER requests at once: try again in a moment"));
		}
	}

	private RedisMessage failover(String group) {
		try {
			CommandOutcome outcome = this.member.failover(group, COMMAND_TIMEOUT).outcome();
			return switch (outcome.status()) {
				case STARTED, DONE -> Resp.OK;
				case CONFLICT -> Resp.error("INPROG Failover already in progress");
				case REFUSED -> Resp.error("ERR " + outcome.message());
			};
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			return Resp.error("ERR " + ex.getMessage());
		}
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

}
