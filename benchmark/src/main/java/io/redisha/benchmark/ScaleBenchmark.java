package io.redisha.benchmark;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.redisha.connection.MasterFollowingConnectionFactory;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerBinary;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.member.GroupSettings;
import io.redisha.member.MemberActivityListener;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupState;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import io.redisha.redis.LinkResources;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * What many application instances cost Redis and each other, and how fast they all follow
 * a failover: for 3, 30, 100 and 300 members (up to {@code --members}) in this JVM, with
 * the product's defaults (quorum 2, at most 5 voters, down-after from the options), on a
 * master with replicas. Idle, per node: connected clients, PUBLISH calls and pub/sub
 * deliveries per second (each channel's messages, counted by a pattern subscription of
 * the benchmark, times its subscribers), Redis CPU per second ({@code INFO cpu}); per
 * instance: gossip messages received and decoded per second, threads (member and
 * application connection factory; the members share one set of Lettuce threads, and so do
 * the factories, as instances in one JVM can). Then, with every instance writing through
 * its master-following factory, SIGKILL of the master: kill -> a replica answers ROLE
 * master, kill -> each member reports it, and the writes acknowledged after the promotion
 * that the new master lacks (acknowledged by the old master: must be 0).
 */
final class ScaleBenchmark implements Benchmark {

	private static final List<Integer> SIZES = List.of(3, 30, 100, 300);

	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

	/**
	 * Two of an observer's presence periods (a quarter of the default member expiry):
	 * their hellos come in bursts.
	 */
	private static final Duration IDLE_WINDOW = Duration.ofSeconds(30);

	/**
	 * Many members take long to start and to grow their electorate one voter at a time.
	 */
	private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

	private static final int WRITERS = 4;

	static final String HA_CHANNELS = "__redis-ha__:*";

	@Override
	public String name() {
		return "scale";
	}

	@Override
	public String description() {
		return "3 to --members instances: Redis connections, pub/sub and CPU per node, messages and threads per "
				+ "instance, failover to every member";
	}

	@Override
	public void run(BenchmarkOptions options, PrintStream out) throws Exception {
		List<Integer> sizes = sizes(options.members());
		out.printf(Locale.ROOT,
				"scale benchmark: %s members, %d round(s) each, master + %d replicas, quorum 2, "
						+ "down-after %d ms, product defaults otherwise%n",
				sizes, options.rounds(), options.replicas(), options.downAfter().toMillis());
		out.println(FailoverBenchmark.machine(RedisServerBinary.get()));
		List<Row> rows = new ArrayList<>();
		for (int size : sizes) {
			Row row = new Row(size);
			for (int i = 1; i <= options.rounds() && row.failure == null; i++) {
				out.println(FailoverBenchmark.loadAverage());
				try {
					Round round = round(size, options);
					out.printf(Locale.ROOT, "%d members, round %d: %s%n", size, i, round.describe());
					row.add(round);
				}
				catch (IllegalStateException ex) {
					// This machine could not carry that many: say so, and measure the
					// others.
					row.failure = ex.getMessage();
					out.printf(Locale.ROOT, "%d members, round %d: failed: %s%n", size, i, row.failure);
				}
			}
			rows.add(row);
		}
		out.println();
		out.println("| members | clients per node | PUBLISH per s per node | deliveries per s per node "
				+ "| Redis CPU per node | decoded per s per instance | threads per instance | kill -> promoted (median) "
				+ "| kill -> all agreed p50 / p95 / max | acked by the old master after the switch |");
		out.println("|---|---|---|---|---|---|---|---|---|---|");
		rows.forEach((row) -> out.println(row.line()));
		out.println("(per node: the busiest node of the round, the mean over rounds)");
		out.println(goals(rows.get(rows.size() - 1), options.downAfter()));
	}

	private static List<Integer> sizes(int top) {
		List<Integer> sizes = new ArrayList<>(SIZES.stream().filter((size) -> size < top).toList());
		sizes.add(top);
		return sizes;
	}

