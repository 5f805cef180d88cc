package io.redisha.benchmark;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerBinary;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.member.GroupSettings;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GossipSeal;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupState;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;

/**
 * Automatic failover time: a master with replicas on real redis-server processes, members
 * in this JVM, the master killed with SIGKILL; measured from just before the kill until a
 * replica answers {@code ROLE} as master (polled in a tight loop on raw connections), and
 * until every member reports that replica as the master. Every round starts fresh
 * processes and members and kills at a random moment of the members' PING period.
 */
final class FailoverBenchmark implements Benchmark {

	static final String GROUP = "benchmark";

	/**
	 * The gossip secret of one run's members: new at every run, shared by the members of
	 * this process.
	 */
	static final GossipSeal GOSSIP_SEAL = GossipSeal.of(List.of(UUID.randomUUID().toString()));

	private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);

	private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

	/**
	 * Between two ROLE polls, so the poller leaves the members a CPU on small machines.
	 */
	private static final long POLL_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

	@Override
	public String name() {
		return "failover";
	}

	@Override
	public String description() {
		return "SIGKILL of the master -> a replica answers ROLE master / every member reports it";
	}

	@Override
	public void run(BenchmarkOptions options, PrintStream out) throws Exception {
		GroupConfig.Timing timing = timing(options);
		RedisServerBinary binary = RedisServerBinary.get();
		out.printf(Locale.ROOT,
				"failover benchmark: %d rounds, master + %d replicas, %d members, quorum %d, " + "down-after %d ms%n",
				options.rounds(), options.replicas(), options.members(), quorum(options),
				options.downAfter().toMillis());
		out.println(FailoverBenchmark.machine(binary));
		out.println("timing: " + timing);
		out.println(loadAverage());
		Samples promoted = new Samples("kill -> new master answers ROLE master");
		Samples agreed = new Samples("kill -> every member reports the new master");
		out.println("warm-up round (not counted): " + round(options, timing).describe());
		for (int i = 1; i <= options.rounds(); i++) {
			Round round = round(options, timing);
			promoted.add(round.promotedNanos());
			agreed.add(round.agreedNanos());
			out.printf(Locale.ROOT, "round %d: %s%n", i, round.describe());
		}
		out.println(loadAverage());
		out.println(promoted.summary());
		out.println(agreed.summary());
		Duration goal = options.downAfter().plusMillis(150);
		out.printf(Locale.ROOT, "goal: median <= down-after + 150 ms = %d ms: %s%n", goal.toMillis(),
				(promoted.percentile(50).compareTo(goal) <= 0) ? "met" : "NOT met");
	}

	/** What the numbers were measured on. */
	static String machine(RedisServerBinary binary) {
		return String.format(Locale.ROOT, "machine: %d CPUs, %s %s, Java %s; redis-server %s (%s)",
				Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
				System.getProperty("os.arch"), System.getProperty("java.version"), binary.version(), binary.source());
	}

	/**
	 * Other work on the same cores shows in the numbers: say how busy the machine was.
	 */
	static String loadAverage() {
		return String.format(Locale.ROOT, "system load average (1 min): %.2f",
				ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
	}

	/** The product's default timing, but for the ping period of the options. */
	static GroupConfig.Timing timing(BenchmarkOptions options) {
		GroupConfig.Timing defaults = GroupConfig.Timing.defaults();
		return new GroupConfig.Timing(options.pingPeriod(), defaults.infoPeriod(), defaults.helloPeriod(),
				defaults.opinionValidity(), defaults.memberExpiry(), defaults.startupQuietPeriod(),
				defaults.tiltThreshold(), defaults.tiltDuration(), defaults.demoteAfter());
	}

	static int quorum(BenchmarkOptions options) {
		return options.members() / 2 + 1;
	}

	private Round round(BenchmarkOptions options, GroupConfig.Timing timing) throws IOException {
		try (LocalRedisGroup redis = LocalRedisGroup.start(options.replicas())) {
			List<NodeAddress> nodes = redis.nodes().stream().map(FailoverBenchmark::address).toList();
			List<RedisHaMember> members = startMembers(options, config(options, nodes, timing));
			try {
				awaitReady(members, nodes, timing.startupQuietPeriod());
				return killMaster(redis, members, timing.pingPeriod());
			}
			finally {
				members.forEach(RedisHaMember::stop);
			}
		}
	}

	/** Starts the options' number of members of the group in this JVM (not yet ready). */
	static List<RedisHaMember> startMembers(BenchmarkOptions options, GroupConfig config) {
		List<RedisHaMember> members = new ArrayList<>();
		for (int i = 0; i < options.members(); i++) {
			RedisHaMember member = new RedisHaMember(
					new MemberIdentity(UUID.randomUUID().toString().substring(0, 12), "benchmark"),
					List.of(new GroupSettings(config, null, null, COMMAND_TIMEOUT, GOSSIP_SEAL)));
			member.start();
			members.add(member);
		}
		return members;
	}

	/**
	 * The group of the benchmarks on these nodes, with the options' quorum and
	 * down-after.
	 */
	static GroupConfig config(BenchmarkOptions options, List<NodeAddress> nodes, GroupConfig.Timing timing) {
		return new GroupConfig(GROUP, nodes, quorum(options), options.downAfter(), Duration.ofSeconds(10), 1, timing);
	}

	/**
	 * Every member sees the master, every replica up and every peer, has left its quiet
	 * period, and holds a committed configuration with as many voters as there are
	 * members (up to the group's target): a failover is then one the electorate can
	 * elect.
	 */
	static void awaitReady(List<RedisHaMember> members, List<NodeAddress> nodes, Duration quietPeriod) {
		long quietUntil = System.nanoTime() + quietPeriod.toNanos();
		waitUntil("every member sees the master, " + (nodes.size() - 1) + " replicas up and its peers", () -> {
			for (RedisHaMember member : members) {
				GroupSnapshot snapshot = member.snapshot(GROUP);
				boolean ready = snapshot != null && snapshot.state() == GroupState.OK && snapshot.master() != null
						&& snapshot.master().address().equals(nodes.get(0))
						&& snapshot.replicas()
							.stream()
							.filter((replica) -> replica.status() == GroupSnapshot.NodeStatus.UP)
							.count() == nodes.size() - 1
						&& snapshot.members().size() == members.size() && snapshot.electorate() != null
						&& snapshot.electorate().committed() && snapshot.electorate().voters().size() == Math
							.min(members.size(), snapshot.electorate().target());
				if (!ready) {
					return false;
				}
			}
			return System.nanoTime() - quietUntil >= 0;
		});
	}

	private static Round killMaster(LocalRedisGroup redis, List<RedisHaMember> members, Duration pingPeriod)
			throws IOException {
		List<RedisServerProcess> replicas = redis.replicas();
		List<RawRedisConnection> connections = new ArrayList<>();
		try {
			for (RedisServerProcess replica : replicas) {
				connections.add(new RawRedisConnection(address(replica), (int) COMMAND_TIMEOUT.toMillis()));
			}
			long epochBefore = members.stream()
				.mapToLong((member) -> snapshot(member).currentEpoch())
				.max()
				.orElseThrow();
			long killedAt = killAtRandomPhase(redis.master(), pingPeriod);
			int promoted = awaitPromotion(connections);
			long promotedAt = System.nanoTime();
			NodeAddress newMaster = address(replicas.get(promoted));
			waitUntil("every member reports " + newMaster + " as the master",
					() -> members.stream()
						.map((member) -> snapshot(member).master())
						.allMatch((master) -> master != null && master.address().equals(newMaster)));
			long agreedAt = System.nanoTime();
			return new Round(newMaster, snapshot(members.get(0)).configEpoch() - epochBefore, promotedAt - killedAt,
					agreedAt - killedAt);
		}
		finally {
			for (RawRedisConnection connection : connections) {
				connection.close();
			}
		}
	}

	/**
	 * Kills the node at a random moment of the members' PING period: killed right after
	 * the members are ready, every round would fall at the same phase of their timers,
	 * and the spread of failover times a real crash sees would not show.
	 * @return when it was killed ({@link System#nanoTime()})
	 */
	static long killAtRandomPhase(RedisServerProcess node, Duration pingPeriod) {
		LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(pingPeriod.toNanos()));
		long killedAt = System.nanoTime();
		node.kill();
		return killedAt;
	}

	/**
	 * Polls {@code ROLE} on the replicas in a tight loop until one says it is the master.
	 * @return the index of that replica
	 */
	static int awaitPromotion(List<RawRedisConnection> replicas) throws IOException {
		long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
		while (true) {
			for (int i = 0; i < replicas.size(); i++) {
				if (replicas.get(i).isMaster()) {
					return i;
				}
			}
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("no replica became master within " + SETTLE_TIMEOUT);
			}
			LockSupport.parkNanos(POLL_PAUSE_NANOS);
		}
	}

	/**
	 * The member's picture of {@link #GROUP}, the group every benchmark's members run.
	 */
	static GroupSnapshot snapshot(RedisHaMember member) {
		return Objects.requireNonNull(member.snapshot(GROUP), GROUP);
	}

	/** The master the member follows, once it follows one. */
	static NodeAddress master(RedisHaMember member) {
		return Objects.requireNonNull(snapshot(member).master(), "no master known yet").address();
	}

	static void waitUntil(String what, BooleanSupplier condition) {
		waitUntil(what, SETTLE_TIMEOUT, condition);
	}

	static void waitUntil(String what, Duration timeout, BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("not within " + timeout + ": " + what);
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
		}
	}

	static NodeAddress address(RedisServerProcess node) {
		return new NodeAddress(node.host(), node.port());
	}

	/**
	 * One kill and what followed; more than one election means a split vote was retried.
	 */
	private record Round(NodeAddress newMaster, long elections, long promotedNanos, long agreedNanos) {

		String describe() {
			return String.format(Locale.ROOT, "%s promoted after %s, every member agreed after %s (%d election%s)",
					this.newMaster, Samples.millis(Duration.ofNanos(this.promotedNanos)),
					Samples.millis(Duration.ofNanos(this.agreedNanos)), this.elections,
					(this.elections == 1) ? "" : "s");
		}

	}

}
