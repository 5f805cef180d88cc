package io.redisha.benchmark;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.redisha.connection.MasterFollowingConnectionFactory;
import io.redisha.connection.MasterRoute;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerBinary;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.NodeAddress;

import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Clients across a failover, side by side: a writer in a tight loop through Spring Data's
 * {@link StringRedisTemplate}, the master killed with SIGKILL, measured from just before
 * the kill to the first write acknowledged after it (necessarily by the new master). Once
 * with redis-ha (members in this JVM, the template on a
 * {@link MasterFollowingConnectionFactory}), once with Spring Data's own Sentinel support
 * ({@code LettuceConnectionFactory} on a {@link RedisSentinelConfiguration}) against real
 * Sentinels ({@code redis-server --sentinel}, quorum 2). Same topology, same down-after.
 * Also counts the writes acknowledged after the kill that the new master does not have:
 * acknowledged by the old master after the switch (must be 0).
 */
final class ClientsBenchmark implements Benchmark {

	/**
	 * The command timeout of every benchmark client ({@code spring.data.redis.timeout}).
	 */
	static final Duration WRITE_TIMEOUT = Duration.ofSeconds(2);

	private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

	@Override
	public String name() {
		return "clients";
	}

	@Override
	public String description() {
		return "SIGKILL of the master -> first write through a StringRedisTemplate acknowledged by the new master,"
				+ " redis-ha vs Spring Boot's Sentinel support";
	}

	@Override
	public void run(BenchmarkOptions options, PrintStream out) throws Exception {
		RedisServerBinary binary = RedisServerBinary.get();
		out.printf(Locale.ROOT,
				"clients benchmark: %d rounds each, master + %d replicas, down-after %d ms; redis-ha "
						+ "with %d members (quorum %d), Sentinel with %d sentinels (quorum 2)%n",
				options.rounds(), options.replicas(), options.downAfter().toMillis(), options.members(),
				FailoverBenchmark.quorum(options), Sentinels.COUNT);
		out.println(FailoverBenchmark.machine(binary));
		Samples redisHa = new Samples("redis-ha: kill -> first write acknowledged by the new master");
		Samples sentinel = new Samples("Sentinel: kill -> first write acknowledged by the new master");
		long redisHaStale = 0;
		long sentinelStale = 0;
		out.println(FailoverBenchmark.loadAverage());
		out.println("warm-up round (not counted): redis-ha " + redisHaRound(options).describe() + "; Sentinel "
				+ sentinelRound(options, binary).describe());
		for (int i = 1; i <= options.rounds(); i++) {
			Round ha = redisHaRound(options);
			Round classic = sentinelRound(options, binary);
			redisHa.add(ha.firstWriteNanos());
			sentinel.add(classic.firstWriteNanos());
			redisHaStale += ha.notOnNewMaster();
			sentinelStale += classic.notOnNewMaster();
			out.printf(Locale.ROOT, "round %d: redis-ha %s; Sentinel %s%n", i, ha.describe(), classic.describe());
		}
		out.println(FailoverBenchmark.loadAverage());
		out.println(redisHa.summary());
		out.println(sentinel.summary());
		out.printf(Locale.ROOT,
				"writes acknowledged after the kill but missing on the new master: redis-ha %d, " + "Sentinel %d%n",
				redisHaStale, sentinelStale);
		double ratio = (double) redisHa.percentile(50).toNanos() / sentinel.percentile(50).toNanos();
		Duration goal = options.downAfter().plusMillis(250);
		out.printf(Locale.ROOT,
				"median ratio redis-ha / Sentinel: %.2f (goal <= 0.5: %s); redis-ha median <= "
						+ "down-after + 250 ms = %d ms: %s%n",
				ratio, (ratio <= 0.5) ? "met" : "NOT met", goal.toMillis(),
				(redisHa.percentile(50).compareTo(goal) <= 0) ? "met" : "NOT met");
	}

	private Round redisHaRound(BenchmarkOptions options) {
		try (LocalRedisGroup redis = LocalRedisGroup.start(options.replicas())) {
			List<NodeAddress> nodes = redis.nodes().stream().map(FailoverBenchmark::address).toList();
			GroupConfig.Timing timing = FailoverBenchmark.timing(options);
			List<RedisHaMember> members = FailoverBenchmark.startMembers(options,
					FailoverBenchmark.config(options, nodes, timing));
			MasterFollowingConnectionFactory factory = null;
			try {
				FailoverBenchmark.awaitReady(members, nodes, timing.startupQuietPeriod());
				factory = followingFactory(members.get(0));
				return killMasterWhileWriting(redis, factory, options.pingPeriod());
			}
			finally {
				if (factory != null) {
					factory.destroy();
				}
				members.forEach(RedisHaMember::stop);
			}
		}
	}

