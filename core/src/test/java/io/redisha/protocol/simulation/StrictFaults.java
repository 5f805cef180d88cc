package io.redisha.protocol.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import io.redisha.protocol.Action;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;

/**
 * The harsher faults of strict mode, each family drawn from a random stream of its own so
 * that a seed keeps the faults of the other families: nodes restarted without their data
 * or as standalone masters, cuts longer than the member expiry, a member restarted inside
 * a minority partition, operators forgetting members and pausing failover, members frozen
 * with the commands they just decided still in their buffers, host clocks stepped back
 * before a restart, members stopped gracefully right after they voted, and replicas
 * restarted from an RDB file saved before their last writes.
 */
final class StrictFaults {

	private static final long EMPTY_RESTARTS = 0xE3B7L;

	private static final long STANDALONE_RESTARTS = 0x5A1DL;

	private static final long LONG_CUTS = 0x10C7L;

	private static final long MINORITY_RESTARTS = 0x3E57L;

	private static final long MEMBERSHIP_OPERATORS = 0x0FEDL;

	private static final long DELAYED_COMMANDS = 0xDE1AL;

	private static final long CLOCK_STEPS = 0xC10CL;

	private static final long STOPS_AFTER_VOTING = 0x5707L;

	private static final long OLDER_RDB_RESTARTS = 0x0DB5L;

	private final long seed;

	private final int memberCount;

	private final List<NodeAddress> addresses;

	private final long memberExpiryMillis;

	private final Sink sink;

	private boolean pausesFailover;

	/**
	 * @param memberExpiryMillis how long a silent member still counts as a voter: cuts
	 * are drawn longer than that when it is short
	 * @param sink where each fault goes, with its time and description
	 */
	StrictFaults(long seed, int memberCount, List<NodeAddress> addresses, long memberExpiryMillis, Sink sink) {
		this.seed = seed;
		this.memberCount = memberCount;
		this.addresses = addresses;
		this.memberExpiryMillis = memberExpiryMillis;
		this.sink = sink;
	}

	/** Draws every family. */
	void draw() {
		emptyRestarts(stream(EMPTY_RESTARTS));
		standaloneRestarts(stream(STANDALONE_RESTARTS));
		longCuts(stream(LONG_CUTS));
		minorityRestarts(stream(MINORITY_RESTARTS));
		membershipOperators(stream(MEMBERSHIP_OPERATORS));
		delayedCommands(stream(DELAYED_COMMANDS));
		clockSteps(stream(CLOCK_STEPS));
		stopsAfterVoting(stream(STOPS_AFTER_VOTING));
		olderRdbRestarts(stream(OLDER_RDB_RESTARTS));
	}

	/**
	 * Whether an operator paused automatic failover in this schedule (someone must resume
	 * it before the end).
	 */
	boolean pausesFailover() {
		return this.pausesFailover;
	}

	private SplittableRandom stream(long family) {
		return new SplittableRandom(this.seed ^ (family << 20));
	}

	/** Node restarts without persistence: no data, offset 0, a new replication id. */
	private void emptyRestarts(SplittableRandom random) {
		for (int i = random.nextInt(3); i > 0; i--) {
			long at = faultTime(random);
			long downFor = 1000 + random.nextLong(14_000);
			boolean master = random.nextBoolean();
			NodeAddress node = anyNode(random);
			this.sink.add(at, "kill " + (master ? "the master" : node) + " for " + downFor + " ms, restart it empty",
					(w) -> {
						NodeAddress target = master
								? w.masters().stream().findFirst().map(SimNode::address).orElse(node) : node;
						w.killNode(target);
						w.at(w.now() + downFor, "restart " + target + " empty",
								(later) -> later.restartNode(target, SimNode.Restart.EMPTY));
					});
		}
	}

	/**
	 * Replicas killed and restarted from an RDB file saved up to 100 kB of replication
	 * stream before they died (a node that comes back as a master keeps its data).
	 */
	private void olderRdbRestarts(SplittableRandom random) {
		for (int i = random.nextInt(3); i > 0; i--) {
			long at = faultTime(random);
			long downFor = random.nextLong(5_000);
			long loadingMillis = random.nextLong(1_500);
			long lostBytes = random.nextLong(100_000);
			NodeAddress node = anyNode(random);
			this.sink.add(at,
					"kill " + node + " for " + downFor + " ms, restart it from an RDB file " + lostBytes + " bytes old",
					(w) -> {
						long savedOffset = w.node(node).offset() - lostBytes;
						w.killNode(node);
						w.at(w.now() + downFor, "restart " + node + " from its RDB file",
								(later) -> later.restartNodeFromRdbSavedAt(node, savedOffset, loadingMillis));
					});
		}
	}

