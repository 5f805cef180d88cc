package io.redisha.protocol.simulation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.MinReplicas;
import io.redisha.protocol.NodeAddress;

/**
 * One random simulated history drawn from a seed: a group (members, quorum, nodes and
 * their priorities), a warm-up, a phase of overlapping faults, then everything healed and
 * a long quiet phase at whose end the world must have converged. In strict mode
 * ({@code -Dredisha.simulation.strict=true}) the group is drawn wider (2 to 7 members,
 * any quorum, sometimes a short member expiry, host clocks seconds apart), the
 * {@link StrictFaults} are added, and the acknowledged writes are checked too.
 */
final class RandomSchedule {

	/** Whether schedules are strict unless asked otherwise. */
	static final boolean STRICT = Boolean.getBoolean("redisha.simulation.strict");

	static final long WARM_UP_MILLIS = 5_000;

	static final long FAULT_PHASE_MILLIS = 30_000;

	static final long QUIET_MILLIS = 60_000;

	/**
	 * What the group needs to fail over and converge once a crashed voter was replaced.
	 */
	private static final long CONVERGE_AFTER_REPLACEMENT_MILLIS = 30_000;

	/**
	 * How long a member stays in TILT after a freeze: the product's default
	 * tilt-duration.
	 */
	private static final long TILT_MILLIS = GroupConfig.Timing.defaults().tiltDuration().toMillis();

	static final long COMMAND_TIMEOUT_MILLIS = 500;

	private static final long OPERATOR_STREAM = 0x0FE7A70L;

	private static final long STRICT_GROUP_STREAM = 0x6E0C9L;

	private static final long MIN_REPLICAS_STREAM = 0x3F3AC3L;

	/** How far apart the host clocks of a strict schedule may be. */
	private static final long MAX_STRICT_CLOCK_SKEW_MILLIS = 5000;

	/*
	 * Every node is a seed unless -Dredisha.simulation.partialSeeds=true: then a third of
	 * the schedules name only the first node, and a stray master that no member remembers
	 * after they all restarted cannot be found (see docs/protocol.md, Simulation).
	 */

	private final long seed;

	private final boolean strict;

	private final SplittableRandom random;

	private final int memberCount;

	private final int quorum;

	/** The group's largest number of voters: the other members observe. */
	private final int voters;

	private final List<NodeAddress> addresses = new ArrayList<>();

	private final List<Integer> priorities = new ArrayList<>();

	private final boolean onlyMasterIsSeed;

	private final long downAfterMillis;

	private final long failoverTimeoutMillis;

	private final int parallelSyncs;

	private final long memberExpiryMillis;

	private final List<Long> memberStarts = new ArrayList<>();

	private final List<Long> clockSkews = new ArrayList<>();

	private final List<Fault> faults = new ArrayList<>();

	private boolean pausesFailover;

	/** The master-side fence, managed in a quarter of the schedules. */
	private final MinReplicas minReplicas;

	private RandomSchedule(long seed, boolean strict) {
		this(seed, strict, GroupConfig.DEFAULT_VOTERS);
	}