	/**
	 * An application's connection factory as redis-ha configures it, following this
	 * member's group.
	 */
	static MasterFollowingConnectionFactory followingFactory(RedisHaMember member) {
		return followingFactory(member, LettuceClientConfiguration.builder(), DefaultClientResources.builder());
	}

	/** The same, from this client configuration (a pooling one, say). */
	static MasterFollowingConnectionFactory followingFactory(RedisHaMember member,
			LettuceClientConfiguration.LettuceClientConfigurationBuilder client) {
		return followingFactory(member, client, DefaultClientResources.builder());
	}

	/** The same, its Lettuce resources built from {@code resources}. */
	static MasterFollowingConnectionFactory followingFactory(RedisHaMember member, ClientResources.Builder resources) {
		return followingFactory(member, LettuceClientConfiguration.builder(), resources);
	}

	private static MasterFollowingConnectionFactory followingFactory(RedisHaMember member,
			LettuceClientConfiguration.LettuceClientConfigurationBuilder client, ClientResources.Builder resources) {
		return new MasterFollowingConnectionFactory(
				new MasterRoute(member, FailoverBenchmark.GROUP, Duration.ofSeconds(2), false),
				new RedisStandaloneConfiguration(), client.commandTimeout(WRITE_TIMEOUT), resources,
				ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled()));
	}

	private Round sentinelRound(BenchmarkOptions options, RedisServerBinary binary) throws IOException {
		try (LocalRedisGroup redis = LocalRedisGroup.start(options.replicas());
				Sentinels sentinels = Sentinels.start(binary, redis.master().address(), options.downAfter(),
						(index, port) -> Sentinels.Wiring.direct(port))) {
			sentinels.awaitReady(options.replicas());
			RedisSentinelConfiguration configuration = new RedisSentinelConfiguration();
			configuration.master(FailoverBenchmark.GROUP);
			sentinels.addresses().forEach((address) -> configuration.sentinel(RedisNode.fromString(address)));
			LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration,
					LettuceClientConfiguration.builder().commandTimeout(WRITE_TIMEOUT).build());
			try {
				return killMasterWhileWriting(redis, factory, options.pingPeriod());
			}
			finally {
				factory.destroy();
			}
		}
	}

	/**
	 * Both systems PING every second by default: the kill falls at a random moment of
	 * that period.
	 */
	private static Round killMasterWhileWriting(LocalRedisGroup redis, LettuceConnectionFactory factory,
			Duration pingPeriod) {
		factory.afterPropertiesSet();
		factory.start();
		StringRedisTemplate template = new StringRedisTemplate(factory);
		template.opsForValue().set("before", "1");
		List<String> acknowledgedAfterKill = new ArrayList<>();
		long killedAt = FailoverBenchmark.killAtRandomPhase(redis.master(), pingPeriod);
		long firstAt = -1;
		long deadline = killedAt + SETTLE_TIMEOUT.toNanos();
		for (long i = 0; firstAt < 0 || System.nanoTime() - firstAt < TimeUnit.MILLISECONDS.toNanos(200); i++) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("no write acknowledged within " + SETTLE_TIMEOUT + " after the kill");
			}
			String key = "w:" + i;
			try {
				template.opsForValue().set(key, "1");
				acknowledgedAfterKill.add(key);
				if (firstAt < 0) {
					firstAt = System.nanoTime();
				}
			}
			catch (RuntimeException ex) {
				// The master is gone: keep writing, as an application would.
			}
		}
		RedisServerProcess newMaster = redis.nodes()
			.stream()
			.filter((node) -> node.isAlive() && "master".equals(node.role()))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("no master after the failover"));
		long missing = acknowledgedAfterKill.stream()
			.filter((key) -> !"1".equals(newMaster.command("GET", key)))
			.count();
		return new Round(FailoverBenchmark.address(newMaster), firstAt - killedAt, acknowledgedAfterKill.size(),
				missing);
	}

	/** One kill and what the writer saw. */
	private record Round(NodeAddress newMaster, long firstWriteNanos, int acknowledged, long notOnNewMaster) {

		String describe() {
			return String.format(Locale.ROOT, "first write on %s after %s (%d acknowledged, %d missing)",
					this.newMaster, Samples.millis(Duration.ofNanos(this.firstWriteNanos)), this.acknowledged,
					this.notOnNewMaster);
		}

	}

}
