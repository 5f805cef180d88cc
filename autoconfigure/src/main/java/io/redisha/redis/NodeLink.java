package io.redisha.redis;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ConnectionFuture;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.redisha.protocol.Action;
import io.redisha.protocol.MinReplicas;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.Reply;
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

	/**
	 * How often a role change checks the stored epoch again when other blocks interleave.
	 */
	private static final int GUARD_ATTEMPTS = 3;

	private final NodeAddress node;

	/** The channel subscribed to; changed by {@link #listen(String)}. */
	private volatile String channel;

	private final Duration timeout;

	private final RedisClient client;

	private final RedisURI uri;

	private final Consumer<String> gossip;

	private final ProblemLog problems;

	private final Executor connector;

	private final Object dispatchLock = new Object();

	/**
	 * How many MULTI blocks were written on the command connection (guarded by the
	 * dispatch lock).
	 */
	private long blocksWritten;

	private @Nullable CompletableFuture<StatefulRedisConnection<String, String>> commands;

	private @Nullable CompletableFuture<StatefulRedisConnection<String, String>> publisher;

	private @Nullable CompletableFuture<StatefulRedisPubSubConnection<String, String>> subscription;

	private volatile String serverVersion = "";

	private final ConfigurationCommands configuration;

	private final MinReplicasCommands minReplicas;

	private final PermissionProbe permissionProbe;

	/**
	 * Whether the next INFO also probes the ACL: at first, after a reconnect, and while
	 * something was refused.
	 */
	private final AtomicBoolean probeDue = new AtomicBoolean(true);

	/**
	 * Why this node is refused (a Cluster node, a Sentinel), from its latest INFO; null
	 * for a Redis node.
	 */
	private volatile @Nullable String refusal;

	/**
	 * Whether the group's configuration hash was unreadable already (logged once per
	 * link).
	 */
	private volatile boolean configurationUnreadable;

	private volatile boolean closed;

	/**
	 * @param node the node, as the protocol knows it
	 * @param settings how to connect (the address may differ from {@code node}, e.g.
	 * behind NAT)
	 * @param resources the member's shared Lettuce resources
	 * @param channel the pub/sub channel to subscribe to first
	 * @param configurationKey the hash holding the group's configuration (read with INFO)
	 * @param minReplicas the group's master-side fence: when managed, writes to the
	 * configuration's hash pass it
	 * @param gossip receives each message published on the channel, on a Lettuce thread
	 */
	public NodeLink(NodeAddress node, LinkSettings settings, ClientResources resources, String channel,
			String configurationKey, MinReplicas minReplicas, Consumer<String> gossip) {
		this.node = node;
		this.channel = channel;
		this.configuration = new ConfigurationCommands(configurationKey);
		this.minReplicas = new MinReplicasCommands(node, minReplicas, this.dispatchLock, () -> this.blocksWritten++);
		this.permissionProbe = new PermissionProbe(configurationKey, channel);
		this.timeout = settings.timeout();
		this.gossip = gossip;
		this.uri = settings.uri();
		this.problems = new ProblemLog(node);
		this.connector = resources.eventExecutorGroup();
		this.client = RedisClient.create(resources, this.uri);
		ClientOptions.Builder options = ClientOptions.builder();
		if (settings.tls() != null) {
			options.sslOptions(settings.tls());
		}
		this.client.setOptions(options
			// A broken connection is opened again by the next command: commands never
			// queue
			// behind a dead node and no stale command is replayed after a reconnect.
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

	/** Whether the command connection is open now. */
	public boolean isConnected() {
		CompletableFuture<StatefulRedisConnection<String, String>> current = this.commands;
		return current != null && isOpen(current);
	}

	/** Whether the gossip subscription is open now. */
	public boolean isSubscribed() {
		CompletableFuture<StatefulRedisPubSubConnection<String, String>> current = this.subscription;
		return current != null && isOpen(current);
	}

	/**
	 * Sends a command; {@code onReply} is called exactly once, on any thread, with its
	 * outcome. Also (re)opens the gossip subscription when it is not open.
	 */
	public void execute(Action.NodeCommand command, Consumer<Reply> onReply) {
		AtomicBoolean answered = new AtomicBoolean();
		Consumer<Reply> once = (reply) -> {
			if (answered.compareAndSet(false, true)) {
				if (!this.closed) {
					// Commands cut short by our own close are no news worth a warning.
					this.problems.record(command, reply);
				}
				onReply.accept(reply);
			}
		};
		if (this.closed) {
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
			if (command instanceof Action.QueryInfo && this.probeDue.compareAndSet(true, false)) {
				probePermissions();
			}
			ensureSubscribed();
		}
		// Lettuce times out the connect and the command; this guard only backs them up
		// (the
		// first connect of a process also loads Netty and Lettuce, which may take a
		// second).
		long guardMillis = 2 * this.timeout.toMillis() + 1000;
		commandConnection().thenCompose((connection) -> dispatch(connection.async(), command))
			.orTimeout(guardMillis, TimeUnit.MILLISECONDS)
			.whenComplete((reply, failure) -> once
				.accept((failure != null) ? Failures.toReply(command, failure, this.timeout) : reply));
	}

	/** Opens both connections now instead of at the first command; returns at once. */
	public void connect() {
		if (!this.closed) {
			ensureSubscribed();
			commandConnection();
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
		if (this.closed || !isConnected() || this.refusal != null) {
			return CompletableFuture.completedFuture(null);
		}
		return publisherConnection()
			.thenCompose((connection) -> connection.async().publish(targetChannel, payload).toCompletableFuture())
			.handle((receivers, failure) -> {
				// A refusal (an ACL without the channel) is worth saying; a connection
				// lost is
				// already said by the commands.
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
			CompletableFuture<String> info = redis.info().toCompletableFuture();
			CompletableFuture<StoredConfiguration> stored = this.configuration.read(redis)
				.thenApply(StoredConfiguration::parse)
				.exceptionally(this::unreadableConfiguration);
			return info.thenCombine(stored, this::parseInfo);
		}
		if (command instanceof Action.StoreConfiguration store) {
			return this.minReplicas.passFence(redis, Replies.lacksReplicaof(this.serverVersion),
					() -> this.configuration.store(redis, store));
		}
		if (command instanceof Action.RecordDeparture departure) {
			return this.configuration.recordDeparture(redis, departure);
		}
		if (command instanceof Action.QueryRole) {
			return redis.role().toCompletableFuture().thenApply(Replies::role);
		}
		if (command instanceof Action.Promote promote) {
			return guardedReconfigure(redis, new RoleChange(promote.epoch(), null, promote.minReplicas(), true),
					GUARD_ATTEMPTS);
		}
		if (command instanceof Action.Replicate replicate) {
			return guardedReconfigure(redis,
					new RoleChange(replicate.epoch(), replicate.master(), replicate.minReplicas(), true),
					GUARD_ATTEMPTS);
		}
		if (command instanceof Action.FenceMaster fence) {
			return this.minReplicas.fenceMaster(redis, fence.minReplicas(), Replies.lacksReplicaof(this.serverVersion));
		}
		if (command instanceof Action.PauseWrites pause) {
			// Pipelined on this connection: INFO runs right after the pause, so its
			// offset is final.
			CompletableFuture<String> paused = client(redis, "PAUSE", Long.toString(pause.pauseMillis()), "WRITE");
			CompletableFuture<String> info = redis.info().toCompletableFuture();
			return paused.thenCombine(info, (ok, text) -> parseInfo(text, StoredConfiguration.NONE));
		}
		if (command instanceof Action.ResumeWrites) {
			return client(redis, "UNPAUSE").thenApply((ok) -> new Reply.Text(ok, false));
		}
		return CompletableFuture.completedFuture(new Reply.Failed("unknown command " + command));
	}

	/**
	 * A {@code CLIENT} subcommand Lettuce has no method for (the WRITE mode of PAUSE,
	 * UNPAUSE).
	 */
	private static CompletableFuture<String> client(RedisAsyncCommands<String, String> redis, String... args) {
		CommandArgs<String, String> arguments = new CommandArgs<>(StringCodec.UTF8);
		for (String arg : args) {
			arguments.add(arg);
		}
		return redis.dispatch(CommandType.CLIENT, new StatusOutput<>(StringCodec.UTF8), arguments)
			.toCompletableFuture();
	}

	/**
	 * A hash that cannot be read (no permission, another type, a value that does not
	 * parse) counts as none: this member then cannot found an electorate there, and says
	 * why once.
	 */
	private StoredConfiguration unreadableConfiguration(Throwable failure) {
		if (!this.configurationUnreadable) {
			this.configurationUnreadable = true;
			logger.warn("Redis node {}: the group's configuration hash cannot be read: {}", this.node,
					Failures.rootMessage(failure));
		}
		return StoredConfiguration.NONE;
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
	 * A role change, of the configuration of {@code epoch}: {@code master} null promotes.
	 * {@code complete} also rewrites the config file and cuts the node's clients, in the
	 * block.
	 */
	private record RoleChange(long epoch, @Nullable NodeAddress master, MinReplicas fence, boolean complete) {

		RoleChange plain() {
			return new RoleChange(this.epoch, this.master, this.fence, false);
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
	 * then the check is made again. Called with the dispatch lock held.
	 */
	private CompletableFuture<Reply> guardedReconfigure(RedisAsyncCommands<String, String> redis, RoleChange change,
			int attempts) {
		long blocksBefore = this.blocksWritten;
		return this.configuration.watchEpoch(redis).handle((storedEpoch, failure) -> {
			synchronized (this.dispatchLock) {
				if (failure != null) {
					// The read may still be on its way (a held connection): nothing more
					// goes out on
					// this connection, so no block can follow a WATCH that was never
					// checked.
					redis.getStatefulConnection().closeAsync();
					return CompletableFuture
						.completedFuture((Reply) new Reply.Failed("the configuration epoch of " + this.node
								+ " could not be read before the role change: " + Failures.rootMessage(failure)));
				}
				if (storedEpoch > change.epoch()) {
					// Its own UNWATCH ends any other role change's WATCH on this
					// connection too.
					this.blocksWritten++;
					redis.unwatch();
					return CompletableFuture.completedFuture((Reply) new Reply.Text(
							StoredConfiguration.newerEpochError(storedEpoch, change.epoch()), true));
				}
				if (this.blocksWritten != blocksBefore) {
					return (attempts > 1) ? guardedReconfigure(redis, change, attempts - 1)
							: CompletableFuture.completedFuture((Reply) new Reply.Failed(
									"other transactions kept interleaving with the role change on " + this.node));
				}
				return reconfigure(redis, change);
			}
		}).thenCompose((reply) -> reply);
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
		this.blocksWritten++;
		boolean legacy = Replies.lacksReplicaof(this.serverVersion);
		if (!change.complete() && change.fence().managed() && change.master() == null) {
			this.minReplicas.set(redis, change.fence(), legacy);
		}
		RedisFuture<String> begin = redis.multi();
		RedisFuture<String> role = change.complete() ? changeRole(redis, change.master(), change.fence())
				: changeRole(redis, change.master());
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
			String abort = execAbort(failure);
			if (abort != null && change.complete()) {
				// CONFIG or CLIENT renamed, or not permitted to this user, aborts the
				// whole block:
				// the role change alone still does the job; INFO right behind it still
				// sees it first.
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
		return change.toCompletableFuture().thenCombine(info, (ok, text) -> parseInfo(text, StoredConfiguration.NONE));
	}

	/**
	 * The role change with a managed master-side fence: set before a promotion and
	 * cleared after a demotion, so that outside a MULTI block too the node takes no write
	 * unfenced.
	 */
	private RedisFuture<String> changeRole(RedisAsyncCommands<String, String> redis, @Nullable NodeAddress master,
			MinReplicas fence) {
		boolean legacy = Replies.lacksReplicaof(this.serverVersion);
		if (fence.managed() && master == null) {
			this.minReplicas.set(redis, fence, legacy);
		}
		RedisFuture<String> change = changeRole(redis, master);
		if (fence.managed() && master != null) {
			this.minReplicas.clear(redis, legacy);
		}
		return change;
	}

	/**
	 * {@code REPLICAOF}, or {@code SLAVEOF} on servers before Redis 5; {@code NO ONE}
	 * when {@code master} is null.
	 */
	private RedisFuture<String> changeRole(RedisAsyncCommands<String, String> redis, @Nullable NodeAddress master) {
		boolean legacy = Replies.lacksReplicaof(this.serverVersion);
		if (master == null) {
			return legacy ? redis.slaveofNoOne() : redis.replicaofNoOne();
		}
		return legacy ? redis.slaveof(master.host(), master.port()) : redis.replicaof(master.host(), master.port());
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

	private synchronized CompletableFuture<StatefulRedisConnection<String, String>> commandConnection() {
		if (this.closed) {
			return CompletableFuture.failedFuture(new IllegalStateException("link to " + this.node + " is closed"));
		}
		if (this.commands == null || !isOpenOrOpening(this.commands)) {
			if (this.commands != null) {
				// A node that restarted may have another ACL.
				this.probeDue.set(true);
			}
			closeQuietly(this.commands);
			this.commands = offCallerThread(() -> this.client.connectAsync(StringCodec.UTF8, this.uri));
		}
		return this.commands;
	}

	/** Opened when first needed, and again after it broke. */
	private synchronized CompletableFuture<StatefulRedisConnection<String, String>> publisherConnection() {
		if (this.publisher == null || !isOpenOrOpening(this.publisher)) {
			closeQuietly(this.publisher);
			this.publisher = offCallerThread(() -> this.client.connectAsync(StringCodec.UTF8, this.uri));
		}
		return this.publisher;
	}

	/**
	 * Subscribes to {@code newChannel} instead: the subscription is closed and opened
	 * again on it at once (an observer that became a voter, or the reverse).
	 */
	public synchronized void listen(String newChannel) {
		if (newChannel.equals(this.channel)) {
			return;
		}
		this.channel = newChannel;
		CompletableFuture<StatefulRedisPubSubConnection<String, String>> old = this.subscription;
		this.subscription = null;
		if (old != null) {
			old.thenAccept(StatefulConnection::closeAsync);
			ensureSubscribed();
		}
	}

	/**
	 * Closes the connection messages are published on until the next message: an observer
	 * publishes rarely, and on its master only.
	 */
	public synchronized void releasePublisher() {
		CompletableFuture<StatefulRedisConnection<String, String>> old = this.publisher;
		this.publisher = null;
		if (old != null) {
			old.thenAccept(StatefulConnection::closeAsync);
		}
	}

	private synchronized void ensureSubscribed() {
		if (!this.closed && (this.subscription == null || !isOpenOrOpening(this.subscription))) {
			closeQuietly(this.subscription);
			this.subscription = offCallerThread(() -> this.client.connectPubSubAsync(StringCodec.UTF8, this.uri))
				.thenCompose(this::subscribe);
		}
	}

	/**
	 * Runs the {@link PermissionProbe} on a connection of its own, opened and closed for
	 * it (a {@code MULTI} block on the command connection would take in the commands of
	 * others), and records what the node's ACL refuses. Runs again at the next INFO when
	 * something was refused (to see it fixed) or the probe could not run.
	 */
	private void probePermissions() {
		offCallerThread(() -> this.client.connectAsync(StringCodec.UTF8, this.uri))
			.thenCompose((connection) -> this.permissionProbe.run(connection.async())
				.whenComplete((refusals, failure) -> connection.closeAsync()))
			.whenComplete((refusals, failure) -> {
				if (failure == null) {
					this.problems.permissions(refusals);
				}
				if (failure != null || !refusals.isEmpty()) {
					this.probeDue.set(true);
				}
			});
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
			StatefulRedisPubSubConnection<String, String> connection) {
		connection.addListener(new RedisPubSubAdapter<>() {

			@Override
			public void message(String from, String message) {
				NodeLink.this.gossip.accept(message);
			}

		});
		return connection.async().subscribe(this.channel).toCompletableFuture().handle((ok, failure) -> {
			if (failure != null) {
				connection.closeAsync();
				// Typically an ACL without this channel: the node answers, but no gossip
				// flows through it.
				String problem = "SUBSCRIBE " + this.channel + " on " + this.node + " refused: "
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
	public CompletableFuture<Void> closeAsync() {
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
