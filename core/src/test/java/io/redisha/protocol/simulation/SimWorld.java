package io.redisha.protocol.simulation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.Action;
import io.redisha.protocol.CommandOutcome;
import io.redisha.protocol.Configuration;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.GroupCoordinator;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;
import io.redisha.protocol.Reply;
import io.redisha.protocol.StoredConfiguration;

/**
 * A deterministic world of simulated Redis nodes and members on a fake clock: everything
 * that happens is an event in one queue ordered by simulated time, drawn from one seeded
 * random source, so a seed replays exactly. Every 100 ms the nodes replicate, every
 * running member's client writes once to the master its member names (when it can reach
 * it and it takes writes), and every live member's protocol is ticked. Members reach
 * nodes only through the {@link SimNetwork}, and each other only through the nodes'
 * pub/sub. After every step the {@link InvariantChecker} has seen what the members did.
 */
final class SimWorld {

	/** The period of the members' timers and of the nodes' replication. */
	static final long TICK_MILLIS = GroupCoordinator.TICK_MILLIS;

	private static final long REPL_TIMEOUT_MILLIS = 60_000;

	/** The wall-clock time (ms since 1970) when the simulated clock reads 0. */
	private static final long WALL_CLOCK_AT_ZERO = 1_795_000_000_000L;

	/**
	 * How far a host's wall clock may be off unless set (NTP keeps real ones within a few
	 * ms).
	 */
	private static final long MAX_CLOCK_SKEW_MILLIS = 100;

	/** The largest client write, in bytes of replication stream. */
	private static final long MAX_WRITE_BYTES = 2000;

	private final long seed;

	private final GroupConfig config;

	private final long commandTimeout;

	private final ProtocolFactory protocols;

	private final RandomGenerator random;

	private final SimNetwork network;

	private final Trace trace = new Trace();

	private final InvariantChecker checker;

	private final PriorityQueue<Event> events = new PriorityQueue<>();

	private final Map<NodeAddress, SimNode> nodes = new LinkedHashMap<>();

	private final Map<NodeAddress, List<Runnable>> pausedNodeInbox = new HashMap<>();

	private final Map<String, SimMember> members = new LinkedHashMap<>();

	private final Map<String, Integer> incarnations = new HashMap<>();

	private final Map<String, Long> clockSkews = new HashMap<>();

	private final RandomGenerator skewRandom;

	private final RandomGenerator clients;

	/** Members to freeze right after they take an action that matches, with how long. */
	private final Map<String, Trigger> freezeTriggers = new HashMap<>();

	private final Map<String, Trigger> stopTriggers = new HashMap<>();

	private long now;

	private long sequence;

	private long steps;

	private long commandNumber;

	private BiConsumer<SimMember, Action> actionListener = (member, action) -> {
	};

	/** A scenario's change to the world just before a command runs on its node. */
	private Consumer<Action.NodeCommand> beforeExecution = (command) -> {
	};

	/** Commands a scenario has the network lose on their way to their node. */
	private Predicate<Action.NodeCommand> lostRequests = (command) -> false;

	/** Commands whose replies a scenario has the network lose once they ran. */
	private Predicate<Action.NodeCommand> lostReplies = (command) -> false;

	/**
	 * Gossip a scenario has the network lose on its way from a node to a member (the
	 * member, the payload).
	 */
	private BiPredicate<SimMember, String> lostGossip = (member, payload) -> false;

	SimWorld(long seed, GroupConfig config, long commandTimeout, ProtocolFactory protocols) {
		this(seed, config, commandTimeout, protocols, false);
	}

	private SimWorld(long seed, GroupConfig config, long commandTimeout, ProtocolFactory protocols, boolean instant) {
		this.seed = seed;
		this.config = config;
		this.commandTimeout = commandTimeout;
		this.protocols = protocols;
		this.random = new SplittableRandom(seed);
		this.skewRandom = new SplittableRandom(~seed);
		this.clients = new SplittableRandom(seed * 31 + 7);
		this.network = instant ? SimNetwork.instant(this.random) : new SimNetwork(this.random);
		this.checker = new InvariantChecker(this, config);
		schedule(TICK_MILLIS, this::tick);
	}

	/** A world whose members run the real {@link GroupCoordinator}. */
	static SimWorld withCoordinators(long seed, GroupConfig config, long commandTimeout) {
		return new SimWorld(seed, config, commandTimeout, (identity, now, wallClock, random) -> MemberProtocol
			.of(new GroupCoordinator(config, identity, now, random, wallClock)));
	}