	/**
	 * Node restarts whose config file lost its role: a standalone master with the data it
	 * had.
	 */
	private void standaloneRestarts(SplittableRandom random) {
		for (int i = random.nextInt(2); i > 0; i--) {
			long at = faultTime(random);
			long downFor = 1000 + random.nextLong(9_000);
			NodeAddress node = anyNode(random);
			this.sink.add(at, "kill " + node + " for " + downFor + " ms", (w) -> w.killNode(node));
			this.sink.add(at + downFor, "restart " + node + " as a standalone master (CONFIG REWRITE had failed)",
					(w) -> w.restartNode(node, SimNode.Restart.AS_STANDALONE_MASTER));
		}
	}

	/**
	 * A minority of members cut off with some nodes, for longer than the member expiry
	 * when it is short.
	 */
	private void longCuts(SplittableRandom random) {
		boolean shortExpiry = this.memberExpiryMillis < RandomSchedule.FAULT_PHASE_MILLIS;
		for (int i = shortExpiry ? 1 + random.nextInt(2) : random.nextInt(2); i > 0; i--) {
			long at = faultTime(random);
			long cutFor = (shortExpiry ? this.memberExpiryMillis : 4000) + 1000 + random.nextLong(10_000);
			Sides sides = minorityWithSomeNodes(random);
			this.sink.add(at, "cut " + sides.minority() + " | " + sides.majority() + " for " + cutFor + " ms", (w) -> {
				w.partition(sides.minority(), sides.majority(), true, true);
				w.at(w.now() + cutFor, "end cut of " + sides.minority(),
						(later) -> later.unpartition(sides.minority(), sides.majority(), true, true));
			});
		}
	}

	/**
	 * A member of a minority partition crashes and restarts inside it: it knows only the
	 * members it can hear.
	 */
	private void minorityRestarts(SplittableRandom random) {
		for (int i = random.nextInt(2); i > 0; i--) {
			long at = faultTime(random);
			long cutFor = 8000 + random.nextLong(12_000);
			long crashAfter = 1000 + random.nextLong(4000);
			long downFor = 100 + random.nextLong(1900);
			Sides sides = minorityWithSomeNodes(random);
			String slot = sides.minority().get(0);
			this.sink.add(at, "cut " + sides.minority() + " | " + sides.majority() + " for " + cutFor + " ms, " + slot
					+ " restarted inside", (w) -> {
						w.partition(sides.minority(), sides.majority(), true, true);
						w.at(w.now() + crashAfter, "crash " + slot + " inside the cut",
								(later) -> later.crashMember(slot));
						w.at(w.now() + crashAfter + downFor, "restart " + slot + " inside the cut",
								(later) -> later.restartMember(slot));
						w.at(w.now() + cutFor, "end cut of " + sides.minority(),
								(later) -> later.unpartition(sides.minority(), sides.majority(), true, true));
					});
		}
	}

	/**
	 * Operators forgetting a member (alive or not) and pausing automatic failover for a
	 * while.
	 */
	private void membershipOperators(SplittableRandom random) {
		for (int i = random.nextInt(4); i > 0; i--) {
			long at = faultTime(random);
			String asked = anyMember(random);
			if (random.nextBoolean()) {
				String forgotten = anyMember(random);
				this.sink.add(at, "operator: " + asked + " forgets " + forgotten + "'s current incarnation",
						(w) -> w.operate(asked, (p) -> p.forgetMember(w.now(), w.member(forgotten).id())));
			}
			else {
				long pausedFor = 2000 + random.nextLong(13_000);
				String resumer = anyMember(random);
				this.pausesFailover = true;
				this.sink.add(at, "operator: pause automatic failover on " + asked,
						(w) -> w.operate(asked, (p) -> p.pause(w.now())));
				this.sink.add(at + pausedFor, "operator: resume automatic failover on " + resumer,
						(w) -> w.operate(resumer, (p) -> p.resume(w.now())));
			}
		}
	}

