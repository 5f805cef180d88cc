package io.redisha.benchmark;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerBinary;
import io.redisha.member.GroupSettings;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import io.redisha.sentinel.SentinelEndpointSettings;
import io.redisha.sentinel.SentinelServer;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisSentinelPool;

import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Sentinel clients across a failover: Lettuce's own Sentinel support, Jedis's
 * {@link JedisSentinelPool} and Spring Data's {@link RedisSentinelConfiguration}, each
 * writing in a tight loop on its own thread, the master killed with SIGKILL, measured
 * from just before the kill to each client's first write acknowledged after it
 * (necessarily by the new master: the old one is dead, the replicas refuse writes). Once
 * pointed at the Sentinel-protocol endpoints of redis-ha members (in this JVM), once at
 * real Sentinels ({@code redis-server
 * --sentinel}, quorum 2). Same topology, same down-after.
 */
final class SentinelClientsBenchmark implements Benchmark {

	private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);

	private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

	private static final List<String> CLIENTS = List.of("Lettuce", "Jedis", "Spring Data");

	@Override
	public String name() {
		return "sentinel-clients";
	}

	@Override
	public String description() {
		return "SIGKILL of the master -> first write acknowledged by the new master through Lettuce, Jedis and"
				+ " Spring Data's Sentinel support, pointed at redis-ha's Sentinel endpoints vs at real Sentinels";
	}

	@Override
	public void run(BenchmarkOptions options, PrintStream out) throws Exception {
		RedisServerBinary binary = RedisServerBinary.get();
		out.printf(Locale.ROOT,
				"sentinel-clients benchmark: %d rounds each, master + %d replicas, down-after %d ms;"
						+ " %d redis-ha members with endpoints (quorum %d), %d Sentinels (quorum 2)%n",
				options.rounds(), options.replicas(), options.downAfter().toMillis(), options.members(),
				FailoverBenchmark.quorum(options), Sentinels.COUNT);
		out.println(FailoverBenchmark.machine(binary));
		out.println(FailoverBenchmark.loadAverage());
		out.println("warm-up round (not counted): redis-ha " + describe(endpointsRound(options)) + "; Sentinel "
				+ describe(sentinelsRound(options, binary)));
		Map<String, Samples> endpoints = samples("redis-ha endpoints");
		Map<String, Samples> sentinels = samples("Sentinels");
		for (int i = 1; i <= options.rounds(); i++) {
			Map<String, Long> ha = endpointsRound(options);
			Map<String, Long> classic = sentinelsRound(options, binary);
			ha.forEach((client, nanos) -> Objects.requireNonNull(endpoints.get(client)).add(nanos));
			classic.forEach((client, nanos) -> Objects.requireNonNull(sentinels.get(client)).add(nanos));
			out.printf(Locale.ROOT, "round %d: redis-ha %s; Sentinel %s%n", i, describe(ha), describe(classic));
		}
		out.println(FailoverBenchmark.loadAverage());
		for (String client : CLIENTS) {
			out.println(Objects.requireNonNull(endpoints.get(client)).summary());
			out.println(Objects.requireNonNull(sentinels.get(client)).summary());
		}
	}

	private static Map<String, Samples> samples(String through) {
		Map<String, Samples> samples = new LinkedHashMap<>();
		CLIENTS.forEach((client) -> samples.put(client,
				new Samples(client + " through " + through + ": kill -> first write acknowledged by the new master")));
		return samples;
	}

	private Map<String, Long> endpointsRound(BenchmarkOptions options) throws IOException {
		try (LocalRedisGroup redis = LocalRedisGroup.start(options.replicas())) {
			List<NodeAddress> nodes = redis.nodes().stream().map(FailoverBenchmark::address).toList();
			GroupConfig.Timing timing = FailoverBenchmark.timing(options);
			GroupConfig config = new GroupConfig(FailoverBenchmark.GROUP, nodes, FailoverBenchmark.quorum(options),
					options.downAfter(), Duration.ofSeconds(10), 1, timing);
			List<RedisHaMember> members = new ArrayList<>();
			List<SentinelServer> servers = new ArrayList<>();
			List<String> endpoints = new ArrayList<>();
			try {
				// Members first, all at once as in the other benchmarks; their endpoints
				// once they run.
				for (int i = 0; i < options.members(); i++) {
					NodeAddress endpoint = new NodeAddress("127.0.0.1", Sentinels.freePort());
					RedisHaMember member = new RedisHaMember(
							new MemberIdentity(UUID.randomUUID().toString().substring(0, 12), "benchmark", endpoint),
							List.of(new GroupSettings(config, null, null, COMMAND_TIMEOUT,
									FailoverBenchmark.GOSSIP_SEAL)));
					member.start();
					members.add(member);
				}
				for (RedisHaMember member : members) {
					NodeAddress endpoint = Objects.requireNonNull(member.identity().endpoint());
					SentinelServer server = new SentinelServer(member, new SentinelEndpointSettings(endpoint.host(),
							endpoint.port(), null, null, 128, Duration.ofMinutes(5), false));
					server.start();
					servers.add(server);
					endpoints.add(endpoint.toString());
				}
				FailoverBenchmark.awaitReady(members, nodes, timing.startupQuietPeriod());
				return killMasterWhileWriting(redis, endpoints, options.pingPeriod());
			}
			finally {
				servers.forEach(SentinelServer::stop);
				members.forEach(RedisHaMember::stop);
			}
		}
	}

	private Map<String, Long> sentinelsRound(BenchmarkOptions options, RedisServerBinary binary) throws IOException {
		try (LocalRedisGroup redis = LocalRedisGroup.start(options.replicas());
				Sentinels sentinels = Sentinels.start(binary, redis.master().address(), options.downAfter(),
						(index, port) -> Sentinels.Wiring.direct(port))) {
			sentinels.awaitReady(options.replicas());
			return killMasterWhileWriting(redis, sentinels.addresses(), options.pingPeriod());
		}
	}

	/**
	 * Opens every client on these Sentinels, kills the master at a random moment of the
	 * PING period, and times each client's first write after.
	 */
	private static Map<String, Long> killMasterWhileWriting(LocalRedisGroup redis, List<String> sentinels,
			Duration pingPeriod) {
		RedisClient lettuceClient = RedisClient.create(lettuceUri(sentinels));
		LettuceConnectionFactory springData = springDataFactory(sentinels);
		ExecutorService writers = Executors.newFixedThreadPool(CLIENTS.size());
		try (StatefulRedisConnection<String, String> lettuce = lettuceClient.connect();
				JedisSentinelPool jedis = new JedisSentinelPool(FailoverBenchmark.GROUP, new LinkedHashSet<>(sentinels),
						new GenericObjectPoolConfig<>(), (int) ClientsBenchmark.WRITE_TIMEOUT.toMillis())) {
			StringRedisTemplate template = new StringRedisTemplate(springData);
			Map<String, Consumer<String>> clients = new LinkedHashMap<>();
			clients.put("Lettuce", (key) -> lettuce.sync().set(key, "1"));
			clients.put("Jedis", (key) -> {
				try (Jedis connection = jedis.getResource()) {
					connection.set(key, "1");
				}
			});
			clients.put("Spring Data", (key) -> template.opsForValue().set(key, "1"));
			clients.forEach((client, write) -> write.accept("before:" + client));
			long killedAt = FailoverBenchmark.killAtRandomPhase(redis.master(), pingPeriod);
			Map<String, Future<Long>> firstWrites = new LinkedHashMap<>();
			clients.forEach((client, write) -> firstWrites.put(client,
					writers.submit(() -> firstWriteAfter(killedAt, client, write))));
			Map<String, Long> elapsed = new LinkedHashMap<>();
			for (Map.Entry<String, Future<Long>> firstWrite : firstWrites.entrySet()) {
				elapsed.put(firstWrite.getKey(), firstWrite.getValue().get());
			}
			return elapsed;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (java.util.concurrent.ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
		finally {
			writers.shutdownNow();
			springData.destroy();
			lettuceClient.shutdown();
		}
	}

	/**
	 * Writes until one is acknowledged; the nanoseconds from the kill to that
	 * acknowledgement.
	 */
	private static long firstWriteAfter(long killedAt, String client, Consumer<String> write) {
		for (long i = 0;; i++) {
			if (System.nanoTime() - killedAt > SETTLE_TIMEOUT.toNanos()) {
				throw new IllegalStateException(client + ": no write acknowledged within " + SETTLE_TIMEOUT);
			}
			try {
				write.accept("w:" + client + ":" + i);
				return System.nanoTime() - killedAt;
			}
			catch (RuntimeException ex) {
				// The master is gone: keep writing, as an application would.
			}
		}
	}

	private static RedisURI lettuceUri(List<String> sentinels) {
		NodeAddress first = NodeAddress.parse(sentinels.get(0));
		RedisURI.Builder builder = RedisURI.Builder.sentinel(first.host(), first.port(), FailoverBenchmark.GROUP);
		sentinels.stream()
			.skip(1)
			.map(NodeAddress::parse)
			.forEach((sentinel) -> builder.withSentinel(sentinel.host(), sentinel.port()));
		return builder.withTimeout(ClientsBenchmark.WRITE_TIMEOUT).build();
	}

	private static LettuceConnectionFactory springDataFactory(List<String> sentinels) {
		RedisSentinelConfiguration configuration = new RedisSentinelConfiguration();
		configuration.master(FailoverBenchmark.GROUP);
		sentinels.forEach((address) -> configuration.sentinel(RedisNode.fromString(address)));
		LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration,
				LettuceClientConfiguration.builder().commandTimeout(ClientsBenchmark.WRITE_TIMEOUT).build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	private static String describe(Map<String, Long> round) {
		List<String> parts = new ArrayList<>();
		round.forEach((client, nanos) -> parts.add(client + " " + Samples.millis(Duration.ofNanos(nanos))));
		return String.join(", ", parts);
	}

}