	private RandomSchedule(long seed, boolean strict, int voters) {
		this.voters = voters;
		this.seed = seed;
		this.strict = strict;
		this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
		int members = 2 + this.random.nextInt(5);
		int majority = members / 2 + 1;
		int quorum = switch (this.random.nextInt(5)) {
			case 0 -> 2;
			case 1 -> members;
			default -> majority;
		};
		for (int i = 0; i < members; i++) {
			this.memberStarts.add(this.random.nextLong(1000));
		}
		// Strict mode draws its group from a stream of its own: the faults drawn below
		// stay what they were.
		SplittableRandom group = new SplittableRandom(seed ^ STRICT_GROUP_STREAM);
		if (strict) {
			members = 2 + group.nextInt(6);
			quorum = 1 + group.nextInt(members);
			while (this.memberStarts.size() < members) {
				this.memberStarts.add(group.nextLong(1000));
			}
			for (int i = 0; i < members; i++) {
				this.clockSkews.add(group.nextLong(-MAX_STRICT_CLOCK_SKEW_MILLIS, MAX_STRICT_CLOCK_SKEW_MILLIS + 1));
			}
		}
		this.memberCount = members;
		// Only voters count towards the quorum, and at most that many members vote.
		this.quorum = Math.min(quorum, voters);
		this.memberExpiryMillis = (strict && group.nextInt(3) == 0) ? 4000 + group.nextLong(8000)
				: GroupConfig.Timing.defaults().memberExpiry().toMillis();
		int nodeCount = 2 + this.random.nextInt(4);
		for (int i = 0; i < nodeCount; i++) {
			this.addresses.add(new NodeAddress("10.0.0." + (i + 1), 6379));
			int priority = (i > 0 && this.random.nextInt(5) == 0) ? 0 : (1 + this.random.nextInt(3)) * 50;
			this.priorities.add(priority);
		}
		this.onlyMasterIsSeed = (this.random.nextInt(3) == 0) && Boolean.getBoolean("redisha.simulation.partialSeeds");
		this.downAfterMillis = 1000 + 100 * this.random.nextInt(21);
		this.failoverTimeoutMillis = 4000 + 1000 * this.random.nextInt(9);
		this.parallelSyncs = 1 + this.random.nextInt(2);
		int faultCount = 2 + this.random.nextInt(13);
		for (int i = 0; i < faultCount; i++) {
			addRandomFault(WARM_UP_MILLIS + this.random.nextLong(FAULT_PHASE_MILLIS));
		}
		addOperatorCommands(new SplittableRandom(seed ^ OPERATOR_STREAM));
		// A stream of its own, so that the faults of a seed stay what they were.
		SplittableRandom fence = new SplittableRandom(seed ^ MIN_REPLICAS_STREAM);
		this.minReplicas = (fence.nextInt(4) == 0) ? new MinReplicas(1, Duration.ofSeconds(1 + fence.nextInt(3)))
				: MinReplicas.UNMANAGED;
		if (strict) {
			StrictFaults strictFaults = new StrictFaults(seed, this.memberCount, this.addresses,
					this.memberExpiryMillis, this::add);
			strictFaults.draw();
			this.pausesFailover = strictFaults.pausesFailover();
		}
	}

	/**
	 * Up to three switchovers or forced failovers asked of random members amid the
	 * faults, drawn from a stream of their own so that the faults of a seed stay what
	 * they were.
	 */
	private void addOperatorCommands(SplittableRandom operators) {
		int count = operators.nextInt(4);
		for (int i = 0; i < count; i++) {
			long at = WARM_UP_MILLIS - 500 + operators.nextLong(FAULT_PHASE_MILLIS);
			String slot = "m" + (1 + operators.nextInt(this.memberCount));
			if (operators.nextInt(4) == 0) {
				add(at, "operator: forced failover on " + slot,
						(w) -> w.operate(slot, (p) -> p.forceFailover(w.now())));
			}
			else {
				long timeout = 200 + operators.nextLong(4800);
				add(at, "operator: switchover on " + slot + " (catch-up timeout " + timeout + " ms)",
						(w) -> w.operate(slot, (p) -> p.switchover(w.now(), timeout)));
			}
		}
	}

	static RandomSchedule of(long seed, boolean strict) {
		return new RandomSchedule(seed, strict);
	}

	/**
	 * The ordinary schedule of this seed, in a group of at most {@code voters} voters.
	 */
	static RandomSchedule withVoters(long seed, int voters) {
		return new RandomSchedule(seed, false, voters);
	}

