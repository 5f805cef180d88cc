package io.redisha.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.redisha.protocol.Action;
import io.redisha.protocol.MinReplicas;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.Reply;
import io.redisha.protocol.RoleCommand;
import io.redisha.protocol.StoredConfiguration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link NodeLink}'s promotions and demotions of its node, each guarded by the epoch of
 * the group's configuration stored on the node, in one MULTI block with the master-side
 * fence.
 */
final class RoleChanges {

	private static final Logger logger = LoggerFactory.getLogger(NodeLink.class);

	/**
	 * How often a role change checks the stored epoch again when other blocks interleave.
	 */
	private static final int GUARD_ATTEMPTS = 3;

	private final NodeAddress node;

	private final ConfigurationCommands configuration;

	private final MinReplicasCommands minReplicas;

	/** The link's lock, held while commands are written on the command connection. */
	private final Object dispatchLock;

	/**
	 * How many MULTI blocks were written on the command connection (changed under the
	 * dispatch lock).
	 */
	private final AtomicLong blocksWritten;

	/** Reads the INFO that a role change's block ends with. */
	private final Function<String, Reply> readInfo;

	RoleChanges(NodeAddress node, ConfigurationCommands configuration, MinReplicasCommands minReplicas,
			Object dispatchLock, AtomicLong blocksWritten, Function<String, Reply> readInfo) {
		this.node = node;
		this.configuration = configuration;
		this.minReplicas = minReplicas;
		this.dispatchLock = dispatchLock;
		this.blocksWritten = blocksWritten;
		this.readInfo = readInfo;
	}

	/**
	 * Makes the node a replica of {@code master}, or a master when it is null, with
	 * {@code command} (the coordinator's choice), unless its data holds a configuration
	 * newer than {@code epoch}, or, with {@code refuseStreamingSeconds} >= 0, unless it
	 * streams from its master within that many seconds, or, with a {@code runId}, unless
	 * another process runs there (see {@link io.redisha.protocol.Action.Promote}). Called
	 * with the dispatch lock held.
	 */
	CompletableFuture<Reply> change(RedisAsyncCommands<String, String> redis, long epoch, @Nullable NodeAddress master,
			MinReplicas fence, RoleCommand command, long refuseStreamingSeconds, @Nullable String runId) {
		return guardedReconfigure(redis,
				new RoleChange(epoch, master, fence, command, true, refuseStreamingSeconds, runId), GUARD_ATTEMPTS);
	}

	/**
	 * A role change, of the configuration of {@code epoch}: {@code master} null promotes.
	 * {@code complete} also rewrites the config file and cuts the node's clients, in the
	 * block. {@link RoleCommand#SLAVEOF} also names the fence's settings the old way.
	 */
	private record RoleChange(long epoch, @Nullable NodeAddress master, MinReplicas fence, RoleCommand command,
			boolean complete, long refuseStreamingSeconds, @Nullable String runId) {

		RoleChange plain() {
			return new RoleChange(this.epoch, this.master, this.fence, this.command, false, this.refuseStreamingSeconds,
					this.runId);
		}

		boolean legacy() {
			return this.command == RoleCommand.SLAVEOF;
		}

	}

