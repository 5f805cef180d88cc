package io.redisha.protocol.simulation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.Configuration;
import io.redisha.protocol.Action;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.GroupCoordinator;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.MinReplicas;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;
import io.redisha.protocol.RoleCommand;

/**
 * The deterministic tests' hands on a {@link SimWorld#instant instant world}: Redis nodes
 * and members of the real {@link GroupCoordinator}, each member under a configuration of
 * its own, and a record of what every member did. The world's invariant checker holds the
 * group to the configuration the cluster was made with.
 */
public final class SimCluster {

	/** How often the members tick and the nodes replicate. */
	private static final long TICK = SimWorld.TICK_MILLIS;

	/** How long a member waits for a command's reply (as the runtime does by default). */
	private static final long COMMAND_TIMEOUT_MILLIS = 1000;

	private final SimWorld world;

	private final Map<String, GroupConfig> configs = new HashMap<>();

	/** The members whose epochs start at their host's wall clock, as the runtime's do. */
	private final Set<String> onWallClock = new HashSet<>();

	private final Map<String, GroupCoordinator> coordinators = new HashMap<>();

	private final Map<SimMember, Member> bySimMember = new HashMap<>();

	/** The members in the order they were started. */
	public final List<Member> members = new ArrayList<>();

	private Predicate<Action> crashAt = (action) -> false;

	public SimCluster(GroupConfig config) {
		// Epochs start at 0, not at the wall clock: the tests stage messages of small
		// epochs.
		this.world = SimWorld.instant(42, config, COMMAND_TIMEOUT_MILLIS, (identity, now, wallClock, random) -> {
			GroupConfig memberConfig = this.configs.get(identity.id());
			GroupCoordinator coordinator = this.onWallClock.contains(identity.id())
					? new GroupCoordinator(memberConfig, identity, now, random, wallClock)
					: new GroupCoordinator(memberConfig, identity, now, random);
			this.coordinators.put(identity.id(), coordinator);
			return MemberProtocol.of(coordinator);
		});
		this.world.onAction((member, action) -> {
			this.bySimMember.get(member).record(action);
			if (this.crashAt.test(action)) {
				this.world.crashMember(member.slot());
			}
		});
	}

	/** The group "orders" on these seeds: down-after 1 s, failover timeout 10 s. */
	public static GroupConfig config(int quorum, String... seeds) {
		return new GroupConfig("orders", List.of(seeds).stream().map(NodeAddress::parse).toList(), quorum,
				Duration.ofSeconds(1), Duration.ofSeconds(10), 1, GroupConfig.Timing.defaults());
	}

	/** A running master, with replica-priority 100. */
	public Node master(String address) {
		return new Node(this.world.addNode(NodeAddress.parse(address), 100, null));
	}

	/** A running replica of the master, in sync with it from the start. */
	public Node replica(String address, Node master) {
		SimNode replica = this.world.addNode(NodeAddress.parse(address), 100, master.address());
		replica.inSyncWith(master.node, now());
		return new Node(replica);
	}

	public Node node(NodeAddress address) {
		return new Node(this.world.node(address));
	}

	/** A member whose id is {@code id}. */
	public Member member(String id, GroupConfig config) {
		return member(new MemberIdentity(id, "app-" + id), config);
	}

	public Member member(MemberIdentity identity, GroupConfig config) {
		this.configs.put(identity.id(), config);
		SimMember started = this.world.startMember(identity.id(), identity);
		Member member = new Member(identity.id(), this.world);
		this.bySimMember.put(started, member);
		this.members.add(member);
		return member;
	}

	/**
	 * A member whose epochs start at its host's wall clock, as the runtime's do: later
	 * than any a test's members reached.
	 */
	public Member memberOnWallClock(MemberIdentity identity, GroupConfig config) {
		this.onWallClock.add(identity.id());
		return member(identity, config);
	}

	public long now() {
		return this.world.now();
	}

	/** Advances the clock; every member ticks once per tick. */
	public void run(long millis) {
		this.world.runFor(millis);
	}

	/**
	 * Runs until the condition holds, at most {@code millis}; returns whether it held.
	 */
	public boolean runUntil(long millis, Predicate<SimCluster> condition) {
		long end = now() + millis;
		while (now() < end) {
			if (condition.test(this)) {
				return true;
			}
			run(TICK);
		}
		return condition.test(this);
	}