	private Round round(int size, BenchmarkOptions options) throws Exception {
		int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
		try (LocalRedisGroup redis = LocalRedisGroup.start(options.replicas());
				LinkResources links = new LinkResources("redis-ha-scale")) {
			ClientResources applications = DefaultClientResources.create();
			List<NodeAddress> nodes = redis.nodes().stream().map(FailoverBenchmark::address).toList();
			GroupConfig config = new GroupConfig(FailoverBenchmark.GROUP, nodes, 2, options.downAfter(),
					Duration.ofMinutes(3), 1, GroupConfig.Timing.defaults());
			LongAdder received = new LongAdder();
			List<RedisHaMember> members = new ArrayList<>();
			List<MasterFollowingConnectionFactory> factories = new ArrayList<>();
			try {
				for (int i = 0; i < size; i++) {
					RedisHaMember member = new RedisHaMember(
							new MemberIdentity(UUID.randomUUID().toString().substring(0, 12), "scale"),
							List.of(new GroupSettings(config, null, null, COMMAND_TIMEOUT,
									FailoverBenchmark.GOSSIP_SEAL)),
							UnaryOperator.identity(), links);
					member.addActivityListener(new MemberActivityListener() {

						@Override
						public void gossipReceived(String group) {
							received.increment();
						}

					});
					member.start();
					members.add(member);
				}
				awaitReady(members, nodes);
				List<NodeIdle> idle = NodeIdle.measure(redis, IDLE_WINDOW, received, size);
				List<StringRedisTemplate> templates = new ArrayList<>();
				for (RedisHaMember member : members) {
					// Every instance's factory keeps its own routing hooks, on Lettuce
					// threads they all share.
					MasterFollowingConnectionFactory factory = ClientsBenchmark.followingFactory(member,
							DefaultClientResources.builder()
								.eventLoopGroupProvider(applications.eventLoopGroupProvider())
								.eventExecutorGroup(applications.eventExecutorGroup())
								.timer(applications.timer()));
					factories.add(factory);
					factory.afterPropertiesSet();
					factory.start();
					StringRedisTemplate template = new StringRedisTemplate(factory);
					template.opsForValue().set("scale:warm-up", "1");
					templates.add(template);
				}
				double threads = (ManagementFactory.getThreadMXBean().getThreadCount() - threadsBefore) / (double) size;
				return killMaster(redis, members, templates, idle, threads, options.pingPeriod());
			}
			finally {
				factories.forEach(MasterFollowingConnectionFactory::destroy);
				members.parallelStream().forEach(RedisHaMember::stop);
				applications.shutdown();
			}
		}
	}

	/**
	 * Every member follows the master, sees every replica up, has left its quiet period
	 * and holds a committed configuration with as many voters as there are members, up to
	 * the group's target: a failover is one the electorate can elect.
	 */
	private static void awaitReady(List<RedisHaMember> members, List<NodeAddress> nodes) {
		long quietUntil = System.nanoTime() + GroupConfig.Timing.defaults().startupQuietPeriod().toNanos();
		FailoverBenchmark.waitUntil("every member follows the master with its replicas and a full electorate",
				READY_TIMEOUT, () -> members.stream().allMatch((member) -> {
					GroupSnapshot snapshot = member.snapshot(FailoverBenchmark.GROUP);
					return snapshot != null && snapshot.state() == GroupState.OK && snapshot.master() != null
							&& snapshot.master().address().equals(nodes.get(0))
							&& snapshot.replicas()
								.stream()
								.filter((replica) -> replica.status() == GroupSnapshot.NodeStatus.UP)
								.count() == nodes.size() - 1
							&& snapshot.electorate() != null && snapshot.electorate().committed()
							&& snapshot.electorate().voters().size() == Math.min(members.size(),
									snapshot.electorate().target());
				}) && System.nanoTime() - quietUntil >= 0);
	}

