package io.redisha.benchmark;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import com.sun.management.OperatingSystemMXBean;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.TimeoutOptions;
import io.redisha.connection.MasterFollowingConnectionFactory;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerBinary;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.NodeAddress;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettucePoolingClientConfiguration;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * What following the master costs every command: the same {@link StringRedisTemplate}
 * work through a {@link MasterFollowingConnectionFactory} and through Spring Boot's plain
 * {@link LettuceConnectionFactory} pointed at the same master, in the same run. Two
 * workloads: SET/GET from {@value #THREADS} threads on the shared connection, and
 * pipelines of {@value #PIPELINE} commands from as many threads (each on a dedicated
 * connection, the held connections' path). The factories take turns within every round,
 * in alternating order, so that other work on the machine weighs on both alike.
 */
final class OverheadBenchmark implements Benchmark {

	static final int THREADS = 4;

	private static final String FOLLOWING = "master-following";

	private static final String SPRING_BOOT = "Spring Boot";

	static final int PIPELINE = 100;

	private static final byte[] VALUE = { 'v' };

	private static final OperatingSystemMXBean PROCESS = (OperatingSystemMXBean) ManagementFactory
		.getOperatingSystemMXBean();

	private static final Duration PHASE = Duration.ofSeconds(2);

	private static final double THROUGHPUT_GOAL = 0.03;

	private static final double P99_GOAL = 0.05;

	@Override
	public String name() {
		return "overhead";
	}

	@Override
	public String description() {
		return "SET/GET through a StringRedisTemplate (" + THREADS + " threads, and pipelined), the master-following"
				+ " factory vs Spring Boot's LettuceConnectionFactory on the same master: throughput, p50, p99";
	}

	@Override
	public void run(BenchmarkOptions options, PrintStream out) throws Exception {
		out.printf(Locale.ROOT,
				"overhead benchmark: %d rounds of %d ms per factory and workload, %d threads, pipelines"
						+ " of %d; master + %d replicas, %d members in this JVM%n",
				options.rounds(), PHASE.toMillis(), THREADS, PIPELINE, options.replicas(), options.members());
		out.println(FailoverBenchmark.machine(RedisServerBinary.get()));
		try (LocalRedisGroup redis = LocalRedisGroup.start(options.replicas())) {
			List<NodeAddress> nodes = redis.nodes().stream().map(FailoverBenchmark::address).toList();
			GroupConfig.Timing timing = FailoverBenchmark.timing(options);
			List<RedisHaMember> members = FailoverBenchmark.startMembers(options,
					FailoverBenchmark.config(options, nodes, timing));
			Map<String, LettuceConnectionFactory> unpooled = new LinkedHashMap<>();
			Map<String, LettuceConnectionFactory> pooled = new LinkedHashMap<>();
			try {
				FailoverBenchmark.awaitReady(members, nodes, timing.startupQuietPeriod());
				unpooled.put(FOLLOWING, ClientsBenchmark.followingFactory(members.get(0)));
				unpooled.put(SPRING_BOOT, plainFactory(redis.master(), LettuceClientConfiguration.builder()));
				pooled.put(FOLLOWING, ClientsBenchmark.followingFactory(members.get(0), pooling()));
				pooled.put(SPRING_BOOT, plainFactory(redis.master(), pooling()));
				Stream.of(unpooled, pooled).flatMap((each) -> each.values().stream()).forEach((factory) -> {
					factory.afterPropertiesSet();
					factory.start();
				});
				measure(options, unpooled, pooled, out);
			}
			finally {
				Stream.of(unpooled, pooled)
					.flatMap((each) -> each.values().stream())
					.forEach(LettuceConnectionFactory::destroy);
				members.forEach(RedisHaMember::stop);
			}
		}
	}

	/**
	 * A pool as Spring Boot's defaults make it (8 connections), enough for every thread.
	 */
	private static LettuceClientConfiguration.LettuceClientConfigurationBuilder pooling() {
		return LettucePoolingClientConfiguration.builder().poolConfig(new GenericObjectPoolConfig<>());
	}

	/**
	 * Spring Boot's own factory as its auto-configuration builds it for a standalone
	 * master.
	 */
	private static LettuceConnectionFactory plainFactory(RedisServerProcess master,
			LettuceClientConfiguration.LettuceClientConfigurationBuilder client) {
		return new LettuceConnectionFactory(new RedisStandaloneConfiguration(master.host(), master.port()),
				client.commandTimeout(ClientsBenchmark.WRITE_TIMEOUT)
					.clientOptions(ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled()).build())
					.build());
	}

	private void measure(BenchmarkOptions options, Map<String, LettuceConnectionFactory> unpooled,
			Map<String, LettuceConnectionFactory> pooled, PrintStream out) throws Exception {
		List<String> names = new ArrayList<>(unpooled.keySet());
		Map<String, Latencies> results = new LinkedHashMap<>();
		ExecutorService threads = Executors.newFixedThreadPool(THREADS);
		try {
			out.println(FailoverBenchmark.loadAverage());
			for (int round = 0; round <= options.rounds(); round++) {
				List<String> order = new ArrayList<>(names);
				if (round % 2 == 1) {
					Collections.reverse(order);
				}
				StringBuilder line = new StringBuilder(
						(round == 0) ? "warm-up round (not counted):" : "round " + round + ":");
				for (Workload workload : Workload.values()) {
					for (String name : order) {
						LettuceConnectionFactory factory = Objects
							.requireNonNull((workload.pooled ? pooled : unpooled).get(name));
						Latencies phase = workload.run(new StringRedisTemplate(factory), threads);
						line.append(
								String.format(Locale.ROOT, " %s %s %.0f/s;", workload.label, name, phase.throughput()));
						if (round > 0) {
							results.merge(workload.label + " | " + name, phase, Latencies::plus);
						}
					}
				}
				out.println(line);
			}
			out.println(FailoverBenchmark.loadAverage());
		}
		finally {
			threads.shutdownNow();
		}
		report(results, names, out);
	}

	private static void report(Map<String, Latencies> results, List<String> names, PrintStream out) {
		out.println("| workload | factory | commands/s | p50 | p99 | JVM CPU per command |");
		out.println("|---|---|---:|---:|---:|---:|");
		results.forEach((key, latencies) -> out.printf(Locale.ROOT, "| %s | %.0f | %s | %s | %.1f µs |%n", key,
				latencies.throughput(), micros(latencies.percentile(50)), micros(latencies.percentile(99)),
				latencies.cpuMicrosPerCommand()));
		List<String> costs = new ArrayList<>();
		boolean met = true;
		for (Workload workload : Workload.values()) {
			Latencies following = Objects.requireNonNull(results.get(workload.label + " | " + names.get(0)));
			Latencies plain = Objects.requireNonNull(results.get(workload.label + " | " + names.get(1)));
			double throughputCost = 1 - following.throughput() / plain.throughput();
			double p99Cost = (double) following.percentile(99) / plain.percentile(99) - 1;
			met &= throughputCost <= THROUGHPUT_GOAL && p99Cost <= P99_GOAL;
			double cpuCost = following.cpuMicrosPerCommand() / plain.cpuMicrosPerCommand() - 1;
			costs.add(String.format(Locale.ROOT, "%s: throughput %+.1f %%, p99 %+.1f %%, CPU per command %+.1f %%",
					workload.label, throughputCost * 100, p99Cost * 100, cpuCost * 100));
		}
		out.printf(Locale.ROOT,
				"cost of the master-following factory (%s); goal <= %.0f %% throughput and <= %.0f %%" + " p99: %s%n",
				String.join("; ", costs), THROUGHPUT_GOAL * 100, P99_GOAL * 100, met ? "met" : "NOT met");
	}

	private static String micros(long nanos) {
		return String.format(Locale.ROOT, "%.0f µs", nanos / 1000.0);
	}

	/**
	 * What the threads do for one phase; each returns the latency of each unit of work.
	 */
	private enum Workload {

		SET_GET("SET/GET", 1, false) {
			@Override
			void once(StringRedisTemplate template, String prefix, long i) {
				// SET a key, then GET it: one command per sample.
				String key = prefix + (i / 2 % 1000);
				if (i % 2 == 0) {
					template.opsForValue().set(key, "v");
				}
				else {
					template.opsForValue().get(key);
				}
			}
		},

		PIPELINED("pipelined", PIPELINE, false) {
			@Override
			void once(StringRedisTemplate template, String prefix, long i) {
				pipeline(template, prefix + (i % 1000));
			}
		},

		PIPELINED_POOLED("pipelined, pooled", PIPELINE, true) {
			@Override
			void once(StringRedisTemplate template, String prefix, long i) {
				pipeline(template, prefix + (i % 1000));
			}
		};

		private final String label;

		/**
		 * Commands per sample: a SET/GET sample is one command's latency, a pipelined one
		 * a whole pipeline's.
		 */
		private final int commandsPerSample;

		/**
		 * Whether the pooled factories run it: a pipeline takes a dedicated connection, a
		 * new one without a pool.
		 */
		private final boolean pooled;

		Workload(String label, int commandsPerSample, boolean pooled) {
			this.label = label;
			this.commandsPerSample = commandsPerSample;
			this.pooled = pooled;
		}

		/** SETs and GETs half a pipeline's keys each, in one pipeline. */
		// NullAway: executePipelined needs the callback to return null, which
		// RedisCallback<T extends @Nullable Object> allows only in JSpecify mode.
		@SuppressWarnings("NullAway")
		private static void pipeline(StringRedisTemplate template, String key) {
			template.executePipelined((RedisCallback<Object>) (connection) -> {
				for (int k = 0; k < PIPELINE / 2; k++) {
					byte[] name = (key + ":" + k).getBytes(StandardCharsets.UTF_8);
					connection.stringCommands().set(name, VALUE);
					connection.stringCommands().get(name);
				}
				return null;
			});
		}

		abstract void once(StringRedisTemplate template, String prefix, long i);

		Latencies run(StringRedisTemplate template, ExecutorService threads) throws Exception {
			long end = System.nanoTime() + PHASE.toNanos();
			long started = System.nanoTime();
			long cpuBefore = PROCESS.getProcessCpuTime();
			List<Future<long[]>> runs = new ArrayList<>();
			for (int t = 0; t < THREADS; t++) {
				String prefix = "overhead:" + t + ":";
				runs.add(threads.submit(() -> loop(template, prefix, end)));
			}
			List<long[]> samples = new ArrayList<>();
			for (Future<long[]> run : runs) {
				samples.add(run.get());
			}
			long elapsed = System.nanoTime() - started;
			long cpu = PROCESS.getProcessCpuTime() - cpuBefore;
			long[] all = samples.stream().flatMapToLong(Arrays::stream).toArray();
			return new Latencies(all, (long) all.length * this.commandsPerSample, elapsed, cpu);
		}

		private long[] loop(StringRedisTemplate template, String prefix, long end) {
			long[] samples = new long[1024];
			int n = 0;
			for (long i = 0; System.nanoTime() - end < 0; i++) {
				long start = System.nanoTime();
				once(template, prefix, i);
				long took = System.nanoTime() - start;
				if (n == samples.length) {
					samples = Arrays.copyOf(samples, n * 2);
				}
				samples[n++] = took;
			}
			return Arrays.copyOf(samples, n);
		}

	}

	/**
	 * The latencies of one factory under one workload, over one phase or several.
	 *
	 * @param nanos each sample's latency
	 * @param commands the commands they sent
	 * @param elapsedNanos how long the phases took
	 * @param cpuNanos the CPU time this JVM used meanwhile (the members' included, as in
	 * both phases)
	 */
	private record Latencies(long[] nanos, long commands, long elapsedNanos, long cpuNanos) {

		double throughput() {
			return this.commands * 1e9 / this.elapsedNanos;
		}

		/**
		 * CPU time of this JVM per command: what the factory costs the application, less
		 * sensitive than throughput to other work on a shared machine.
		 */
		double cpuMicrosPerCommand() {
			return this.cpuNanos / 1000.0 / this.commands;
		}

		/** Nearest rank, as {@link Samples} does. */
		long percentile(double p) {
			long[] sorted = this.nanos.clone();
			Arrays.sort(sorted);
			int rank = (int) Math.ceil(p / 100.0 * sorted.length);
			return sorted[Math.max(rank, 1) - 1];
		}

		Latencies plus(Latencies other) {
			long[] both = Arrays.copyOf(this.nanos, this.nanos.length + other.nanos.length);
			System.arraycopy(other.nanos, 0, both, this.nanos.length, other.nanos.length);
			return new Latencies(both, this.commands + other.commands, this.elapsedNanos + other.elapsedNanos,
					this.cpuNanos + other.cpuNanos);
		}

	}

}
