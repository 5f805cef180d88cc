package io.redisha.redis;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.resource.ClientResources;
import io.redisha.protocol.Action;
import io.redisha.protocol.MinReplicas;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ReplicationInfo.Role;
import io.redisha.protocol.Reply;
import io.redisha.protocol.RoleCommand;
import io.redisha.protocol.StoredConfiguration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member's connections to one Redis node: one for commands, one to publish gossip on
 * and one subscribed to the gossip channel. Connections are opened lazily and opened
 * again by the next command after they broke (a node that is down at start, restarted or
 * that killed our clients is simply tried again; a dropped subscription at once), so a
 * command to an unreachable node fails fast with the reason instead of queueing. Every
 * {@link Action.NodeCommand} is answered with exactly one {@link Reply}, also on timeout.
 * Commands are issued from one thread (the member's group thread); replies and gossip
 * arrive on Lettuce's threads.
 */
public final class NodeLink implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(NodeLink.class);

	private final NodeAddress node;

	private final Duration timeout;

	private final ProblemLog problems;

	private final NodeConnections connections;

	private final Object dispatchLock = new Object();

	/**
	 * How many MULTI blocks were written on the command connection (changed under the
	 * dispatch lock): each EXEC ends a role change's WATCH.
	 */
	private final AtomicLong blocksWritten = new AtomicLong();

	private volatile String serverVersion = "";

	private final ConfigurationCommands configuration;

	private final MinReplicasCommands minReplicas;

	private final RoleChanges roleChanges;

	private final PermissionProbe permissionProbe;

	/**
	 * Why this node is refused (a Cluster node, a Sentinel), from its latest INFO; null
	 * for a Redis node.
	 */
	private volatile @Nullable String refusal;

	/**
	 * @param node the node, as the protocol knows it
	 * @param settings how to connect (the address may differ from {@code node}, e.g.
	 * behind NAT)
	 * @param resources the member's shared Lettuce resources
	 * @param channel the pub/sub channel to subscribe to first
	 * @param seal seals the hash holding the group's configuration (read with INFO)
	 * @param minReplicas the group's master-side fence: when managed, writes to the
	 * configuration's hash pass it
	 * @param gossip receives each message published on the channel, on a Lettuce thread
	 */
	public NodeLink(NodeAddress node, LinkSettings settings, ClientResources resources, String channel,
			ConfigurationSeal seal, MinReplicas minReplicas, Consumer<String> gossip) {
		this.node = node;
		this.problems = new ProblemLog(node);
		this.configuration = new ConfigurationCommands(node, seal, this.problems, this.dispatchLock);
		this.minReplicas = new MinReplicasCommands(node, minReplicas, this.dispatchLock,
				this.blocksWritten::incrementAndGet);
		this.roleChanges = new RoleChanges(node, this.configuration, this.minReplicas, this.dispatchLock,
				this.blocksWritten, (text) -> parseInfo(text, StoredConfiguration.NONE));
		this.timeout = settings.timeout();
		this.permissionProbe = new PermissionProbe(seal.key(), channel, this.problems);
		// A node that restarted may have another ACL.
		this.connections = new NodeConnections(node, settings, resources, channel, gossip, this.problems,
				this.permissionProbe::runAgain);
	}

	/** The node this link talks to. */
	public NodeAddress node() {
		return this.node;
	}

	/**
	 * Why the node is not answering as it should (refused, timeout, authentication...),
	 * from the latest replies; null when it answers.
	 */
	public @Nullable String problem() {
		return this.problems.current();
	}

	/**
	 * What the group's configuration hash on this node holds that no gossip secret of
	 * this member sealed (see {@link ConfigurationSeal}), from the latest read; null when
	 * nothing.
	 */
	public @Nullable String untrustedConfiguration() {
		return this.problems.storedHash();
	}

	/** Whether the command connection is open now. */
	public boolean isConnected() {
		return this.connections.isConnected();
	}

	/** Whether the gossip subscription is open now. */
	public boolean isSubscribed() {
		return this.connections.isSubscribed();
	}

	/**
	 * Sends a command; {@code onReply} is called exactly once, on any thread, with its
	 * outcome. Also (re)opens the gossip subscription when it is not open.
	 */
	public void execute(Action.NodeCommand command, Consumer<Reply> onReply) {
		AtomicBoolean answered = new AtomicBoolean();
		Consumer<Reply> once = (reply) -> {
			if (answered.compareAndSet(false, true)) {
				if (!this.connections.isClosed()) {
					// Commands cut short by our own close are no news worth a warning.
					this.problems.record(command, reply);
				}
				onReply.accept(reply);
			}
		};
		if (this.connections.isClosed()) {
			once.accept(new Reply.Failed("link to " + this.node + " is closed"));
			return;
		}
		String refused = this.refusal;
		if (refused != null && !(command instanceof Action.QueryInfo)) {
			// Only INFO goes on, to see whether the node was started as a Redis node
			// again.
			once.accept(new Reply.Failed(refused));
			return;
		}
		if (refused == null) {
			if (command instanceof Action.QueryInfo) {
				this.permissionProbe.runIfDue(this.connections);
			}
			this.connections.ensureSubscribed();
		}
		// Lettuce times out the connect and the command; this guard only backs them up
		// (the first connect of a process also loads Netty and Lettuce, which may take a
		// second).
		long guardMillis = 2 * this.timeout.toMillis() + 1000;
		this.connections.commands()
			.thenCompose((connection) -> dispatch(connection.async(), command))
			.orTimeout(guardMillis, TimeUnit.MILLISECONDS)
			.whenComplete((reply, failure) -> once
				.accept((failure != null) ? Failures.toReply(command, failure, this.timeout) : reply));
	}

	/** Opens both connections now instead of at the first command; returns at once. */
	public void connect() {
		if (!this.connections.isClosed()) {
			this.connections.ensureSubscribed();
			this.connections.commands();
		}
	}

	/**
	 * Publishes on this node when the command connection is open (a closed one is not
	 * waited for: the message is simply not sent there). Messages go out on a connection
	 * of their own, opened at the first message: a master whose writes are paused (a
	 * switchover's {@code CLIENT PAUSE WRITE}) holds a PUBLISH back, and with it
	 * everything behind it on the same connection.
	 * @return completes when the node acknowledged the message or it failed; never fails
	 */
	public CompletableFuture<Void> publish(String targetChannel, String payload) {
		if (this.connections.isClosed() || !isConnected() || this.refusal != null) {
			return CompletableFuture.completedFuture(null);
		}
		return this.connections.publisher()
			.thenCompose((connection) -> connection.async().publish(targetChannel, payload).toCompletableFuture())
			.handle((receivers, failure) -> {
				// A refusal (an ACL without the channel) is worth saying; a connection
				// lost is already said by the commands.
				if (failure == null) {
					this.problems.gossip("PUBLISH", null);
				}
				else if (Failures.rootMessage(failure).startsWith("NOPERM")) {
					this.problems.gossip("PUBLISH", "PUBLISH " + targetChannel + " on " + this.node + " refused: "
							+ Failures.rootMessage(failure));
				}
				return null;
			});
	}

	/**
	 * Writes the command to the connection. Commands are written by the caller's thread,
	 * or by a Lettuce thread when the connection was still opening: the lock keeps a PING
	 * from slipping into the middle of a MULTI block.
	 */
	private CompletableFuture<Reply> dispatch(RedisAsyncCommands<String, String> redis, Action.NodeCommand command) {
		synchronized (this.dispatchLock) {
			return write(redis, command);
		}
	}

	private CompletableFuture<Reply> write(RedisAsyncCommands<String, String> redis, Action.NodeCommand command) {
		if (command instanceof Action.Ping) {
			return redis.ping().toCompletableFuture().thenApply((text) -> new Reply.Text(text, false));
		}
		if (command instanceof Action.QueryInfo) {
			// Pipelined: the stored configuration comes with the INFO, at no extra round
			// trip.
			CompletableFuture<String> info = info(redis);
			return info.thenCombine(this.configuration.read(redis), (text, read) -> {
				Reply reply = parseInfo(text, read.stored());
				if (read.resealFrom() != null && reply instanceof Reply.Info master
						&& master.info().role() == Role.MASTER) {
					reseal(redis, read.resealFrom());
				}
				return reply;
			});
		}
		if (command instanceof Action.StoreConfiguration store) {
			return this.configuration.store(redis, store, (eval) -> {
				synchronized (this.dispatchLock) {
					return this.minReplicas.passFence(redis, legacyFenceNames(), eval);
				}
			});
		}
		if (command instanceof Action.RecordDeparture departure) {
			return this.minReplicas.passFence(redis, legacyFenceNames(),
					() -> this.configuration.recordDeparture(redis, departure));
		}
		if (command instanceof Action.QueryRole) {
			return redis.role().toCompletableFuture().thenApply(Replies::role);
		}
		if (command instanceof Action.Promote promote) {
			return this.roleChanges.change(redis, promote.epoch(), null, promote.minReplicas(), promote.command(),
					promote.refuseStreamingSeconds(), promote.runId());
		}
		if (command instanceof Action.Replicate replicate) {
			return this.roleChanges.change(redis, replicate.epoch(), replicate.master(), replicate.minReplicas(),
					replicate.command(), -1, null);
		}
		if (command instanceof Action.FenceMaster fence) {
			return this.minReplicas.fenceMaster(redis, fence.minReplicas(), legacyFenceNames());
		}
		if (command instanceof Action.PauseWrites pause) {
			// Pipelined on this connection: INFO runs right after the pause, so its
			// offset is final.
			CompletableFuture<String> paused = client(redis, "PAUSE", Long.toString(pause.pauseMillis()), "WRITE");
			CompletableFuture<String> info = info(redis);
			return paused.thenCombine(info, (ok, text) -> parseInfo(text, StoredConfiguration.NONE));
		}
		if (command instanceof Action.DisconnectClients) {
			// This connection is skipped (SKIPME yes, the default): it delivers the
			// reply.
			return redis.clientKill(KillArgs.Builder.typeNormal())
				.toCompletableFuture()
				.thenApply((killed) -> new Reply.Text(Long.toString(killed), false));
		}
		if (command instanceof Action.ResumeWrites) {
			return client(redis, "UNPAUSE").thenApply((ok) -> new Reply.Text(ok, false));
		}
		return CompletableFuture.completedFuture(new Reply.Failed("unknown command " + command));
	}

	/**
	 * Whether the fence's settings go by their names of before Redis 5
	 * ({@code min-slaves-...}): the servers that take {@link RoleCommand#SLAVEOF}, by the
	 * version of the node's latest INFO.
	 */
	private boolean legacyFenceNames() {
		return RoleCommand.forVersion(this.serverVersion) == RoleCommand.SLAVEOF;
	}

	/**
	 * A {@code CLIENT} subcommand Lettuce has no method for (the WRITE mode of PAUSE,
	 * UNPAUSE).
	 */
	private static CompletableFuture<String> client(RedisAsyncCommands<String, String> redis, String... args) {
		return dispatch(redis, CommandType.CLIENT, args);
	}

	/**
	 * {@code INFO} of the sections this member reads (server, persistence, replication)
	 * from Redis 7 on, which takes several: the default sections (memory, CPU,
	 * statistics...) cost the node about three times as much. A node of unknown version
	 * gets the default sections; so does the next INFO after an error (an older server
	 * now at that address).
	 */
	private CompletableFuture<String> info(RedisAsyncCommands<String, String> redis) {
		if (!Replies.takesInfoSections(this.serverVersion)) {
			return redis.info().toCompletableFuture();
		}
		return dispatch(redis, CommandType.INFO, "server", "persistence", "replication")
			.whenComplete((text, failure) -> {
				if (failure instanceof RedisCommandExecutionException) {
					this.serverVersion = "";
				}
			});
	}

	private static CompletableFuture<String> dispatch(RedisAsyncCommands<String, String> redis, CommandType type,
			String... args) {
		CommandArgs<String, String> arguments = new CommandArgs<>(StringCodec.UTF8);
		for (String arg : args) {
			arguments.add(arg);
		}
		return redis.dispatch(type, new StatusOutput<>(StringCodec.UTF8), arguments).toCompletableFuture();
	}

	/**
	 * Seals the master's hash again for a rotation of the gossip secret; the next INFO
	 * tries again if this fails.
	 */
	private void reseal(RedisAsyncCommands<String, String> redis, Map<String, String> read) {
		synchronized (this.dispatchLock) {
			this.minReplicas.passFence(redis, legacyFenceNames(), () -> this.configuration.reseal(redis, read))
				.whenComplete((resealed, failure) -> logger.info("Redis node {}: configuration hash sealed again: {}",
						this.node, (failure != null) ? Failures.rootMessage(failure) : resealed));
		}
	}

	private Reply parseInfo(String text, StoredConfiguration stored) {
		String unsupported = Replies.unsupportedMode(this.node, text);
		if (unsupported != null || this.refusal != null) {
			if (unsupported != null && !unsupported.equals(this.refusal)) {
				logger.error("Redis node {} refused: {}", this.node, unsupported);
			}
			this.refusal = unsupported;
			if (unsupported != null) {
				return new Reply.Failed(unsupported);
			}
		}
		Reply reply = Replies.info(text, stored);
		if (reply instanceof Reply.Info info) {
			this.serverVersion = info.info().version();
		}
		return reply;
	}

	/**
	 * Subscribes to {@code newChannel} instead: the subscription is closed and opened
	 * again on it at once (an observer that became a voter, or the reverse); null closes
	 * it until another channel is named.
	 */
	public void listen(@Nullable String newChannel) {
		this.connections.listen(newChannel);
	}

	/**
	 * Closes the connection messages are published on until the next message: an observer
	 * publishes rarely, and on its master only.
	 */
	public void releasePublisher() {
		this.connections.releasePublisher();
	}

	/**
	 * Closes the connections and the client; commands still under way fail. Idempotent.
	 */
	public CompletableFuture<Void> closeAsync() {
		return this.connections.closeAsync();
	}

	/** Closes the connections and the client and waits until they are closed. */
	@Override
	public void close() {
		closeAsync().join();
	}

	@Override
	public String toString() {
		return "NodeLink[" + this.node + (isConnected() ? ", connected" : "") + (isSubscribed() ? ", subscribed" : "")
				+ "]";
	}

}