	private static Round killMaster(LocalRedisGroup redis, List<RedisHaMember> members,
			List<StringRedisTemplate> templates, List<NodeIdle> idle, double threads, Duration pingPeriod)
			throws Exception {
		List<RedisServerProcess> replicas = redis.replicas();
		List<RawRedisConnection> connections = new ArrayList<>();
		List<RouteWriter> writers = IntStream.range(0, WRITERS)
			.mapToObj((w) -> new RouteWriter(String.valueOf(w),
					IntStream.range(0, templates.size())
						.filter((i) -> i % WRITERS == w)
						.mapToObj(templates::get)
						.toList()))
			.toList();
		try {
			for (RedisServerProcess replica : replicas) {
				connections
					.add(new RawRedisConnection(FailoverBenchmark.address(replica), (int) COMMAND_TIMEOUT.toMillis()));
			}
			long killedAt = FailoverBenchmark.killAtRandomPhase(redis.master(), pingPeriod);
			int promoted = FailoverBenchmark.awaitPromotion(connections);
			long promotedAt = System.nanoTime();
			NodeAddress newMaster = FailoverBenchmark.address(replicas.get(promoted));
			Samples agreed = new Samples("kill -> member reports the new master");
			List<RedisHaMember> waiting = new ArrayList<>(members);
			FailoverBenchmark.waitUntil("every member reports " + newMaster + " as the master", READY_TIMEOUT, () -> {
				long now = System.nanoTime();
				waiting.removeIf((member) -> {
					GroupSnapshot.NodeSnapshot master = FailoverBenchmark.snapshot(member).master();
					boolean follows = master != null && master.address().equals(newMaster);
					if (follows) {
						agreed.add(now - killedAt);
					}
					return follows;
				});
				return waiting.isEmpty();
			});
			// Writes on every route for a while on the new master, then the reckoning.
			LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
			for (RouteWriter writer : writers) {
				writer.stop();
			}
			long lost = 0;
			int errors = 0;
			for (RouteWriter writer : writers) {
				lost += missing(replicas.get(promoted), writer.acknowledgedAfter(promotedAt));
				errors += writer.errors();
			}
			return new Round(idle, threads, promotedAt - killedAt, agreed, lost, errors);
		}
		finally {
			for (RouteWriter writer : writers) {
				writer.stop();
			}
			for (RawRedisConnection connection : connections) {
				connection.close();
			}
		}
	}

	/** How many of these writes the node does not hold. */
	private static long missing(RedisServerProcess node, List<RouteWriter.Acknowledged> writes) {
		long missing = 0;
		for (int from = 0; from < writes.size(); from += 500) {
			List<RouteWriter.Acknowledged> batch = writes.subList(from, Math.min(from + 500, writes.size()));
			List<String> command = new ArrayList<>();
			command.add("EXISTS");
			batch.forEach((write) -> command.add(write.key()));
			missing += batch.size() - (Long) Objects.requireNonNull(node.command(command.toArray(String[]::new)));
		}
		return missing;
	}

	private static String goals(Row top, Duration downAfter) {
		if (top.failure != null) {
			return "scale goals missed at " + top.size + " members: " + top.failure;
		}
		List<String> missed = new ArrayList<>();
		if (top.cpu() >= 2.0) {
			missed.add(String.format(Locale.ROOT, "Redis CPU per node %.2f %% of a core (goal < 2 %%)", top.cpu()));
		}
		if (top.deliveries() >= 2000) {
			missed.add(String.format(Locale.ROOT, "pub/sub deliveries per node %.0f per s (goal < 2,000)",
					top.deliveries()));
		}
		Duration promotedGoal = downAfter.plusMillis(150);
		if (top.promoted().percentile(50).compareTo(promotedGoal) > 0) {
			missed.add("kill -> promoted median " + Samples.millis(top.promoted().percentile(50)) + " (goal <= "
					+ promotedGoal.toMillis() + " ms)");
		}
		Duration agreedGoal = downAfter.plusMillis(500);
		if (top.agreed().percentile(95).compareTo(agreedGoal) > 0) {
			missed.add("kill -> all " + top.size + " agreed p95 " + Samples.millis(top.agreed().percentile(95))
					+ " (goal <= " + agreedGoal.toMillis() + " ms)");
		}
		if (top.lost() > 0) {
			missed.add(top.lost() + " writes acknowledged by the old master after the switch (goal 0)");
		}
		String sized = "at " + top.size + " members: ";
		return missed.isEmpty() ? "scale goals met" : "scale goals missed " + sized + String.join("; ", missed);
	}