	/**
	 * A world on an {@link SimNetwork#instant instant network}: every message arrives
	 * when it is sent, so a scenario unfolds tick by tick as it is written.
	 */
	static SimWorld instant(long seed, GroupConfig config, long commandTimeout, ProtocolFactory protocols) {
		return new SimWorld(seed, config, commandTimeout, protocols, true);
	}

	/** An {@link #instant} world whose members run the real coordinator. */
	static SimWorld instantWithCoordinators(long seed, GroupConfig config, long commandTimeout) {
		return instant(seed, config, commandTimeout, (identity, now, wallClock, random) -> MemberProtocol
			.of(new GroupCoordinator(config, identity, now, random, wallClock)));
	}

	// Set-up and faults

	SimNode addNode(NodeAddress address, int priority, NodeAddress master) {
		SimNode node = new SimNode(address, priority, master, this.now, this.random);
		node.manageFence(this.config.minReplicas());
		this.nodes.put(address, node);
		return node;
	}

	/** Starts a new incarnation in the slot (a new process: new id, no memory). */
	SimMember startMember(String slot) {
		SimMember current = this.members.get(slot);
		if (current != null && current.isAlive()) {
			throw new IllegalStateException(slot + " is still running as " + current);
		}
		int incarnation = this.incarnations.merge(slot, 1, Integer::sum);
		return start(slot, incarnation, new MemberIdentity(slot + "." + incarnation, "app-" + slot));
	}

	/**
	 * Starts a member in a new slot under an identity of the test's choosing (a scenario
	 * that names it in the messages it stages).
	 */
	SimMember startMember(String slot, MemberIdentity identity) {
		if (this.members.containsKey(slot)) {
			throw new IllegalStateException(slot + " was started before");
		}
		return start(slot, this.incarnations.merge(slot, 1, Integer::sum), identity);
	}

	private SimMember start(String slot, int incarnation, MemberIdentity identity) {
		RandomGenerator jitter = new SplittableRandom(this.seed * 1_000_003L + slot.hashCode() * 31L + incarnation);
		long wallClock = WALL_CLOCK_AT_ZERO + this.now + clockSkew(slot);
		SimMember member = new SimMember(slot, identity, this.protocols.create(identity, this.now, wallClock, jitter));
		this.members.put(slot, member);
		this.trace.add(this.now, slot, "started as " + identity.id() + " (wall clock " + wallClock + ")");
		this.checker.observeReach();
		return member;
	}

	/** How far the slot's host clock is off, in milliseconds. */
	private long clockSkew(String slot) {
		return this.clockSkews.computeIfAbsent(slot,
				(host) -> this.skewRandom.nextLong(-MAX_CLOCK_SKEW_MILLIS, MAX_CLOCK_SKEW_MILLIS + 1));
	}

	/**
	 * Sets how far the slot's host clock is off; its next start passes that wall clock as
	 * the initial epoch.
	 */
	void setClockSkew(String slot, long millis) {
		this.clockSkews.put(slot, millis);
	}

	/**
	 * Steps the slot's host clock back (an NTP correction): its next incarnation starts
	 * with an earlier wall clock.
	 */
	void stepClockBack(String slot, long millis) {
		this.clockSkews.put(slot, clockSkew(slot) - millis);
		this.trace.add(this.now, slot, "host clock stepped back " + millis + " ms");
	}

	/** Starts a new incarnation in the slot unless one is alive there. */
	void restartMember(String slot) {
		SimMember current = this.members.get(slot);
		if (current == null || !current.isAlive()) {
			startMember(slot);
		}
	}

	/** kill -9 of the application: nothing more is sent or received. */
	void crashMember(String slot) {
		SimMember member = this.members.get(slot);
		if (member != null && member.isAlive()) {
			member.end(SimMember.State.CRASHED);
			this.checker.memberEnded(member);
			this.trace.add(this.now, slot, "crashed");
			this.checker.observeReach();
		}
	}

	/** A graceful shutdown: the protocol says goodbye, then the process is gone. */
	void stopMember(String slot) {
		SimMember member = this.members.get(slot);
		if (member != null && member.state() == SimMember.State.RUNNING) {
			this.trace.add(this.now, slot, "stopping");
			handle(member, call(member, () -> member.protocol().stop(this.now)));
			member.end(SimMember.State.STOPPED);
			this.checker.memberEnded(member);
			this.checker.observeReach();
		}
	}

