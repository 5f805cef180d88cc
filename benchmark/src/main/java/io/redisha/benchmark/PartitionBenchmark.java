package io.redisha.benchmark;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.redisha.benchmark.InstanceWriter.Phase;
import io.redisha.embedded.PartitionableRedisGroup;
import io.redisha.embedded.RedisServerBinary;
import io.redisha.embedded.RedisServerOptions;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.PartitionMode;
import org.jspecify.annotations.Nullable;

/**
 * A network cut {instance A, old master N0} | {instances B and C, replicas N1 and N2} for
 * {@code --cut} (20 s), then healed: what each side's writes became. Each instance writes
 * a new key every few milliseconds through a {@code StringRedisTemplate}; once the group
 * has settled after the heal (one master that every other node replicates from, in sync,
 * and the system naming it), every acknowledged key is looked up on that master. Once per
 * system: redis-ha in each partition mode, and Spring Boot's Sentinel support with three
 * real Sentinels.
 */
final class PartitionBenchmark implements Benchmark {

	/**
	 * The instances write before the cut for this long, so that the cut finds them busy.
	 */
	private static final long WARM_UP_MILLIS = 1000;

	private static final int MGET_BATCH = 500;

	private volatile Phase phase = Phase.BEFORE_CUT;

	@Override
	public String name() {
		return "partition";
	}

	@Override
	public String description() {
		return "a cut {A, old master} | {B, C, replicas} -> acknowledged writes lost after the heal, refused writes,"
				+ " redis-ha consistent/available vs Spring Boot + Sentinel";
	}

	@Override
	public void run(BenchmarkOptions options, PrintStream out) throws Exception {
		RedisServerBinary binary = RedisServerBinary.get();
		out.printf(Locale.ROOT,
				"partition benchmark: cut {A, N0 (master)} | {B, C, N1, N2 (replicas)} for %d ms, "
						+ "down-after %d ms, one cut per system (--rounds is not used)%n",
				options.cut().toMillis(), options.downAfter().toMillis());
		out.println(FailoverBenchmark.machine(binary));
		out.println(FailoverBenchmark.loadAverage());
		List<Row> rows = new ArrayList<>();
		for (PartitionMode mode : PartitionMode.values()) {
			String system = "redis-ha " + mode.name().toLowerCase(Locale.ROOT);
			rows.add(cut(system, options, out, (redis) -> RedisHaInstances.start(redis, options, mode)));
		}
		rows.add(cut("Spring Boot + Sentinel", options, out, (redis) -> SentinelInstances.start(redis, options)));
		out.println(FailoverBenchmark.loadAverage());
		out.println();
		out.println("| system | writes acknowledged on A's side | of those, lost after the heal "
				+ "| A's writes refused (clear errors) | majority side (B): acknowledged | B lost |");
		out.println("|---|---|---|---|---|---|");
		rows.forEach((row) -> out.println(row.markdown()));
		out.println();
		rows.forEach((row) -> out.println(row.afterHeal()));
	}