	/**
	 * Changes the node's role only while its data holds no configuration newer than the
	 * command's epoch: {@code WATCH} the configuration hash and read its epoch, then
	 * queue the block, which EXEC discards if the hash changed in between. A command
	 * decided before the group moved on (its member frozen since, or a connection that
	 * held it through a partition) so changes nothing: a promotion's leader stores the
	 * new configuration on the new master, from where it reaches every replica. Another
	 * MULTI block written on this connection in between ends the WATCH with its EXEC:
	 * then the check is made again. A promotion that refuses a streaming replica reads
	 * {@code INFO replication} in the same round trip. Called with the dispatch lock
	 * held.
	 */
	private CompletableFuture<Reply> guardedReconfigure(RedisAsyncCommands<String, String> redis, RoleChange change,
			int attempts) {
		long blocksBefore = this.blocksWritten.get();
		CompletableFuture<Long> epochRead = this.configuration.watchEpoch(redis);
		CompletableFuture<Long> streaming = (change.refuseStreamingSeconds() >= 0)
				? redis.info("replication").toCompletableFuture().thenApply(Replies::streamingSeconds)
				: CompletableFuture.completedFuture(-1L);
		// On this connection, which the block then goes out on: a restart in between
		// breaks it (no reconnection), so the block never reaches another process.
		CompletableFuture<String> process = (change.runId() != null)
				? redis.info("server").toCompletableFuture().thenApply(Replies::runId)
				: CompletableFuture.completedFuture("");
		return epochRead.thenCombine(streaming, (epoch, lastIo) -> new GuardRead(epoch, lastIo, ""))
			.thenCombine(process, (read, runId) -> new GuardRead(read.storedEpoch(), read.lastIoSeconds(), runId))
			.handle((read, failure) -> {
				synchronized (this.dispatchLock) {
					if (failure != null) {
						// The read may still be on its way (a held connection): nothing
						// more goes out on this connection, so no block can follow a
						// WATCH that was never checked.
						redis.getStatefulConnection().closeAsync();
						return CompletableFuture.completedFuture((Reply) new Reply.Failed("the configuration epoch of "
								+ this.node + " (or its link) could not be read before the role change: "
								+ Failures.rootMessage(failure)));
					}
					String refusal = refusal(change, read);
					if (refusal != null) {
						// Its own UNWATCH ends any other role change's WATCH on this
						// connection too.
						this.blocksWritten.incrementAndGet();
						redis.unwatch();
						return CompletableFuture.completedFuture((Reply) new Reply.Text(refusal, true));
					}
					if (this.blocksWritten.get() != blocksBefore) {
						return (attempts > 1) ? guardedReconfigure(redis, change, attempts - 1)
								: CompletableFuture.completedFuture((Reply) new Reply.Failed(
										"other transactions kept interleaving with the role change on " + this.node));
					}
					return reconfigure(redis, change);
				}
			})
			.thenCompose((reply) -> reply);
	}

	/**
	 * Why the node refuses the change, as read before its block; null when it does not.
	 */
	private @Nullable String refusal(RoleChange change, GuardRead read) {
		if (read.storedEpoch() > change.epoch()) {
			return StoredConfiguration.newerEpochError(read.storedEpoch(), change.epoch());
		}
		if (read.lastIoSeconds() >= 0 && read.lastIoSeconds() <= change.refuseStreamingSeconds()) {
			return Action.Promote.streamingError(this.node, read.lastIoSeconds());
		}
		String runId = change.runId();
		if (runId != null && !runId.equals(read.runId())) {
			return Action.Promote.restartedError(this.node, runId, read.runId());
		}
		return null;
	}

	/**
	 * What a role change reads before its block: the epoch of the configuration stored on
	 * the node (-1 when none), how many seconds ago its master link last carried
	 * something (-1 when not asked, or not streaming), and the node's run id (empty when
	 * not asked).
	 */
	private record GuardRead(long storedEpoch, long lastIoSeconds, String runId) {
	}