	/**
	 * What an operator does once most voters crashed for good: tells a live member that
	 * the voters nobody hears are dead, which the simulation knows to be true (a crashed
	 * incarnation never comes back). Nothing when a majority of the voters of the newest
	 * configuration a live member holds is alive.
	 */
	void replaceDeadVoters() {
		GroupSnapshot newest = null;
		for (SimMember member : this.members.values()) {
			GroupSnapshot snapshot = member.isAlive() ? member.protocol().snapshot(this.now) : null;
			if (snapshot != null && snapshot.electorate() != null
					&& (newest == null || snapshot.configEpoch() > newest.configEpoch()
							|| snapshot.configEpoch() == newest.configEpoch()
									&& snapshot.electorate().configVersion() > newest.electorate().configVersion())) {
				newest = snapshot;
			}
		}
		if (newest == null) {
			return;
		}
		Set<String> alive = new HashSet<>();
		this.members.values().stream().filter(SimMember::isAlive).forEach((member) -> alive.add(member.id()));
		List<String> voters = new ArrayList<>(newest.electorate().voters());
		voters.removeAll(newest.electorate().departed());
		long aliveVoters = voters.stream().filter(alive::contains).count();
		if (aliveVoters > voters.size() / 2) {
			return;
		}
		// The first live member; refused because the master it follows lost its data,
		// the operator tells one that follows another master, as the refusal says.
		NodeAddress emptied = null;
		for (SimMember member : this.members.values()) {
			Configuration held = member.isAlive() ? member.protocol().configuration() : null;
			if (!member.isAlive() || emptied != null && (held == null || emptied.equals(held.master()))) {
				continue;
			}
			this.trace.add(this.now, member.slot(), "operator: replace the dead voters " + voters);
			CommandOutcome outcome = operateForOutcome(member, (protocol) -> protocol.replaceVoters(this.now));
			if (outcome == null || outcome.status() != CommandOutcome.Status.REFUSED || held == null
					|| !outcome.message().contains("answers with none of the group's data")) {
				return;
			}
			this.trace.add(this.now, member.slot(), "operator: refused, " + outcome.message());
			emptied = held.master();
		}
	}

	/**
	 * An operator's command on a running member, carried out as {@link #operate} does;
	 * what became of it, null when the member does not run.
	 */
	private @Nullable CommandOutcome operateForOutcome(SimMember member,
			Function<MemberProtocol, CommandOutcome> command) {
		CommandOutcome[] outcome = new CommandOutcome[1];
		operate(member.slot(), (protocol) -> {
			outcome[0] = command.apply(protocol);
			return outcome[0].actions();
		});
		return outcome[0];
	}

	/**
	 * Freezes the member's process; its next tick after {@code millis} sees the clock
	 * jump.
	 */
	void pauseMember(String slot, long millis) {
		pauseMember(slot, millis, false);
	}

	/**
	 * Freezes the member's process for {@code millis}.
	 * @param holdOutgoing whether what it sent and has not arrived yet stays in its
	 * buffers until it wakes (commands decided just before the freeze reach their node
	 * only then)
	 */
	void pauseMember(String slot, long millis, boolean holdOutgoing) {
		SimMember member = this.members.get(slot);
		if (member != null && member.state() == SimMember.State.RUNNING) {
			member.pause(this.now, this.now + millis, holdOutgoing);
			this.trace.add(this.now, slot,
					"paused for " + millis + " ms" + (holdOutgoing ? ", what it sent held until it wakes" : ""));
		}
	}

	/**
	 * Freezes the member in the slot for {@code millis} right after its next action that
	 * matches, holding what it sends until it wakes: the action itself and the rest of
	 * what it decided at that moment.
	 */
	void freezeAfter(String slot, String what, Predicate<Action> action, long millis) {
		this.freezeTriggers.put(slot, new Trigger("freezes right after " + what, action,
				(member) -> pauseMember(member.slot(), millis, true)));
	}

	/**
	 * Stops the member in the slot gracefully right after its next action that matches,
	 * once what it decided at that moment is sent, and restarts it {@code downFor} later.
	 */
	void stopAfter(String slot, String what, Predicate<Action> action, long downFor) {
		this.stopTriggers.put(slot, new Trigger("stops right after " + what, action, (member) -> {
			at(this.now, "stop " + slot, (w) -> w.stopMember(slot));
			at(this.now + downFor, "restart " + slot, (w) -> w.restartMember(slot));
		}));
	}

	void killNode(NodeAddress address) {
		SimNode node = node(address);
		if (node.process() != SimNode.Process.DEAD) {
			node.kill(this.now);
			this.pausedNodeInbox.remove(address);
			this.trace.add(this.now, address.toString(), "killed");
			this.checker.observeReach();
		}
	}

	void pauseNode(NodeAddress address) {
		SimNode node = node(address);
		if (node.isRunning()) {
			node.pause(this.now);
			this.trace.add(this.now, address.toString(), "paused (SIGSTOP)");
			this.checker.observeReach();
		}
	}