	/**
	 * The group this schedule runs: short timers, so that many failovers fit in a minute.
	 */
	GroupConfig config() {
		List<NodeAddress> seeds = this.onlyMasterIsSeed ? List.of(this.addresses.get(0)) : this.addresses;
		GroupConfig.Timing defaults = GroupConfig.Timing.defaults();
		GroupConfig.Timing timing = new GroupConfig.Timing(defaults.pingPeriod(), defaults.infoPeriod(),
				defaults.helloPeriod(), defaults.opinionValidity(), Duration.ofMillis(this.memberExpiryMillis),
				defaults.startupQuietPeriod(), defaults.tiltThreshold(), defaults.tiltDuration(),
				defaults.demoteAfter());
		return new GroupConfig("sim", seeds, this.quorum, Duration.ofMillis(this.downAfterMillis),
				Duration.ofMillis(this.failoverTimeoutMillis), this.parallelSyncs, timing,
				GroupConfig.DEFAULT_HISTORY_SIZE, this.voters)
			.withMinReplicas(this.minReplicas);
	}

	/**
	 * Plays the schedule on a new world with the real coordinator, checking invariants
	 * after every step and convergence at the end.
	 */
	Outcome run() {
		GroupConfig config = config();
		SimWorld world = SimWorld.withCoordinators(this.seed, config, COMMAND_TIMEOUT_MILLIS);
		if (this.strict) {
			world.checker().checkWrites();
			for (int i = 0; i < this.memberCount; i++) {
				world.setClockSkew("m" + (i + 1), this.clockSkews.get(i));
			}
		}
		for (int i = 0; i < this.addresses.size(); i++) {
			world.addNode(this.addresses.get(i), this.priorities.get(i), (i == 0) ? null : this.addresses.get(0));
		}
		for (int i = 0; i < this.memberCount; i++) {
			String slot = "m" + (i + 1);
			world.at(this.memberStarts.get(i), "start " + slot, (w) -> w.startMember(slot));
		}
		for (Fault fault : this.faults) {
			world.at(fault.at(), fault.description(), fault.action());
		}
		long healAt = WARM_UP_MILLIS + FAULT_PHASE_MILLIS;
		world.at(healAt, "heal everything", (w) -> {
			w.healNetworkAndNodes();
			for (int i = 1; i <= this.memberCount; i++) {
				w.restartMember("m" + i);
			}
		});
		// Once the restarted members learned the configuration: the operator replaces
		// voters that crashed for
		// good, and asks again once a member frozen late in the faults is out of its TILT
		// (which refuses it).
		for (long after : new long[] { 8000, 8000 + TILT_MILLIS }) {
			world.at(healAt + after, "operator: replace dead voters", SimWorld::replaceDeadVoters);
		}
		if (this.pausesFailover) {
			// Members restarted by the heal may not know of a pause yet, and a member
			// frozen at the first round ignores it: every member asks a little later, and
			// once more after the longest freeze.
			for (long after : new long[] { 5000, 12_000 }) {
				world.at(healAt + after, "operator: resume automatic failover everywhere", (w) -> {
					for (int i = 1; i <= this.memberCount; i++) {
						w.operate("m" + i, (p) -> p.resume(w.now()));
					}
				});
			}
		}
		world.runUntil(healAt + quietMillis());
		NodeAddress master = world.checker().checkConverged();
		WriteLedger.Verdict writes = this.strict ? world.checker().checkAcknowledgedWrites(master) : null;
		return new Outcome(world.steps(), world.checker().promotionCount(), world.checker().switchoverCount(),
				world.checker().electedEpochs().size(), master, writes);
	}

	/**
	 * How long the world has after the heal to converge. A quorum above the voters'
	 * majority needs every voter but a minority to see the master down, so one voter
	 * crashed late in the faults can hold off the failover until it is replaced,
	 * {@code memberExpiry} after it was last heard (seed 10765: quorum 5 of 5 voters, a
	 * voter crashed 0.2 s before the heal); such a group gets that long more.
	 */
	private long quietMillis() {
		int voters = Math.min(this.memberCount, GroupConfig.DEFAULT_VOTERS);
		boolean quorumAboveMajority = this.quorum > voters / 2 + 1;
		return quorumAboveMajority ? Math.max(QUIET_MILLIS, this.memberExpiryMillis + CONVERGE_AFTER_REPLACEMENT_MILLIS)
				: QUIET_MILLIS;
	}