	private Row cut(String system, BenchmarkOptions options, PrintStream out, Starter starter) throws Exception {
		this.phase = Phase.BEFORE_CUT;
		try (PartitionableRedisGroup redis = PartitionableRedisGroup.start(2, RedisServerOptions.defaults());
				PartitionedSystem instances = starter.start(redis)) {
			List<InstanceWriter> writers = new ArrayList<>();
			instances.templates()
				.forEach((name, template) -> writers.add(new InstanceWriter(name, template, () -> this.phase)));
			String settled;
			long settledMillis;
			try {
				TimeUnit.MILLISECONDS.sleep(WARM_UP_MILLIS);
				redis.partition(instances.minority(), instances.majority());
				this.phase = Phase.DURING_CUT;
				TimeUnit.MILLISECONDS.sleep(options.cut().toMillis());
				redis.heal();
				this.phase = Phase.AFTER_HEAL;
				long healed = System.nanoTime();
				settled = awaitSettled(redis, instances);
				settledMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healed);
				out.printf(Locale.ROOT, "%s: settled on %s %d ms after the heal%n", system, redis.nameAt(settled),
						settledMillis);
			}
			finally {
				for (InstanceWriter writer : writers) {
					writer.stop();
				}
			}
			RedisServerProcess master = redis.node(redis.nameAt(settled));
			awaitInSync(redis, master);
			Set<String> missing = missing(master, writers);
			writers.forEach((writer) -> out.println("  " + describe(writer, missing)));
			return new Row(system, writers.get(0), writers.get(1), missing, settledMillis);
		}
	}

	/**
	 * One master that every other node replicates from with its link up, and that the
	 * system names.
	 */
	private static String awaitSettled(PartitionableRedisGroup redis, PartitionedSystem instances) {
		String[] settled = new String[1];
		FailoverBenchmark.waitUntil("one master, every other node replicating from it, the system naming it", () -> {
			try {
				settled[0] = settledMaster(redis);
				return settled[0] != null && instances.agreesOn(settled[0]);
			}
			catch (RuntimeException ex) {
				// A node being reconfigured drops its connections: ask again.
				return false;
			}
		});
		return settled[0];
	}

	private static @Nullable String settledMaster(PartitionableRedisGroup redis) {
		List<String> masters = redis.nodeNames()
			.stream()
			.filter((node) -> "master".equals(redis.node(node).role()))
			.toList();
		if (masters.size() != 1) {
			return null;
		}
		String master = redis.address(masters.get(0));
		for (String node : redis.nodeNames()) {
			Map<String, String> replication = redis.node(node).info("replication");
			if (!node.equals(masters.get(0))
					&& (!master.equals(replication.get("master_host") + ":" + replication.get("master_port"))
							|| !"up".equals(replication.get("master_link_status")))) {
				return null;
			}
		}
		return master;
	}

	/** Every replica has what the master has, now that nobody writes. */
	private static void awaitInSync(PartitionableRedisGroup redis, RedisServerProcess master) {
		FailoverBenchmark.waitUntil("every replica at the master's replication offset", () -> {
			String offset = Objects.requireNonNull(master.info("replication").get("master_repl_offset"));
			return redis.nodes()
				.stream()
				.filter((node) -> node != master)
				.allMatch((node) -> offset.equals(node.info("replication").get("slave_repl_offset")));
		});
	}

	/** The keys acknowledged to any writer that the master does not have. */
	private static Set<String> missing(RedisServerProcess master, List<InstanceWriter> writers) {
		List<String> keys = new ArrayList<>();
		for (InstanceWriter writer : writers) {
			for (Phase sent : Phase.values()) {
				keys.addAll(writer.acknowledged(sent));
			}
		}
		Set<String> missing = new HashSet<>();
		for (int from = 0; from < keys.size(); from += MGET_BATCH) {
			List<String> batch = keys.subList(from, Math.min(from + MGET_BATCH, keys.size()));
			List<String> command = new ArrayList<>(batch);
			command.add(0, "MGET");
			List<?> values = (List<?>) Objects.requireNonNull(master.command(command.toArray(String[]::new)));
			for (int i = 0; i < batch.size(); i++) {
				if (values.get(i) == null) {
					missing.add(batch.get(i));
				}
			}
		}
		return missing;
	}

	private static String describe(InstanceWriter writer, Set<String> missing) {
		StringBuilder line = new StringBuilder(writer.instance() + ":");
		for (Phase sent : Phase.values()) {
			line.append(String.format(Locale.ROOT, " %s %d acknowledged (%d lost), errors %s;",
					sent.name().toLowerCase(Locale.ROOT).replace('_', ' '), writer.acknowledged(sent).size(),
					lost(writer, sent, missing), writer.errors(sent)));
		}
		return line.toString();
	}

	private static long lost(InstanceWriter writer, Phase sent, Set<String> missing) {
		return writer.acknowledged(sent).stream().filter(missing::contains).count();
	}

	/** Starts one system's instances on the nodes. */
	@FunctionalInterface
	private interface Starter {

		PartitionedSystem start(PartitionableRedisGroup redis) throws Exception;

	}

	/** One line of the table: A's side, and the majority side's first instance. */
	private record Row(String system, InstanceWriter a, InstanceWriter b, Set<String> missing, long settledMillis) {

		String markdown() {
			return String.format(Locale.ROOT, "| %s | %d | **%d** | %d | %d | %d |", this.system,
					this.a.acknowledged(Phase.DURING_CUT).size(), lost(this.a, Phase.DURING_CUT, this.missing),
					this.a.clearRefusals(Phase.DURING_CUT), this.b.acknowledged(Phase.DURING_CUT).size(),
					lost(this.b, Phase.DURING_CUT, this.missing));
		}

		/**
		 * Until the system settles after the heal, A may still write to the old master.
		 */
		String afterHeal() {
			return String.format(Locale.ROOT,
					"%s: settled %d ms after the heal; meanwhile A had %d writes " + "acknowledged, %d of them lost",
					this.system, this.settledMillis, this.a.acknowledged(Phase.AFTER_HEAL).size(),
					lost(this.a, Phase.AFTER_HEAL, this.missing));
		}

	}

}