	void resumeNode(NodeAddress address) {
		SimNode node = node(address);
		if (node.process() == SimNode.Process.PAUSED) {
			node.resume(this.now);
			this.trace.add(this.now, address.toString(), "resumed (SIGCONT)");
			this.checker.observeReach();
			List<Runnable> inbox = this.pausedNodeInbox.remove(address);
			if (inbox != null) {
				inbox.forEach(Runnable::run);
			}
		}
	}

	/** Restarts a dead node from its config file and data. */
	void restartNode(NodeAddress address) {
		restartNode(address, SimNode.Restart.FROM_DISK);
	}

	/**
	 * Restarts a dead node as {@code how} says. A master that replicas follow or clients
	 * write to comes back with its data even when asked to come back empty: Redis
	 * documents that a master without persistence must not restart by itself, since its
	 * replicas would resync to its empty data set.
	 */
	void restartNode(NodeAddress address, SimNode.Restart how) {
		SimNode node = node(address);
		if (node.process() != SimNode.Process.DEAD) {
			return;
		}
		// A node configured to replicate itself (demoted by a switchover) comes back as
		// the master it was (seed 23387).
		boolean configuredAsMaster = node.configuredMaster() == null || node.configuredMaster().equals(address);
		SimNode.Restart restart = (how == SimNode.Restart.EMPTY && configuredAsMaster && isDependedOn(node))
				? SimNode.Restart.FROM_DISK : how;
		restart(node, restart, (restart != how) ? " with its data (replicas or clients depend on it)" : "");
	}

	/**
	 * Restarts a dead node as an empty master even when replicas or clients depend on it:
	 * the misconfiguration Redis warns of, staged on purpose.
	 */
	/**
	 * Restarts a dead node from an RDB file saved at {@code savedOffset}, after loading
	 * it for {@code loadingMillis} (see {@link SimNode#restartFromRdbSavedAt}).
	 */
	void restartNodeFromRdbSavedAt(NodeAddress address, long savedOffset, long loadingMillis) {
		SimNode node = node(address);
		if (node.process() != SimNode.Process.DEAD) {
			return;
		}
		this.checker.beforeDataLoss(node);
		boolean lost = node.restartFromRdbSavedAt(this.now, loadingMillis, savedOffset);
		this.trace.add(this.now, address.toString(),
				"restarted" + (lost ? " from an RDB saved at " + savedOffset : "") + ": " + node);
		this.checker.observeReach();
	}

	void restartNodeEmptyAsMaster(NodeAddress address) {
		SimNode node = node(address);
		if (node.process() == SimNode.Process.DEAD) {
			restart(node, SimNode.Restart.EMPTY_STANDALONE_MASTER, "");
		}
	}

	private void restart(SimNode node, SimNode.Restart restart, String dependedOn) {
		if (restart.losesData()) {
			this.checker.beforeDataLoss(node);
		}
		node.restart(this.now, 200 + this.random.nextLong(1300), restart);
		String description = switch (restart) {
			case FROM_DISK -> dependedOn;
			case EMPTY -> " empty";
			case AS_STANDALONE_MASTER -> " as a standalone master";
			case EMPTY_STANDALONE_MASTER -> " empty as a standalone master";
		};
		this.trace.add(this.now, node.address().toString(), "restarted" + description + ": " + node);
		this.checker.observeReach();
	}

	/**
	 * Whether a replica follows the node (or will, from its config file), another node's
	 * data names it the group's master (members that restart follow it: seed 6839, where
	 * the master came back empty while its only replica had itself restarted standalone
	 * and every member was down), or a live member routes writes to it.
	 */
	private boolean isDependedOn(SimNode master) {
		for (SimNode node : this.nodes.values()) {
			if (master.address().equals(node.following()) || master.address().equals(node.configuredMaster())
					|| node != master && namesMaster(node.storedConfiguration(), master.address())) {
				return true;
			}
		}
		return this.members.values()
			.stream()
			.anyMatch((member) -> member.isAlive() && master.address().equals(member.route()));
	}

	private static boolean namesMaster(StoredConfiguration stored, NodeAddress master) {
		return stored.config() != null && master.equals(stored.config().master());
	}

	/**
	 * An operator's command on the member in the slot, if it runs; a refused command does
	 * nothing.
	 */
	void operate(String slot, Function<MemberProtocol, List<Action>> command) {
		SimMember member = this.members.get(slot);
		if (member != null && member.state() == SimMember.State.RUNNING) {
			handle(member, call(member, () -> command.apply(member.protocol())));
		}
	}

	/**
	 * Carries out what a scenario had the member's protocol decide outside the world
	 * (gossip it staged).
	 */
	void deliver(SimMember member, List<Action> actions) {
		handle(member, actions);
	}