	/**
	 * {@code MULTI; REPLICAOF ...; CONFIG REWRITE; CLIENT KILL TYPE normal; CLIENT KILL TYPE
	 * pubsub; INFO; EXEC}: the INFO inside the block reports the node right after its
	 * change (a demoted master's final offset). CLIENT KILL skips the calling client, so
	 * this connection survives and delivers the reply; our subscription is killed and
	 * reopened by the next command. A managed master-side fence changes with the role, in
	 * the same block. A plain change is {@code MULTI; REPLICAOF ...; INFO; EXEC} with the
	 * fence set around it.
	 */
	private CompletableFuture<Reply> reconfigure(RedisAsyncCommands<String, String> redis, RoleChange change) {
		this.blocksWritten.incrementAndGet();
		boolean legacy = change.legacy();
		if (!change.complete() && change.fence().managed() && change.master() == null) {
			this.minReplicas.set(redis, change.fence(), legacy);
		}
		RedisFuture<String> begin = redis.multi();
		RedisFuture<String> role = change.complete() ? changeRole(redis, change)
				: changeRole(redis, change.master(), legacy);
		if (change.complete()) {
			warnIfNotRewritten(redis.configRewrite());
			redis.clientKill(KillArgs.Builder.typeNormal());
			redis.clientKill(KillArgs.Builder.typePubsub());
		}
		RedisFuture<String> info = redis.info();
		CompletableFuture<TransactionResult> exec = redis.exec().toCompletableFuture();
		return begin.toCompletableFuture().thenCompose((ok) -> exec).handle((result, failure) -> {
			if (failure == null && result.wasDiscarded()) {
				return CompletableFuture.completedFuture((Reply) new Reply.Failed("transaction discarded on "
						+ this.node + ": the group's configuration changed while the role change was checked"));
			}
			if (failure == null) {
				if (!change.complete() && change.fence().managed() && change.master() != null) {
					// A plain demotion clears the fence only once it ran: a master it
					// left as it was stays fenced.
					synchronized (this.dispatchLock) {
						this.minReplicas.clear(redis, legacy);
					}
				}
				return changedRole(role, info);
			}
			Throwable refused = refusal(role);
			if (refused != null) {
				// The role command itself was refused (unknown to the node, renamed): its
				// own error, not EXECABORT, tells the coordinator which command to send
				// instead.
				return CompletableFuture.<Reply>failedFuture(refused);
			}
			String abort = execAbort(failure);
			if (abort != null && change.complete()) {
				// CONFIG or CLIENT renamed, or not permitted to this user, aborts the
				// whole block: the role change alone still does the job; INFO right
				// behind it still sees it first.
				logger.warn("Redis node {} refused the MULTI block ({}): changing its role without CONFIG REWRITE "
						+ "and CLIENT KILL", this.node, abort);
				synchronized (this.dispatchLock) {
					return guardedReconfigure(redis, change.plain(), GUARD_ATTEMPTS);
				}
			}
			return CompletableFuture.<Reply>failedFuture(failure);
		}).thenCompose((reply) -> reply);
	}

	private void warnIfNotRewritten(RedisFuture<String> rewrite) {
		rewrite.whenComplete((ok, failure) -> {
			if (failure != null) {
				logger.debug("CONFIG REWRITE on {} failed (harmless without a config file): {}", this.node,
						failure.getMessage());
			}
		});
	}

	private CompletableFuture<Reply> changedRole(RedisFuture<String> change, RedisFuture<String> info) {
		return change.toCompletableFuture().thenCombine(info, (ok, text) -> this.readInfo.apply(text));
	}

	/**
	 * The role change with a managed master-side fence: set before a promotion and
	 * cleared after a demotion, so that outside a MULTI block too the node takes no write
	 * unfenced.
	 */
	private RedisFuture<String> changeRole(RedisAsyncCommands<String, String> redis, RoleChange change) {
		boolean legacy = change.legacy();
		MinReplicas fence = change.fence();
		if (fence.managed() && change.master() == null) {
			this.minReplicas.set(redis, fence, legacy);
		}
		RedisFuture<String> role = changeRole(redis, change.master(), legacy);
		if (fence.managed() && change.master() != null) {
			this.minReplicas.clear(redis, legacy);
		}
		return role;
	}

	/**
	 * {@code REPLICAOF}, or {@code SLAVEOF} when {@code legacy}; {@code NO ONE} when
	 * {@code master} is null.
	 */
	private RedisFuture<String> changeRole(RedisAsyncCommands<String, String> redis, @Nullable NodeAddress master,
			boolean legacy) {
		if (master == null) {
			return legacy ? redis.slaveofNoOne() : redis.replicaofNoOne();
		}
		return legacy ? redis.slaveof(master.host(), master.port()) : redis.replicaof(master.host(), master.port());
	}

	/**
	 * The error the node answered the role command itself with, when it refused to queue
	 * it; null when it was queued, or the block failed otherwise.
	 */
	private static @Nullable Throwable refusal(RedisFuture<String> role) {
		CompletableFuture<String> queued = role.toCompletableFuture();
		if (!queued.isCompletedExceptionally()) {
			return null;
		}
		try {
			queued.join();
			return null;
		}
		catch (RuntimeException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			return (cause instanceof RedisCommandExecutionException && execAbort(cause) == null) ? cause : null;
		}
	}

	/** The EXECABORT error in {@code failure}, or null when it is another failure. */
	private static @Nullable String execAbort(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (cause instanceof RedisCommandExecutionException
					&& String.valueOf(cause.getMessage()).startsWith("EXECABORT")) {
				return cause.getMessage();
			}
		}
		return null;
	}

}