	private void addRandomFault(long at) {
		int kind = this.random.nextInt(11);
		switch (kind) {
			case 0, 1 -> {
				long downFor = 1000 + this.random.nextLong(14_000);
				add(at, "kill the master for " + downFor + " ms",
						(w) -> w.masters().stream().findFirst().ifPresent((m) -> {
							w.killNode(m.address());
							w.at(w.now() + downFor, "restart old master " + m.address(),
									(later) -> later.restartNode(m.address()));
						}));
			}
			case 2 -> {
				NodeAddress node = anyNode();
				long downFor = 1000 + this.random.nextLong(14_000);
				add(at, "kill " + node + " for " + downFor + " ms", (w) -> w.killNode(node));
				add(at + downFor, "restart " + node, (w) -> w.restartNode(node));
			}
			case 3 -> {
				long pausedFor = 500 + this.random.nextLong(7_500);
				boolean master = this.random.nextBoolean();
				NodeAddress node = anyNode();
				add(at, "SIGSTOP " + (master ? "the master" : node) + " for " + pausedFor + " ms", (w) -> {
					NodeAddress target = master ? w.masters().stream().findFirst().map(SimNode::address).orElse(node)
							: node;
					w.pauseNode(target);
					w.at(w.now() + pausedFor, "SIGCONT " + target, (later) -> later.resumeNode(target));
				});
			}
			case 4 -> randomPartition(at);
			case 5 -> isolateMasterWithMinority(at);
			case 6 -> isolateOneMember(at);
			case 7 -> badWeather(at);
			case 8 -> {
				String slot = anyMember();
				long downFor = 100 + this.random.nextLong(10_000);
				boolean graceful = this.random.nextInt(3) == 0;
				add(at, (graceful ? "stop " : "crash ") + slot + " for " + downFor + " ms", (w) -> {
					if (graceful) {
						w.stopMember(slot);
					}
					else {
						w.crashMember(slot);
					}
				});
				add(at + downFor, "restart " + slot, (w) -> w.restartMember(slot));
			}
			case 9 -> {
				String slot = anyMember();
				long frozenFor = 500 + this.random.nextLong(5_500);
				add(at, "freeze " + slot + " for " + frozenFor + " ms", (w) -> w.pauseMember(slot, frozenFor));
			}
			default -> {
				String slot = anyMember();
				NodeAddress node = anyNode();
				long cutFor = 1000 + this.random.nextLong(10_000);
				boolean requests = this.random.nextBoolean();
				String from = requests ? slot : node.toString();
				String to = requests ? node.toString() : slot;
				add(at, "cut " + from + " -> " + to + " for " + cutFor + " ms", (w) -> w.network().cut(from, to));
				add(at + cutFor, "restore " + from + " -> " + to, (w) -> w.network().restore(from, to));
			}
		}
	}

	private void randomPartition(long at) {
		List<String> sideA = new ArrayList<>();
		List<String> sideB = new ArrayList<>();
		for (int i = 1; i <= this.memberCount; i++) {
			(this.random.nextBoolean() ? sideA : sideB).add("m" + i);
		}
		for (NodeAddress node : this.addresses) {
			(this.random.nextBoolean() ? sideA : sideB).add(node.toString());
		}
		int direction = this.random.nextInt(4);
		addPartition(at, "partition " + sideA + " | " + sideB + direction(direction), sideA, sideB, direction);
	}