	/**
	 * Lets a scenario react to what members do (after the checker has seen it). A member
	 * it crashes still sends the action, and nothing after it.
	 */
	void onAction(BiConsumer<SimMember, Action> listener) {
		this.actionListener = listener;
	}

	/** Lets a scenario change the world just before a command runs on its node. */
	void beforeExecution(Consumer<Action.NodeCommand> change) {
		this.beforeExecution = change;
	}

	/**
	 * Has the network lose the matching commands on their way: their senders time out.
	 */
	void loseRequests(Predicate<Action.NodeCommand> commands) {
		this.lostRequests = commands;
	}

	/**
	 * Has the network lose the replies of the matching commands once they ran: their
	 * senders time out.
	 */
	void loseReplies(Predicate<Action.NodeCommand> commands) {
		this.lostReplies = commands;
	}

	/** The matching gossip never reaches the member it was delivered to. */
	void loseGossip(BiPredicate<SimMember, String> gossip) {
		this.lostGossip = gossip;
	}

	/** Runs {@code fault} at simulated time {@code at}, noted in the trace. */
	void at(long at, String description, Consumer<SimWorld> fault) {
		schedule(at, () -> {
			this.trace.add(this.now, "fault", description);
			fault.accept(this);
			this.checker.observeReach();
		});
	}

	/** Cuts every link between the two sides, in the directions asked. */
	void partition(Collection<String> sideA, Collection<String> sideB, boolean aToB, boolean bToA) {
		for (String a : sideA) {
			for (String b : sideB) {
				if (aToB) {
					this.network.cut(a, b);
				}
				if (bToA) {
					this.network.cut(b, a);
				}
			}
		}
		this.trace.add(this.now, "network", this.network.toString());
		this.checker.observeReach();
	}

	/** Ends a {@link #partition} of the same sides and directions. */
	void unpartition(Collection<String> sideA, Collection<String> sideB, boolean aToB, boolean bToA) {
		for (String a : sideA) {
			for (String b : sideB) {
				if (aToB) {
					this.network.restore(a, b);
				}
				if (bToA) {
					this.network.restore(b, a);
				}
			}
		}
		this.trace.add(this.now, "network", this.network.toString());
		this.checker.observeReach();
	}

	/**
	 * Heals the network, resumes and restarts every node, and disarms the freezes still
	 * waiting for their member's next action: the world is quiet from here on (a member
	 * frozen already wakes as planned).
	 */
	void healNetworkAndNodes() {
		this.network.heal();
		this.freezeTriggers.clear();
		this.stopTriggers.clear();
		for (NodeAddress address : List.copyOf(this.nodes.keySet())) {
			resumeNode(address);
			restartNode(address);
		}
		this.trace.add(this.now, "network", "healed: " + this.network);
		this.checker.observeReach();
	}

	// Running

	void runFor(long millis) {
		runUntil(this.now + millis);
	}

	/**
	 * Runs tick by tick until the condition holds, for at most {@code withinMillis}.
	 * @return whether it holds
	 */
	boolean runUntil(BooleanSupplier condition, long withinMillis) {
		long end = this.now + withinMillis;
		while (this.now < end && !condition.getAsBoolean()) {
			runFor(TICK_MILLIS);
		}
		return condition.getAsBoolean();
	}

	void runUntil(long end) {
		this.checker.observeReach();
		while (!this.events.isEmpty() && this.events.peek().at() <= end) {
			Event event = this.events.poll();
			this.now = event.at();
			event.action().run();
			this.steps++;
		}
		this.now = end;
	}

	private void schedule(long at, Runnable action) {
		this.events.add(new Event(at, this.sequence++, action));
	}

	private void tick() {
		schedule(this.now + TICK_MILLIS, this::tick);
		this.checker.observeReach();
		advanceNodes();
		writeThroughRoutes();
		for (SimMember member : List.copyOf(this.members.values())) {
			if (member.state() == SimMember.State.RUNNING) {
				handle(member, call(member, () -> member.protocol().tick(this.now)));
			}
			else if (member.isDueToResume(this.now)) {
				long frozen = member.resume(this.now);
				this.trace.add(this.now, member.slot(), "resumed after " + frozen + " ms");
				handle(member, call(member, () -> member.protocol().tick(this.now)));
				this.checker.afterClockJump(member, frozen);
				member.takeBacklog().forEach(Runnable::run);
			}
		}
	}

	// Redis nodes

