package io.redisha.redis;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.redisha.protocol.MinReplicas;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master-side fence ({@link MinReplicas}) as Redis's {@code min-replicas-to-write}
 * and {@code min-replicas-max-lag}, named {@code min-slaves-*} on servers before Redis 5.
 * One parameter per {@code CONFIG SET}: several at once need Redis 7.
 */
final class MinReplicasCommands {

	private static final Logger logger = LoggerFactory.getLogger(NodeLink.class);

	private final NodeAddress node;

	/** The group's fence, when redis-ha manages it. */
	private final MinReplicas group;

	/**
	 * The link's lock: commands written from a reply's thread must not land inside a
	 * MULTI block.
	 */
	private final Object dispatchLock;

	/**
	 * Told of each MULTI block written, under the lock: its EXEC ends a role change's
	 * WATCH.
	 */
	private final Runnable blockWritten;

	private volatile boolean refusalLogged;

	MinReplicasCommands(NodeAddress node, MinReplicas group, Object dispatchLock, Runnable blockWritten) {
		this.node = node;
		this.group = group;
		this.dispatchLock = dispatchLock;
		this.blockWritten = blockWritten;
	}

	/**
	 * Runs the group's own configuration write through a managed fence:
	 * {@code MULTI; CONFIG
	 * SET min-replicas-to-write 0; <write>; CONFIG SET min-replicas-max-lag L;
	 * min-replicas-to-write N; EXEC}, one step that no client's write slips into, which
	 * leaves the master fenced as configured. A master refusing it while it lacks
	 * replicas would keep the voters from committing a configuration or replacing crashed
	 * voters, and so from repairing the very node that would be its replica (the
	 * simulation found that deadlock). The write must be a script: Redis refuses a plain
	 * write command queued on a fenced master. Without CONFIG (an ACL) the block aborts
	 * and the write goes alone.
	 */
	<R> CompletableFuture<R> passFence(RedisAsyncCommands<String, String> redis, boolean legacy,
			Supplier<CompletableFuture<R>> write) {
		if (!this.group.managed()) {
			return write.get();
		}
		this.blockWritten.run();
		redis.multi();
		redis.configSet(toWriteName(legacy), "0");
		CompletableFuture<R> written = write.get();
		set(redis, this.group, legacy);
		return redis.exec().toCompletableFuture().handle((result, failure) -> {
			if (failure == null && result.wasDiscarded()) {
				// A role change's WATCH on this connection saw the hash change: this
				// EXEC ended that WATCH, so the write goes through again.
				synchronized (this.dispatchLock) {
					return passFence(redis, legacy, write);
				}
			}
			if (failure == null) {
				return written;
			}
			if (!Failures.rootMessage(failure).startsWith("EXECABORT")) {
				return CompletableFuture.<R>failedFuture(failure);
			}
			synchronized (this.dispatchLock) {
				return write.get();
			}
		}).thenCompose((outcome) -> outcome);
	}

	/**
	 * Queues the fence (in a promotion's MULTI block, or right before its role change).
	 */
	void set(RedisAsyncCommands<String, String> redis, MinReplicas minReplicas, boolean legacy) {
		warnOnFailure(redis.configSet(maxLagName(legacy), Long.toString(minReplicas.maxLagSeconds())));
		warnOnFailure(redis.configSet(toWriteName(legacy), Integer.toString(minReplicas.toWrite())));
	}

	/**
	 * Queues {@code min-replicas-to-write 0} (in a demotion's MULTI block, or right after
	 * its role change).
	 */
	void clear(RedisAsyncCommands<String, String> redis, boolean legacy) {
		warnOnFailure(redis.configSet(toWriteName(legacy), "0"));
	}

	/**
	 * Reads both settings and sets them where they differ from {@code minReplicas}:
	 * answers {@code 1} when it set them, {@code 0} when they were already so.
	 */
	CompletableFuture<Reply> fenceMaster(RedisAsyncCommands<String, String> redis, MinReplicas minReplicas,
			boolean legacy) {
		String toWrite = toWriteName(legacy);
		String maxLag = maxLagName(legacy);
		CompletableFuture<Map<String, String>> currentToWrite = redis.configGet(toWrite).toCompletableFuture();
		CompletableFuture<Map<String, String>> currentMaxLag = redis.configGet(maxLag).toCompletableFuture();
		return currentToWrite.thenCombine(currentMaxLag, (writeValue, lagValue) -> {
			String wasToWrite = writeValue.get(toWrite);
			String wasMaxLag = lagValue.get(maxLag);
			if (Integer.toString(minReplicas.toWrite()).equals(wasToWrite)
					&& Long.toString(minReplicas.maxLagSeconds()).equals(wasMaxLag)) {
				return CompletableFuture.completedFuture((Reply) new Reply.Text("0", false));
			}
			CompletableFuture<String> lagSet;
			CompletableFuture<String> toWriteSet;
			synchronized (this.dispatchLock) {
				lagSet = redis.configSet(maxLag, Long.toString(minReplicas.maxLagSeconds())).toCompletableFuture();
				toWriteSet = redis.configSet(toWrite, Integer.toString(minReplicas.toWrite())).toCompletableFuture();
			}
			return lagSet.thenCombine(toWriteSet, (lagOk, toWriteOk) -> {
				logger.info("Redis node {}: master fenced as configured: {} {} (was {}), {} {} (was {})", this.node,
						toWrite, minReplicas.toWrite(), wasToWrite, maxLag, minReplicas.maxLagSeconds(), wasMaxLag);
				return (Reply) new Reply.Text("1", false);
			});
		}).thenCompose((reply) -> reply);
	}

	/**
	 * Said once per node: a refusal (an ACL) repeats with every promotion and repointing.
	 */
	private void warnOnFailure(RedisFuture<String> set) {
		set.whenComplete((ok, failure) -> {
			if (failure != null && !this.refusalLogged) {
				this.refusalLogged = true;
				logger.warn("Redis node {}: CONFIG SET of the master-side fence (min-replicas-to-write) failed: {}",
						this.node, Failures.rootMessage(failure));
			}
		});
	}

	private static String toWriteName(boolean legacy) {
		return legacy ? "min-slaves-to-write" : "min-replicas-to-write";
	}

	private static String maxLagName(boolean legacy) {
		return legacy ? "min-slaves-max-lag" : "min-replicas-max-lag";
	}

}
