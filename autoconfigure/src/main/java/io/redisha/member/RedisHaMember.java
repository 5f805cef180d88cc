package io.redisha.member;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import io.redisha.protocol.CommandOutcome;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.GroupCoordinator;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;
import io.redisha.redis.LinkResources;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This application instance as a member of its redis-ha groups: for each group it drives
 * one {@link io.redisha.protocol.GroupCoordinator} from a single thread, feeding it
 * ticks, node replies and gossip, and carries out its actions over Lettuce connections of
 * its own.
 */
public final class RedisHaMember implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RedisHaMember.class);

	private enum State {

		NEW, RUNNING, STOPPED

	}

	private final MemberIdentity identity;

	private final List<GroupSettings> groups;

	private final UnaryOperator<NodeAddress> connectVia;

	private final MemberListeners listeners = new MemberListeners();

	private final Map<String, GroupLoop> loops = new LinkedHashMap<>();

	private final WriteCounts refusedWrites;

	private final WriteCounts unconfirmedWrites;

	private final long originNanos = System.nanoTime();

	private final long originEpochMillis = System.currentTimeMillis();

	/**
	 * Lettuce threads shared with other members of this process, or null: the member
	 * brings its own.
	 */
	private final @Nullable LinkResources sharedResources;

	private @Nullable LinkResources resources;

	private volatile State state = State.NEW;

	public RedisHaMember(MemberIdentity identity, List<GroupSettings> groups) {
		this(identity, groups, UnaryOperator.identity());
	}

	/**
	 * A member that connects to each node through another address, e.g. behind NAT or, in
	 * tests, through a proxy that can cut this member off.
	 * @param connectVia maps a node's address, as the nodes announce it, to the address
	 * to connect to
	 */
	public RedisHaMember(MemberIdentity identity, List<GroupSettings> groups, UnaryOperator<NodeAddress> connectVia) {
		this(identity, groups, connectVia, null);
	}

	/**
	 * A member whose links use Lettuce threads it does not own (the application
	 * context's, or those of many members in one process: a benchmark, a test), which it
	 * leaves running when it stops.
	 * @param sharedResources the shared threads; null for threads of its own
	 */
	public RedisHaMember(MemberIdentity identity, List<GroupSettings> groups, UnaryOperator<NodeAddress> connectVia,
			@Nullable LinkResources sharedResources) {
		this.sharedResources = sharedResources;
		this.identity = identity;
		this.groups = List.copyOf(groups);
		this.connectVia = connectVia;
		for (GroupSettings group : this.groups) {
			if (this.loops.containsKey(group.config().name())) {
				throw new IllegalArgumentException("group '" + group.config().name() + "' is configured twice");
			}
			this.loops.put(group.config().name(), null);
		}
		this.refusedWrites = new WriteCounts(this.loops.keySet());
		this.unconfirmedWrites = new WriteCounts(this.loops.keySet());
	}

	/** Connects to the seeds and starts ticking; returns at once. */
	public synchronized void start() {
		if (this.state != State.NEW) {
			throw new IllegalStateException("member " + this.identity.id() + " was already started");
		}
		this.resources = (this.sharedResources != null) ? this.sharedResources
				: new LinkResources("redis-ha-" + this.identity.id());
		this.state = State.RUNNING;
		try {
			for (GroupSettings group : this.groups) {
				GroupLoop loop = new GroupLoop(group, this.identity, this.resources.clientResources(), this.connectVia,
						this::now, () -> toEpochMillis(now()), this.listeners::publish, this.listeners::reannounce,
						this.listeners.activity());
				this.loops.put(group.config().name(), loop);
				loop.start(this.originEpochMillis);
			}
		}
		catch (RuntimeException ex) {
			// A group the coordinator refuses: leave nothing running behind.
			stop();
			throw ex;
		}
		logger.info("redis-ha member {} ({}) started for groups {}", this.identity.id(), this.identity.application(),
				this.loops.keySet());
	}

	/** Says goodbye on every group, then closes every connection. Idempotent. */
	public synchronized void stop() {
		if (this.state != State.RUNNING) {
			this.state = State.STOPPED;
			return;
		}
		this.state = State.STOPPED;
		for (GroupLoop loop : this.loops.values()) {
			if (loop != null) {
				loop.stop();
			}
		}
		if (this.resources != null && this.resources != this.sharedResources
				&& !this.resources.close(Duration.ofSeconds(2))) {
			logger.warn("Lettuce threads of redis-ha member {} did not stop within 2 s", this.identity.id());
		}
		logger.info("redis-ha member {} stopped", this.identity.id());
	}

	public boolean isRunning() {
		return this.state == State.RUNNING;
	}

	public MemberIdentity identity() {
		return this.identity;
	}

	/**
	 * The address this member connects to for a node known by {@code node}: the node's
	 * own unless the member was given a {@code connectVia}. The application's connections
	 * to the group go the same way (behind NAT, or through a test's proxies).
	 */
	public NodeAddress connectAddress(NodeAddress node) {
		return this.connectVia.apply(node);
	}

	/** The names of this member's groups, in configuration order. */
	public List<String> groupNames() {
		return List.copyOf(this.loops.keySet());
	}

	/** Every group's picture, by group name in configuration order. */
	public Map<String, GroupSnapshot> snapshots() {
		Map<String, GroupSnapshot> snapshots = new LinkedHashMap<>();
		this.loops.forEach((name, loop) -> {
			GroupSnapshot snapshot = (loop != null) ? loop.snapshot() : null;
			if (snapshot != null) {
				snapshots.put(name, snapshot);
			}
		});
		return Collections.unmodifiableMap(snapshots);
	}

	/** One group's configuration, or null when there is no such group. */
	public @Nullable GroupConfig config(String group) {
		return this.groups.stream()
			.map(GroupSettings::config)
			.filter((config) -> config.name().equals(group))
			.findFirst()
			.orElse(null);
	}

	/**
	 * One group's picture, or null when there is no such group (or it has not started).
	 */
	public @Nullable GroupSnapshot snapshot(String group) {
		GroupLoop loop = this.loops.get(group);
		return (loop != null) ? loop.snapshot() : null;
	}

	/**
	 * The nodes of a group this member cannot use, with the reason (connection refused,
	 * no reply in time, authentication failed...); empty when every node answers or there
	 * is no such group. Passwords never appear in the reasons.
	 */
	public Map<NodeAddress, String> connectionProblems(String group) {
		GroupLoop loop = this.loops.get(group);
		return (loop != null) ? Collections.unmodifiableMap(loop.problems()) : Map.of();
	}

	/**
	 * Publishes a message on a channel of every reachable node of the group, as hellos
	 * are (e.g. a notification in Sentinel's format); returns at once. Nothing is
	 * published for an unknown or stopped group.
	 */
	public void publish(String group, String channel, String payload) {
		GroupLoop loop = this.loops.get(group);
		if (loop != null) {
			loop.publish(channel, payload);
		}
	}

	/** Converts a time of the coordinators' monotonic clock to epoch milliseconds. */
	public long toEpochMillis(long monotonicMillis) {
		return this.originEpochMillis + monotonicMillis;
	}

	/** Called on the group's thread for every protocol event; must not block. */
	public void addEventListener(Consumer<ProtocolEvent> listener) {
		this.listeners.addEventListener(listener);
	}

	/**
	 * Called on the group's thread when the group asks for the notifications of an event
	 * already emitted to be published again
	 * ({@link io.redisha.protocol.Action.Reannounce}: a switch of master, for the
	 * subscribers its failover disconnected). Must not block.
	 */
	public void addReannouncementListener(Consumer<ProtocolEvent> listener) {
		this.listeners.addReannouncementListener(listener);
	}

	/**
	 * Called on the group's thread for every protocol event, before every listener of
	 * {@link #addEventListener}, whichever was added first: for what moves the
	 * application's connections, so that they have moved by the time anything else
	 * (Spring events, notifications) reports the event. Must not block.
	 */
	public void addRoutingListener(Consumer<ProtocolEvent> listener) {
		this.listeners.addRoutingListener(listener);
	}

	/**
	 * What became of an operator command.
	 *
	 * @param outcome done, started, or refused and why
	 * @param finished for a started failover or switchover, completes with its record
	 * when it ends (succeeded or aborted); null otherwise
	 */
	public record CommandResult(CommandOutcome outcome, @Nullable CompletableFuture<FailoverSnapshot> finished) {
	}

	/**
	 * Pauses automatic failover in the whole group (spread by gossip); see
	 * {@link GroupCoordinator#pause(long)}.
	 */
	public CommandResult pause(String group, Duration timeout) {
		return command(group, timeout, (coordinator, now) -> coordinator.pause(now));
	}

	/** Resumes automatic failover in the whole group, whoever paused it. */
	public CommandResult resume(String group, Duration timeout) {
		return command(group, timeout, (coordinator, now) -> coordinator.resume(now));
	}

	/** Drops a dead member at once. */
	public CommandResult forgetMember(String group, String memberId, Duration timeout) {
		return command(group, timeout, (coordinator, now) -> coordinator.forgetMember(now, memberId));
	}

	/**
	 * An operator's word that the silent voters are dead; see
	 * {@link GroupCoordinator#replaceVoters(long)}.
	 */
	public CommandResult replaceVoters(String group, Duration timeout) {
		return command(group, timeout, (coordinator, now) -> coordinator.replaceVoters(now));
	}

	/** Stops monitoring a removed node at once. */
	public CommandResult forgetNode(String group, NodeAddress node, Duration timeout) {
		return command(group, timeout, (coordinator, now) -> coordinator.forgetNode(now, node));
	}

	/**
	 * Forces a failover, like {@code SENTINEL FAILOVER}; see
	 * {@link GroupCoordinator#requestFailover(long)}.
	 */
	public CommandResult failover(String group, Duration timeout) {
		return command(group, timeout, (coordinator, now) -> coordinator.requestFailover(now));
	}

	/**
	 * A planned change of master losing no acknowledged write; see
	 * {@link GroupCoordinator#requestSwitchover(long, NodeAddress, long)}.
	 * @param target the replica to promote, or null for the best one
	 * @param catchUp how long the master may wait for the target to catch up
	 */
	public CommandResult switchover(String group, @Nullable NodeAddress target, Duration catchUp, Duration timeout) {
		return command(group, timeout,
				(coordinator, now) -> coordinator.requestSwitchover(now, target, catchUp.toMillis()));
	}

	/**
	 * Runs a command on the group's thread and waits for its outcome.
	 * @throws IllegalArgumentException when there is no such group
	 * @throws IllegalStateException when the member is not running or the group's thread
	 * did not answer within the timeout
	 */
	private CommandResult command(String group, Duration timeout, GroupLoop.Command command) {
		if (!this.loops.containsKey(group)) {
			throw new IllegalArgumentException("no group '" + group + "'");
		}
		GroupLoop loop = this.loops.get(group);
		if (loop == null || this.state != State.RUNNING) {
			throw new IllegalStateException("member " + this.identity.id() + " is not running");
		}
		return loop.command(command, timeout);
	}

	/**
	 * Told of PINGs, gossip traffic and recorded failovers, from the member's threads;
	 * must not block.
	 */
	public void addActivityListener(MemberActivityListener listener) {
		this.listeners.addActivityListener(listener);
	}

	/**
	 * Whether the application may write to the group's master right now: false while this
	 * member is fenced (see {@link io.redisha.protocol.PartitionMode}) or knows no
	 * snapshot of the group yet. Cheap enough for every write: one volatile read and the
	 * clock.
	 */
	public boolean admitsWrites(String group) {
		return writableSnapshot(group) != null;
	}

	/**
	 * The member's snapshot of the group while it admits writes ({@link #admitsWrites});
	 * null otherwise. Cheap enough for every write and every write's reply.
	 */
	public @Nullable GroupSnapshot writableSnapshot(String group) {
		GroupSnapshot snapshot = snapshot(group);
		return (snapshot != null && snapshot.admitsWrites(now())) ? snapshot : null;
	}

	/**
	 * Counts one application write the partition fence refused; called on the
	 * connections' threads.
	 */
	public void countRefusedWrite(String group) {
		this.refusedWrites.count(group);
	}

	/**
	 * How many application writes the partition fence refused in the group since this
	 * member was created.
	 */
	public long refusedWrites(String group) {
		return this.refusedWrites.total(group);
	}

	/**
	 * Counts one application write whose reply came after this member stopped admitting
	 * writes to the master it was sent to; called on the connections' threads.
	 */
	public void countUnconfirmedWrite(String group) {
		this.unconfirmedWrites.count(group);
	}

	/**
	 * How many application writes failed as unconfirmed in the group since this member
	 * was created: their reply came after it stopped admitting writes to their master.
	 */
	public long unconfirmedWrites(String group) {
		return this.unconfirmedWrites.total(group);
	}

	/**
	 * The coordinators' clock: milliseconds since this member was created, never going
	 * backwards.
	 */
	long now() {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.originNanos);
	}

	@Override
	public void close() {
		stop();
	}

	@Override
	public String toString() {
		return "RedisHaMember[" + this.identity + ", groups=" + this.loops.keySet() + ", state=" + this.state + "]";
	}

}