	private void advanceNodes() {
		Map<NodeAddress, Long> offsetsBefore = new HashMap<>();
		for (SimNode node : this.nodes.values()) {
			offsetsBefore.put(node.address(), node.offset());
		}
		for (SimNode node : this.nodes.values()) {
			if (!node.isRunning() || node.isLoading(this.now)) {
				continue;
			}
			if (node.isMaster()) {
				continue;
			}
			SimNode master = this.nodes.get(node.following());
			if (master == null || master == node || !nodesConnected(node, master)
					|| !master.isRunning() && !(master.process() == SimNode.Process.PAUSED
							&& this.now - master.processChangedAt() < REPL_TIMEOUT_MILLIS)) {
				node.dropLink(this.now);
			}
			else if (master.isRunning() && !master.isLoading(this.now)) {
				if (!node.linkUp() && !node.isSyncing()) {
					node.startSync(this.now, master);
				}
				node.progressSync(this.now, master, offsetsBefore.get(master.address()));
				if (node.linkUp()) {
					master.acknowledged(node.address(), this.now);
				}
			}
		}
	}

	/**
	 * Each running member's client writes once to the master its member names, when its
	 * member admits writes (the partition fence), the network lets it through both ways
	 * and the node takes writes: acknowledged at once.
	 */
	private void writeThroughRoutes() {
		for (SimMember member : this.members.values()) {
			SimNode node = (member.state() == SimMember.State.RUNNING && member.route() != null
					&& member.protocol().admitsWrites(this.now) && member.connectsToRoute(this.now))
							? this.nodes.get(member.route()) : null;
			if (node != null && node.isRunning() && !node.isLoading(this.now) && node.takesWrites(this.now)
					&& this.network.isUp(member.slot(), node.endpoint())
					&& this.network.isUp(node.endpoint(), member.slot())) {
				node.write(1 + this.clients.nextLong(MAX_WRITE_BYTES));
				this.checker.acknowledged(member, node);
			}
		}
	}

	private boolean nodesConnected(SimNode a, SimNode b) {
		return this.network.isUp(a.endpoint(), b.endpoint()) && this.network.isUp(b.endpoint(), a.endpoint());
	}

	private List<SimNode> connectedReplicas(SimNode master) {
		List<SimNode> replicas = new ArrayList<>();
		for (SimNode node : this.nodes.values()) {
			if (node.isRunning() && master.address().equals(node.following()) && (node.linkUp() || node.isSyncing())) {
				replicas.add(node);
			}
		}
		return replicas;
	}

	/**
	 * Runs work on the node now, or when it resumes if it is paused; never if it is dead.
	 */
	private void onNode(SimNode node, Runnable work) {
		if (node.isRunning()) {
			work.run();
		}
		else if (node.process() == SimNode.Process.PAUSED) {
			this.pausedNodeInbox.computeIfAbsent(node.address(), (address) -> new ArrayList<>()).add(work);
		}
	}

	// Commands

	private void sendCommand(SimMember member, Action.NodeCommand command) {
		long number = ++this.commandNumber;
		member.pending().put(number, command);
		schedule(this.now + this.commandTimeout, () -> {
			if (member.pending().remove(number) != null) {
				// in the runtime's words (Failures)
				answer(member, command,
						new Reply.Failed("no reply from " + command.node() + " within " + this.commandTimeout + " ms"));
			}
		});
		if (this.lostRequests.test(command)) {
			this.trace.add(this.now, member.id(), command + " lost on its way");
			return;
		}
		transmit(member, number, command);
	}

	private void transmit(SimMember member, long number, Action.NodeCommand command) {
		for (long at : this.network.deliveries(member.slot(), endpoint(command.node()), this.now, true)) {
			schedule(at, () -> arriveAtNode(member, number, command));
		}
	}

	private String endpoint(NodeAddress address) {
		SimNode node = this.nodes.get(address);
		return (node != null) ? node.endpoint() : address.toString();
	}

	private void arriveAtNode(SimMember member, long number, Action.NodeCommand command) {
		if (member.holdsOutgoing()) {
			member.defer(() -> transmit(member, number, command));
			return;
		}
		SimNode node = this.nodes.get(command.node());
		if (node == null || node.process() == SimNode.Process.DEAD) {
			sendReply(member, number, command, new Reply.Failed("connection refused"));
			return;
		}
		onNode(node, () -> {
			this.beforeExecution.accept(command);
			this.checker.beforeExecution(command, node);
			Reply reply;
			if (command instanceof Action.DisconnectClients) {
				reply = node.disconnectClients(() -> killNormalClients(node));
				this.trace.add(this.now, node.address().toString(), "executed " + command + " -> " + reply);
			}
			else {
				reply = node.execute(command, this.now, connectedReplicas(node));
			}
			if (command instanceof Action.Promote || command instanceof Action.Replicate) {
				if (reply instanceof Reply.Info) {
					// The block's CLIENT KILL TYPE normal.
					killNormalClients(node);
				}
				this.trace.add(this.now, node.address().toString(), "executed " + command + " -> " + node);
			}
			this.checker.afterExecution(command, node, reply);
			sendReply(member, number, command, reply);
		});
	}