	/** A graceful shutdown: the member's goodbye arrives at once. */
	public void stop(Member member) {
		this.world.stopMember(member.slot);
		run(0);
	}

	/** kill -9 of the member's process. */
	public void crash(Member member) {
		this.world.crashMember(member.slot);
	}

	/**
	 * A member crashes as it takes a matching action: the action still goes out, nothing
	 * it decided after it does.
	 */
	public void crashAt(Predicate<Action> action) {
		this.crashAt = action;
	}

	/** Changes the world just before a command runs on its node (a write slipping in). */
	public void beforeCommand(Consumer<Action.NodeCommand> change) {
		this.world.beforeExecution(change);
	}

	/** The matching commands never reach their node: their senders time out. */
	public void loseRequests(Predicate<Action.NodeCommand> commands) {
		this.world.loseRequests(commands);
	}

	/** The matching commands run, but their replies are lost: their senders time out. */
	public void loseReplies(Predicate<Action.NodeCommand> commands) {
		this.world.loseReplies(commands);
	}

	/** Carries out what the test had the member's coordinator decide. */
	public void deliver(Member member, List<Action> actions) {
		this.world.deliver(member.simMember(), actions);
		run(0);
	}

	/** One member: its coordinator and what it did. */
	public final class Member {

		private final String slot;

		private final SimWorld world;

		public final GroupCoordinator coordinator;

		/** Every action it took, in order. */
		public final List<Action> actions = new ArrayList<>();

		/** Every event it emitted, in order. */
		public final List<ProtocolEvent> events = new ArrayList<>();

		private Member(String slot, SimWorld world) {
			this.slot = slot;
			this.world = world;
			this.coordinator = SimCluster.this.coordinators.get(slot);
		}

		private SimMember simMember() {
			return this.world.member(this.slot);
		}

		private void record(Action action) {
			this.actions.add(action);
			if (action instanceof Action.Emit emit) {
				this.events.add(emit.event());
			}
		}

		/** Its member id, as its own snapshot shows it. */
		public String id() {
			return this.coordinator.snapshot(SimCluster.this.now())
				.members()
				.stream()
				.filter(GroupSnapshot.MemberSnapshot::self)
				.findFirst()
				.orElseThrow()
				.id();
		}

		/** Neither crashed nor stopped, nor frozen. */
		public boolean running() {
			return simMember().state() == SimMember.State.RUNNING;
		}

		/** The channel it is subscribed to (see {@link Action.Listen}). */
		public String listening() {
			return simMember().listening();
		}

		/**
		 * Freezes its process for {@code millis} (a long GC pause): no ticks, and what
		 * arrives meanwhile waits in its buffers.
		 */
		public void pause(long millis) {
			this.world.pauseMember(this.slot, millis);
		}

		/**
		 * Freezes its process for {@code millis} right after its next action that
		 * matches, holding what it sent until it wakes: that action reaches its node only
		 * then.
		 */
		public void freezeAfter(Predicate<Action> action, long millis) {
			this.world.freezeAfter(this.slot, "its next matching action", action, millis);
		}

		/** Cuts the network between the member and these nodes, both ways. */
		public void cutOffFrom(String... nodes) {
			for (String node : nodes) {
				this.world.network().cutBoth(this.slot, node);
			}
		}

		/** Ends a cut of {@link #cutOffFrom}: the network between them works again. */
		public void reconnectTo(String... nodes) {
			for (String node : nodes) {
				this.world.network().restore(this.slot, node);
				this.world.network().restore(node, this.slot);
			}
		}

		public List<ProtocolEvent> events(ProtocolEvent.Type type) {
			return this.events.stream().filter((event) -> event.type() == type).toList();
		}

		public <T extends Action> List<T> actions(Class<T> type) {
			return this.actions.stream().filter(type::isInstance).map(type::cast).toList();
		}

	}

	/** One Redis node. */
	public final class Node {

		private final SimNode node;

		private Node(SimNode node) {
			this.node = node;
		}

		public NodeAddress address() {
			return this.node.address();
		}

		/** The master it replicates; null for a master. */
		public NodeAddress following() {
			return this.node.following();
		}

		public String runId() {
			return this.node.runId();
		}

		/** Its replication offset. */
		public long offset() {
			return this.node.offset();
		}

		/** The group's configuration held in its data; null when none. */
		public @Nullable Configuration storedConfiguration() {
			return this.node.storedConfiguration().config();
		}