	private record Round(List<NodeIdle> idle, double threads, long promotedNanos, Samples agreed, long lost,
			int writeErrors) {

		NodeIdle busiest() {
			return this.idle.stream().max((a, b) -> Double.compare(a.deliveries(), b.deliveries())).orElseThrow();
		}

		String describe() {
			return String.format(Locale.ROOT, "idle: %s; decoded %.1f/s per instance, %.1f threads per instance; "
					+ "promoted after %s; %s; %d writes acknowledged after the promotion missing on the new master "
					+ "(%d write errors during the failover)",
					String.join("; ", this.idle.stream().map(NodeIdle::describe).toList()),
					this.idle.get(0).decodedPerInstance(), this.threads,
					Samples.millis(Duration.ofNanos(this.promotedNanos)), this.agreed.summary(), this.lost,
					this.writeErrors);
		}

	}

	/** The rounds of one size, summed up. */
	private static final class Row {

		private final int size;

		private final List<Round> rounds = new ArrayList<>();

		private final Samples promoted = new Samples("kill -> promoted");

		private final Samples agreed = new Samples("kill -> every member agreed");

		/** Why a round of this size could not be measured; null when every round was. */
		private @Nullable String failure;

		Row(int size) {
			this.size = size;
		}

		void add(Round round) {
			this.rounds.add(round);
			this.promoted.add(round.promotedNanos());
			round.agreed().nanos().forEach(this.agreed::add);
		}

		Samples promoted() {
			return this.promoted;
		}

		Samples agreed() {
			return this.agreed;
		}

		double cpu() {
			return mean(this.rounds.stream()
				.mapToDouble((round) -> round.idle().stream().mapToDouble(NodeIdle::cpuPercent).max().orElseThrow())
				.toArray());
		}

		double deliveries() {
			return mean(this.rounds.stream().mapToDouble((round) -> round.busiest().deliveries()).toArray());
		}

		long lost() {
			return this.rounds.stream().mapToLong(Round::lost).sum();
		}

		String line() {
			if (this.rounds.isEmpty()) {
				return "| " + this.size + " | not measured: " + this.failure + " |";
			}
			double clients = mean(this.rounds.stream()
				.mapToDouble((round) -> round.idle().stream().mapToInt(NodeIdle::clients).max().orElseThrow())
				.toArray());
			double publishes = mean(this.rounds.stream()
				.mapToDouble((round) -> round.idle().stream().mapToDouble(NodeIdle::publishes).max().orElseThrow())
				.toArray());
			double decoded = mean(
					this.rounds.stream().mapToDouble((round) -> round.idle().get(0).decodedPerInstance()).toArray());
			double threads = mean(this.rounds.stream().mapToDouble(Round::threads).toArray());
			return String.format(Locale.ROOT,
					"| %d | %.0f | %.0f | %.0f | %.2f %% | %.1f | %.1f | %s | %s / %s / %s | %d |", this.size, clients,
					publishes, deliveries(), cpu(), decoded, threads, Samples.millis(this.promoted.percentile(50)),
					Samples.millis(this.agreed.percentile(50)), Samples.millis(this.agreed.percentile(95)),
					Samples.millis(this.agreed.percentile(100)), lost());
		}

		private static double mean(double[] values) {
			return java.util.Arrays.stream(values).average().orElse(Double.NaN);
		}

	}

}