	/**
	 * {@code CLIENT KILL TYPE normal} on the node: the members' clients connected to it
	 * are cut, and write again a tick later, through their route then; returns how many
	 * were cut.
	 */
	private int killNormalClients(SimNode node) {
		int killed = 0;
		for (SimMember member : this.members.values()) {
			if (member.cutConnection(node.address(), this.now + TICK_MILLIS)) {
				killed++;
			}
		}
		return killed;
	}

	private void sendReply(SimMember member, long number, Action.NodeCommand command, Reply reply) {
		if (this.lostReplies.test(command)) {
			this.trace.add(this.now, member.id(), "reply to " + command + " lost on its way");
			return;
		}
		for (long at : this.network.deliveries(endpoint(command.node()), member.slot(), this.now, true)) {
			schedule(at, () -> {
				if (member.pending().remove(number) != null) {
					answer(member, command, reply);
				}
			});
		}
	}

	private void answer(SimMember member, Action.NodeCommand command, Reply reply) {
		deliver(member, () -> {
			if (command instanceof Action.Ping || command instanceof Action.QueryInfo) {
				this.trace.traffic(this.now, member.id(), "<- reply ", List.of(command, reply));
			}
			else {
				this.trace.add(this.now, member.id(), "<- " + command + ": " + reply);
			}
			handle(member, call(member, () -> member.protocol().onReply(this.now, command, reply)));
		});
	}

	// Pub/sub

	private void sendPublish(SimMember member, NodeAddress address, String channel, String payload) {
		SimNode node = this.nodes.get(address);
		if (node == null) {
			return;
		}
		for (long at : this.network.deliveries(member.slot(), node.endpoint(), this.now, false)) {
			schedule(at, () -> {
				if (member.holdsOutgoing()) {
					member.defer(() -> sendPublish(member, address, channel, payload));
				}
				else {
					long arrived = this.now;
					onNode(node, () -> publish(node, channel, payload, arrived));
				}
			});
		}
	}

	/**
	 * {@code PUBLISH} executed on a node: its own subscribers get the message, and so do
	 * its replicas' subscribers, since Redis replicates PUBLISH down the replication
	 * stream.
	 */
	void publish(SimNode node, String channel, String payload) {
		publish(node, channel, payload, this.now);
	}

	/**
	 * {@code PUBLISH} that reached the node at {@code arrived} and is executed now: later
	 * when the node was paused (SIGSTOP) meanwhile. Redis executes it before it accepts a
	 * connection made while it was paused, so a member that subscribed after it arrived
	 * does not get it.
	 */
	private void publish(SimNode node, String channel, String payload, long arrived) {
		for (SimMember member : this.members.values()) {
			if (member.isAlive() && member.monitored().contains(node.address()) && channel.equals(member.listening())
					&& member.subscribedAt(node.address()) <= arrived) {
				deliverGossip(node, member, payload);
			}
		}
		for (SimNode replica : this.nodes.values()) {
			if (node.address().equals(replica.following()) && replica.linkUp() && nodesConnected(node, replica)) {
				long at = this.now + this.network.streamDelay();
				schedule(at, () -> onNode(replica, () -> publish(replica, channel, payload, at)));
			}
		}
	}

	private void deliverGossip(SimNode node, SimMember member, String payload) {
		if (this.lostGossip.test(member, payload)) {
			return;
		}
		for (long at : this.network.deliveries(node.endpoint(), member.slot(), this.now, false)) {
			schedule(at, () -> deliver(member, () -> {
				this.trace.traffic(this.now, member.id(), "<- gossip ", List.of(node.address(), payload));
				handle(member, call(member, () -> member.protocol().onGossip(this.now, node.address(), payload)));
			}));
		}
	}

	// Members

	/** Runs work on a member now, later if it is frozen, never if it is gone. */
	private void deliver(SimMember member, Runnable work) {
		if (member.state() == SimMember.State.RUNNING) {
			work.run();
		}
		else if (member.state() == SimMember.State.PAUSED) {
			member.defer(work);
		}
	}

	private List<Action> call(SimMember member, Supplier<List<Action>> protocolCall) {
		try {
			return protocolCall.get();
		}
		catch (RuntimeException ex) {
			throw failure(member + "'s protocol threw " + ex, ex);
		}
	}