	/** The classic split brain: the master and a minority of members on one side. */
	private void isolateMasterWithMinority(long at) {
		int minority = this.random.nextInt((this.memberCount - 1) / 2 + 1);
		List<String> sideA = new ArrayList<>();
		List<String> sideB = new ArrayList<>();
		for (int i = 1; i <= this.memberCount; i++) {
			(i <= minority ? sideA : sideB).add("m" + i);
		}
		long cutFor = 3000 + this.random.nextLong(12_000);
		add(at, "isolate the master with " + sideA + " for " + cutFor + " ms", (w) -> {
			List<String> withMaster = new ArrayList<>(sideA);
			List<String> rest = new ArrayList<>(sideB);
			for (SimNode node : w.nodes()) {
				(node.isMaster() && node.isRunning() ? withMaster : rest).add(node.address().toString());
			}
			w.partition(withMaster, rest, true, true);
			w.at(w.now() + cutFor, "end isolation of " + withMaster,
					(later) -> later.unpartition(withMaster, rest, true, true));
		});
	}

	private void isolateOneMember(long at) {
		String slot = anyMember();
		List<String> nodes = this.addresses.stream().map(NodeAddress::toString).toList();
		int direction = this.random.nextInt(4);
		addPartition(at, "isolate " + slot + direction(direction), List.of(slot), nodes, direction);
	}

	private void addPartition(long at, String description, List<String> sideA, List<String> sideB, int direction) {
		long cutFor = 1000 + this.random.nextLong(14_000);
		add(at, description + " for " + cutFor + " ms",
				(w) -> w.partition(sideA, sideB, direction != 1, direction != 2));
		add(at + cutFor, "end " + description, (w) -> w.unpartition(sideA, sideB, direction != 1, direction != 2));
	}

	private static String direction(int direction) {
		return switch (direction) {
			case 1 -> " (only B -> A cut)";
			case 2 -> " (only A -> B cut)";
			default -> "";
		};
	}

	private void badWeather(long at) {
		double loss = this.random.nextDouble() * 0.3;
		double duplication = this.random.nextDouble() * 0.2;
		long maxDelay = 5 + this.random.nextLong(SimNetwork.MAX_DELAY_BOUND);
		boolean reorder = this.random.nextBoolean();
		long lasts = 2000 + this.random.nextLong(8000);
		add(at, String.format("bad weather for %d ms: loss %.2f, dup %.2f, delay <= %d ms, reorder %s", lasts, loss,
				duplication, maxDelay, reorder), (w) -> w.network().weather(loss, duplication, maxDelay, reorder));
		add(at + lasts, "calm weather", (w) -> w.network().calm());
	}

	private String anyMember() {
		return "m" + (1 + this.random.nextInt(this.memberCount));
	}

	private NodeAddress anyNode() {
		return this.addresses.get(this.random.nextInt(this.addresses.size()));
	}

	private void add(long at, String description, Consumer<SimWorld> action) {
		this.faults.add(new Fault(at, description, action));
	}

	@Override
	public String toString() {
		StringBuilder text = new StringBuilder(
				"seed " + this.seed + (this.strict ? " (strict)" : "") + ": " + this.memberCount + " members, quorum "
						+ this.quorum + ", nodes " + this.addresses + " with priorities " + this.priorities
						+ (this.onlyMasterIsSeed ? ", only the first one a seed" : ", all of them seeds")
						+ ", down-after " + this.downAfterMillis + " ms, failover-timeout " + this.failoverTimeoutMillis
						+ " ms, parallel-syncs " + this.parallelSyncs + ", member expiry " + this.memberExpiryMillis
						+ " ms" + (this.strict ? ", host clocks off by " + this.clockSkews + " ms" : "")
						+ (this.minReplicas.managed() ? ", " + this.minReplicas : "") + "\n");
		this.faults.stream()
			.sorted((a, b) -> Long.compare(a.at(), b.at()))
			.forEach((fault) -> text.append(String.format("%9.1fs %s%n", fault.at() / 1000.0, fault.description())));
		return text.toString();
	}

	/**
	 * What one schedule did.
	 *
	 * @param writes what became of the acknowledged writes; null unless strict
	 */
	record Outcome(long steps, long promotions, long switchovers, int elections, NodeAddress finalMaster,
			WriteLedger.Verdict writes) {
	}

	private record Fault(long at, String description, Consumer<SimWorld> action) {
	}

}