	/**
	 * A member frozen right after deciding, what it sent still in its buffers: it reaches
	 * the nodes when it wakes.
	 */
	private void delayedCommands(SplittableRandom random) {
		for (int i = random.nextInt(3); i > 0; i--) {
			long at = faultTime(random);
			String slot = anyMember(random);
			long frozenFor = 500 + random.nextLong(5500);
			boolean failoverCommand = random.nextBoolean();
			String what = failoverCommand ? "its next promotion, demotion or pause" : "its next action";
			this.sink.add(at, "freeze " + slot + " for " + frozenFor + " ms right after " + what, (w) -> w
				.freezeAfter(slot, what, failoverCommand ? StrictFaults::changesRoles : (action) -> true, frozenFor));
		}
	}

	/**
	 * Up to half of the members stopped gracefully (a rolling deploy) right after each
	 * voted for a leader or was elected: their votes may be all that elected a leader the
	 * others do not know of.
	 */
	private void stopsAfterVoting(SplittableRandom random) {
		for (int i = random.nextInt(3); i > 0; i--) {
			long at = faultTime(random);
			int count = 1 + random.nextInt(Math.max(1, this.memberCount / 2));
			int first = random.nextInt(this.memberCount);
			for (int j = 0; j < count; j++) {
				String slot = "m" + (1 + (first + j) % this.memberCount);
				long downFor = 100 + random.nextLong(5000);
				this.sink.add(at, "stop " + slot + " right after its next vote or election, for " + downFor + " ms",
						(w) -> w.stopAfter(slot, "its next vote or election", StrictFaults::votesOrWins, downFor));
			}
		}
	}

	private static boolean votesOrWins(Action action) {
		return action instanceof Action.Emit emit && (emit.event().type() == ProtocolEvent.Type.VOTE_FOR_LEADER
				|| emit.event().type() == ProtocolEvent.Type.ELECTED_LEADER);
	}

	private static boolean changesRoles(Action action) {
		return action instanceof Action.Promote || action instanceof Action.Replicate
				|| action instanceof Action.PauseWrites;
	}

	/**
	 * A host's clock stepped back (an NTP correction), then its member restarted with
	 * that wall clock.
	 */
	private void clockSteps(SplittableRandom random) {
		for (int i = random.nextInt(3); i > 0; i--) {
			long at = faultTime(random);
			String slot = anyMember(random);
			long step = 1000 + random.nextLong(29_000);
			long downFor = 100 + random.nextLong(2900);
			this.sink.add(at, "step " + slot + "'s clock back " + step + " ms and crash it", (w) -> {
				w.stepClockBack(slot, step);
				w.crashMember(slot);
			});
			this.sink.add(at + downFor, "restart " + slot, (w) -> w.restartMember(slot));
		}
	}

	/**
	 * Up to half of the members (at least one) and each node with even odds on one side;
	 * the rest on the other.
	 */
	private Sides minorityWithSomeNodes(SplittableRandom random) {
		int size = 1 + random.nextInt(Math.max(1, (this.memberCount - 1) / 2));
		int first = random.nextInt(this.memberCount);
		List<String> minority = new ArrayList<>();
		List<String> majority = new ArrayList<>();
		for (int i = 0; i < this.memberCount; i++) {
			String slot = "m" + (1 + (first + i) % this.memberCount);
			(i < size ? minority : majority).add(slot);
		}
		for (NodeAddress node : this.addresses) {
			(random.nextBoolean() ? minority : majority).add(node.toString());
		}
		return new Sides(minority, majority);
	}

	private static long faultTime(SplittableRandom random) {
		return RandomSchedule.WARM_UP_MILLIS + random.nextLong(RandomSchedule.FAULT_PHASE_MILLIS);
	}

	private String anyMember(SplittableRandom random) {
		return "m" + (1 + random.nextInt(this.memberCount));
	}

	private NodeAddress anyNode(SplittableRandom random) {
		return this.addresses.get(random.nextInt(this.addresses.size()));
	}

	/** Where the faults go. */
	@FunctionalInterface
	interface Sink {

		void add(long at, String description, Consumer<SimWorld> fault);

	}

	/** Two sides of a partition; the minority's members come first. */
	private record Sides(List<String> minority, List<String> majority) {
	}

}