	private void handle(SimMember member, List<Action> actions) {
		for (Action action : actions) {
			if (action instanceof Action.Ping || action instanceof Action.QueryInfo || action instanceof Action.Publish
					|| action instanceof Action.PublishOn) {
				this.trace.traffic(this.now, member.id(), "", action);
			}
			else {
				this.trace.add(this.now, member.id(), action);
			}
			this.checker.onAction(member, action);
			this.actionListener.accept(member, action);
			if (action instanceof Action.Emit emit && emit.event().type() == ProtocolEvent.Type.SWITCH_MASTER) {
				member.route(emit.event().master());
			}
			else if (action instanceof Action.Reannounce reannounce
					&& !Objects.equals(reannounce.event().master(), member.route())) {
				throw failure(member + " announces again a switch to " + reannounce.event().master()
						+ " while its clients write to " + member.route(), null);
			}
			else if (action instanceof Action.Monitor monitor) {
				member.monitor(monitor.node(), this.now);
			}
			else if (action instanceof Action.Unmonitor unmonitor) {
				member.unmonitor(unmonitor.node());
			}
			else if (action instanceof Action.Publish publish) {
				for (NodeAddress node : member.monitored()) {
					sendPublish(member, node, publish.channel(), publish.payload());
				}
			}
			else if (action instanceof Action.PublishOn publish) {
				if (member.monitored().contains(publish.node())) {
					sendPublish(member, publish.node(), publish.channel(), publish.payload());
				}
			}
			else if (action instanceof Action.Listen listen) {
				member.listen(listen.channel());
			}
			else if (action instanceof Action.NodeCommand command) {
				sendCommand(member, command);
			}
			if (member.state() == SimMember.State.CRASHED) {
				// killed by a scenario as it took the action
				return;
			}
			reactIfTriggered(this.freezeTriggers, member, action);
			reactIfTriggered(this.stopTriggers, member, action);
		}
	}

	private void reactIfTriggered(Map<String, Trigger> triggers, SimMember member, Action action) {
		Trigger trigger = triggers.isEmpty() ? null : triggers.get(member.slot());
		if (trigger != null && member.state() == SimMember.State.RUNNING && trigger.action().test(action)) {
			triggers.remove(member.slot());
			this.trace.add(this.now, member.slot(), trigger.what());
			trigger.reaction().accept(member);
		}
	}

	// Views

	long now() {
		return this.now;
	}

	long steps() {
		return this.steps;
	}

	SimNetwork network() {
		return this.network;
	}

	InvariantChecker checker() {
		return this.checker;
	}

	SimNode node(NodeAddress address) {
		SimNode node = this.nodes.get(address);
		if (node == null) {
			throw new IllegalArgumentException("no node " + address);
		}
		return node;
	}

	Collection<SimNode> nodes() {
		return this.nodes.values();
	}

	/** The running nodes whose role is master, in the order they were added. */
	List<SimNode> masters() {
		return this.nodes.values().stream().filter((node) -> node.isRunning() && node.isMaster()).toList();
	}

	SimMember member(String slot) {
		return this.members.get(slot);
	}

	/** The current incarnation of every slot, alive or not. */
	Collection<SimMember> members() {
		return this.members.values();
	}

	GroupSnapshot snapshot(String slot) {
		SimMember member = this.members.get(slot);
		return member.protocol().snapshot(this.now);
	}

	/** A failure naming the seed, this step and the recent trace. */
	SimulationFailure failure(String problem, Throwable cause) {
		return new SimulationFailure(this.seed, this.checker.checksWrites(), this.steps, this.now, problem,
				this.trace.dump(), cause);
	}

	/**
	 * How a member's protocol is made: the real coordinator, or a stand-in in the
	 * harness's tests.
	 */
	@FunctionalInterface
	interface ProtocolFactory {

		/**
		 * @param now the monotonic clock shared by the world
		 * @param wallClock the host's wall clock, which the runtime passes as the initial
		 * epoch
		 * @param random the member's own source of jitter
		 */
		MemberProtocol create(MemberIdentity identity, long now, long wallClock, RandomGenerator random);

	}

	/** What a member does right after its next action that matches. */
	private record Trigger(String what, Predicate<Action> action, Consumer<SimMember> reaction) {
	}

	/**
	 * Something due at a simulated time; simultaneous events run in the order they were
	 * scheduled.
	 */
	private record Event(long at, long sequence, Runnable action) implements Comparable<Event> {

		@Override
		public int compareTo(Event other) {
			return (this.at != other.at) ? Long.compare(this.at, other.at)
					: Long.compare(this.sequence, other.sequence);
		}

	}

}
