package io.redisha.benchmark;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.DefaultClientResources;
import io.redisha.connection.MasterFollowingConnectionFactory;
import io.redisha.connection.MasterRoute;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerBinary;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.member.GroupSettings;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Planned switchovers under a steady write load: two writer threads SET new keys in a
 * tight loop while the members switch the master over again and again. One writes through
 * a {@link StringRedisTemplate} on a {@link MasterFollowingConnectionFactory} (the
 * application's path), the other on a new raw connection per command to the master a
 * member names (a client that only follows the announcements). Prints, per switchover,
 * its duration and each writer's longest time between two acknowledged writes around it,
 * and at the end how many acknowledged writes the final master lacks (must be 0).
 */
final class SwitchoverBenchmark implements Benchmark {

	private static final String GROUP = FailoverBenchmark.GROUP;

	private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);

	private static final Duration CATCH_UP = Duration.ofSeconds(5);

	@Override
	public String name() {
		return "switchover";
	}

	@Override
	public String description() {
		return "planned switchovers under a steady write load -> lost acknowledged writes, longest write pause";
	}

	@Override
	public void run(BenchmarkOptions options, PrintStream out) throws Exception {
		RedisServerBinary binary = RedisServerBinary.get();
		out.printf(Locale.ROOT, "switchover benchmark: %d switchovers, master + %d replicas, %d members, quorum %d%n",
				options.rounds(), options.replicas(), options.members(), FailoverBenchmark.quorum(options));
		out.println(FailoverBenchmark.machine(binary));
		out.println(FailoverBenchmark.loadAverage());
		GroupConfig.Timing timing = GroupConfig.Timing.defaults();
		try (LocalRedisGroup redis = LocalRedisGroup.start(options.replicas())) {
			List<NodeAddress> nodes = redis.nodes().stream().map(FailoverBenchmark::address).toList();
			GroupConfig config = new GroupConfig(GROUP, nodes, FailoverBenchmark.quorum(options), options.downAfter(),
					Duration.ofSeconds(10), 1, timing);
			List<RedisHaMember> members = new ArrayList<>();
			try {
				for (int i = 0; i < options.members(); i++) {
					RedisHaMember member = new RedisHaMember(
							new MemberIdentity(UUID.randomUUID().toString().substring(0, 12), "benchmark"),
							List.of(new GroupSettings(config, null, null, COMMAND_TIMEOUT,
									FailoverBenchmark.GOSSIP_SEAL)));
					member.start();
					members.add(member);
				}
				FailoverBenchmark.awaitReady(members, nodes, timing.startupQuietPeriod());
				switchovers(options, redis, members, out);
			}
			finally {
				members.forEach(RedisHaMember::stop);
			}
		}
	}

	private void switchovers(BenchmarkOptions options, LocalRedisGroup redis, List<RedisHaMember> members,
			PrintStream out) throws Exception {
		MasterFollowingConnectionFactory factory = new MasterFollowingConnectionFactory(
				new MasterRoute(members.get(0), GROUP, Duration.ofSeconds(2), false),
				new RedisStandaloneConfiguration(),
				LettuceClientConfiguration.builder().commandTimeout(COMMAND_TIMEOUT), DefaultClientResources.builder(),
				ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled()));
		factory.afterPropertiesSet();
		factory.start();
		try {
			StringRedisTemplate template = new StringRedisTemplate(factory);
			RedisHaMember view = members.get(1);
			List<Writer> writers = List.of(new Writer("template", (key, value) -> {
				template.opsForValue().set(key, value);
				return true;
			}), new Writer("raw",
					(key, value) -> "OK"
						.equals(Objects.requireNonNull(redis.nodeOnPort(FailoverBenchmark.master(view).port()))
							.command("SET", key, value))));
			switchovers(options, redis, members, writers, out);
		}
		finally {
			factory.destroy();
		}
	}

	private void switchovers(BenchmarkOptions options, LocalRedisGroup redis, List<RedisHaMember> members,
			List<Writer> writers, PrintStream out) throws Exception {
		List<Thread> threads = new ArrayList<>();
		for (Writer writer : writers) {
			Thread thread = new Thread(writer, "switchover-benchmark-" + writer.name);
			thread.start();
			threads.add(thread);
		}
		Samples durations = new Samples("switchover requested -> ended");
		List<Samples> pauses = writers.stream()
			.map((writer) -> new Samples("longest time between two acknowledged writes (" + writer.name + ")"))
			.toList();
		int refused = 0;
		try {
			for (int i = 1; i <= options.rounds(); i++) {
				awaitSettled(members, options.replicas());
				writers.forEach((writer) -> writer.awaitWrites(200));
				RedisHaMember leader = members.get(i % members.size());
				long requestedAt = System.nanoTime();
				RedisHaMember.CommandResult result = leader.switchover(GROUP, null, CATCH_UP, Duration.ofSeconds(5));
				if (result.finished() == null) {
					refused++;
					out.printf(Locale.ROOT, "switchover %d: refused: %s%n", i, result.outcome().message());
					continue;
				}
				FailoverSnapshot switchover = result.finished().get(60, TimeUnit.SECONDS);
				long endedAt = System.nanoTime();
				writers.forEach((writer) -> writer.awaitWrites(200));
				List<String> longest = new ArrayList<>();
				for (int w = 0; w < writers.size(); w++) {
					long pause = writers.get(w).longestGap(requestedAt, System.nanoTime());
					longest.add(writers.get(w).name + " " + Samples.millis(Duration.ofNanos(pause)));
					if (switchover.succeeded()) {
						pauses.get(w).add(pause);
					}
				}
				if (!switchover.succeeded()) {
					refused++;
				}
				else {
					durations.add(endedAt - requestedAt);
				}
				out.printf(Locale.ROOT, "switchover %d: %s -> %s %s in %s, longest write pause %s; steps %s%n", i,
						switchover.oldMaster(), switchover.newMaster(), switchover.result(),
						Samples.millis(Duration.ofNanos(endedAt - requestedAt)), String.join(", ", longest),
						switchover.steps()
							.stream()
							.map((step) -> step.name().split(" ")[0] + "@" + step.atMs())
							.toList());
			}
		}
		finally {
			writers.forEach(Writer::stop);
			for (Thread thread : threads) {
				thread.join();
			}
		}
		awaitSettled(members, options.replicas());
		NodeAddress master = FailoverBenchmark.master(members.get(0));
		out.println(FailoverBenchmark.loadAverage());
		out.println(durations.summary());
		pauses.forEach((samples) -> out.println(samples.summary()));
		boolean met = true;
		for (int w = 0; w < writers.size(); w++) {
			Writer writer = writers.get(w);
			long lost = writer.lostOn(Objects.requireNonNull(redis.nodeOnPort(master.port())));
			out.printf(Locale.ROOT,
					"%s writer: acknowledged writes: %d, lost: %d, failed or unacknowledged attempts: %d%n",
					writer.name, writer.acknowledged(), lost, writer.failures());
			met &= lost == 0 && pauses.get(w).count() > 0 && pauses.get(w).percentile(100).toMillis() <= 200;
		}
		out.printf(Locale.ROOT, "switchovers refused or aborted: %d%n", refused);
		out.printf(Locale.ROOT, "goal: 0 lost and longest pause <= 200 ms for every writer: %s%n",
				met ? "met" : "NOT met");
	}

	/**
	 * Every member names the same master, all replicas linked to it, and nobody is
	 * failing over.
	 */
	private static void awaitSettled(List<RedisHaMember> members, int replicas) {
		FailoverBenchmark.waitUntil("every member agrees on a master with " + replicas + " linked replicas", () -> {
			NodeAddress master = null;
			for (RedisHaMember member : members) {
				GroupSnapshot snapshot = FailoverBenchmark.snapshot(member);
				if (snapshot.master() == null || snapshot.state() != io.redisha.protocol.GroupState.OK
						|| (master != null && !master.equals(snapshot.master().address()))
						|| snapshot.replicas()
							.stream()
							.filter((node) -> "up".equals(node.linkStatus()))
							.count() != replicas) {
					return false;
				}
				master = snapshot.master().address();
			}
			return true;
		});
	}

	/** One way to write a key; true when the write was acknowledged. */
	@FunctionalInterface
	private interface KeyWriter {

		boolean set(String key, String value);

	}

	/**
	 * Writes new keys one at a time and remembers which were acknowledged and when. A
	 * failed write (READONLY from the demoted master, a timeout while writes are paused,
	 * a command cut short by the switch) is not acknowledged.
	 */
	private static final class Writer implements Runnable {

		private final String name;

		private final KeyWriter keys;

		private final AtomicBoolean running = new AtomicBoolean(true);

		/** Acknowledged keys by index, and when each was acknowledged. */
		private final List<Long> acknowledgedAt = new ArrayList<>();

		private final List<Integer> acknowledgedKeys = new ArrayList<>();

		private int failures;

		Writer(String name, KeyWriter keys) {
			this.name = name;
			this.keys = keys;
		}

		private String key(int i) {
			return this.name + ":" + i;
		}

		@Override
		public void run() {
			for (int i = 0; this.running.get(); i++) {
				try {
					if (this.keys.set(key(i), Integer.toString(i))) {
						synchronized (this) {
							this.acknowledgedKeys.add(i);
							this.acknowledgedAt.add(System.nanoTime());
						}
						continue;
					}
				}
				catch (RuntimeException ex) {
					// Not acknowledged: READONLY, a timeout during the pause, a command
					// cut short by the switch.
				}
				synchronized (this) {
					this.failures++;
				}
			}
		}

		void stop() {
			this.running.set(false);
		}

		synchronized int acknowledged() {
			return this.acknowledgedKeys.size();
		}

		synchronized int failures() {
			return this.failures;
		}

		void awaitWrites(int more) {
			int target = acknowledged() + more;
			FailoverBenchmark.waitUntil(more + " more acknowledged writes", () -> acknowledged() >= target);
		}

		/**
		 * The longest time between two consecutive acknowledged writes within the window.
		 */
		synchronized long longestGap(long from, long to) {
			long longest = 0;
			long previous = from;
			for (long at : this.acknowledgedAt) {
				if (at > from && at <= to) {
					longest = Math.max(longest, at - previous);
					previous = at;
				}
			}
			return longest;
		}

		/** How many acknowledged keys the node lacks, asked with EXISTS in batches. */
		synchronized long lostOn(RedisServerProcess master) {
			long lost = 0;
			for (int start = 0; start < this.acknowledgedKeys.size(); start += 1000) {
				List<Integer> batch = this.acknowledgedKeys.subList(start,
						Math.min(start + 1000, this.acknowledgedKeys.size()));
				String[] command = new String[batch.size() + 1];
				command[0] = "EXISTS";
				for (int i = 0; i < batch.size(); i++) {
					command[i + 1] = key(batch.get(i));
				}
				lost += batch.size() - (Long) Objects.requireNonNull(master.command(command));
			}
			return lost;
		}

	}

}