		/** Its clients' writes wait ({@code CLIENT PAUSE WRITE}). */
		public boolean writesPaused() {
			return this.node.writesPaused(now());
		}

		/**
		 * Its link to its master stays up but the stream stops: it falls behind the
		 * writes that follow.
		 */
		public void stallStream() {
			this.node.stallStream(true);
		}

		/** Its stream flows again: it catches up at the next tick. */
		public void resumeStream() {
			this.node.stallStream(false);
		}

		/** kill -9. */
		public void kill() {
			SimCluster.this.world.killNode(address());
		}

		/** SIGSTOP: it answers nothing until resumed, with its data and links intact. */
		public void pause() {
			SimCluster.this.world.pauseNode(address());
		}

		/** SIGCONT after {@link #pause}. */
		public void resume() {
			SimCluster.this.world.resumeNode(address());
		}

		/** Starts again from its config file and data, after loading them. */
		public void restart() {
			SimCluster.this.world.restartNode(address());
		}

		/**
		 * Its process starts again without persistence nor config file: an empty master,
		 * whatever depends on it.
		 */
		public void restartEmpty() {
			SimCluster.this.world.killNode(address());
			SimCluster.this.world.restartNodeEmptyAsMaster(address());
		}

		/**
		 * kill -9, then it starts again at once from an RDB file saved when its offset
		 * was {@code savedOffset}: a new process (run id), in the same history, without
		 * what came after.
		 */
		public void restartFromRdbSavedAt(long savedOffset) {
			SimCluster.this.world.killNode(address());
			SimCluster.this.world.restartNodeFromRdbSavedAt(address(), savedOffset, 0);
		}

		/** A client's write of that many bytes to this master. */
		public void write(long bytes) {
			this.node.write(bytes);
		}

		/** Cuts the network between the two nodes, both ways: replication stops. */
		public void cutOffFrom(Node other) {
			SimCluster.this.world.network().cutBoth(this.node.endpoint(), other.node.endpoint());
		}

		/** Ends a cut of {@link #cutOffFrom}: replication may flow again. */
		public void reconnectTo(Node other) {
			SimCluster.this.world.network().restore(this.node.endpoint(), other.node.endpoint());
			SimCluster.this.world.network().restore(other.node.endpoint(), this.node.endpoint());
		}

		/**
		 * {@code REPLICAOF NO ONE}, sent by a leader of the epoch that the members do not
		 * know of.
		 */
		public void promote(long epoch) {
			this.node.promote(now(), epoch);
		}

		/**
		 * {@code REPLICAOF} the master, sent by someone else than the members (an
		 * operator).
		 */
		public void follow(Node master) {
			this.node.replicate(master.address(), now());
		}

		/** {@code min-replicas-to-write} and {@code min-replicas-max-lag} now. */
		public MinReplicas minReplicas() {
			return this.node.fence();
		}

		/**
		 * {@code CONFIG SET} of its fence by hand (or as an older config file has it).
		 */
		public void setMinReplicas(MinReplicas minReplicas) {
			this.node.setFence(minReplicas);
		}

		/** Its ACL user may not run {@code CONFIG}. */
		public void refuseConfig() {
			this.node.refuseConfig();
		}

		/** How many times the members had its normal clients disconnected. */
		public int clientsDisconnected() {
			return this.node.clientsDisconnected();
		}

		/** Its ACL user may not run {@code CLIENT KILL}. */
		public void refuseClientKill() {
			this.node.refuseClientKill();
		}

		/** {@code CONFIG SET replica-priority}: 0 is never promoted. */
		public void setPriority(int priority) {
			this.node.setPriority(priority);
		}

		/** The server version its INFO reports: before 5, it knows SLAVEOF alone. */
		public void setVersion(String version) {
			this.node.setVersion(version);
		}

		/** It loads its data set ({@code LOADING}) until told otherwise. */
		public void setLoading(boolean loading) {
			this.node.setLoading(loading);
		}

		/** It answers {@code REPLICAOF NO ONE} but stays a replica, or takes it again. */
		public void ignorePromotion(boolean ignores) {
			this.node.ignorePromotion(ignores);
		}

		/** Its ACL user may not run {@code CLIENT PAUSE}. */
		public void refusePause() {
			this.node.refusePause();
		}

		/** {@code rename-command} in its config file hides the role command. */
		public void renameAway(RoleCommand command) {
			this.node.renameAway(command);
		}

		@Override
		public String toString() {
			return this.node.toString();
		}

	}

}
