package io.redisha.sentinel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.redisha.autoconfigure.RedisHaAutoConfiguration;
import io.redisha.embedded.RedisServerBinary;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.NodeAddress;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisSentinelPool;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.core.StringRedisTemplate;

import static io.redisha.sentinel.EndpointMembers.EVENTUALLY;
import static io.redisha.sentinel.EndpointMembers.GROUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sentinel clients no one here wrote, pointed at three application instances' endpoints
 * over a real master and two replicas: each finds the master, writes, and writes to the
 * new master after the old one is killed (SIGKILL), with no step of its own but what it
 * does with real Sentinels.
 */
class SentinelClientsTest {

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(2);

	@Test
	void lettuceJedisAndSpringBootFollowTheFailover() {
		try (EndpointMembers members = EndpointMembers.start(redis.group(), 3).awaitReady();
				JedisSentinelPool jedis = jedisPool(members)) {
			RedisClient lettuceClient = RedisClient.create(lettuceUri(members));
			try (StatefulRedisConnection<String, String> lettuce = lettuceClient.connect()) {
				springBootClient(members).run((context) -> {
					StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
					Map<String, Consumer<String>> clients = Map.of("lettuce", (key) -> lettuce.sync().set(key, key),
							"jedis", (key) -> {
								try (Jedis connection = jedis.getResource()) {
									connection.set(key, key);
								}
							}, "spring-boot", (key) -> template.opsForValue().set(key, key));
					NodeAddress oldMaster = master(members);
					clients.forEach((name, client) -> writeAndFind(client, name + ":before", oldMaster));
					kill(oldMaster);
					NodeAddress newMaster = members.awaitNewMaster(oldMaster);
					clients.forEach((name, client) -> await(name + " writes to the new master").atMost(EVENTUALLY)
						.ignoreExceptions()
						.untilAsserted(() -> writeAndFind(client, name + ":after", newMaster)));
				});
			}
			finally {
				lettuceClient.shutdown();
			}
		}
	}

	@Test
	void redisCliFindsTheMasterAndHearsTheSwitch() {
		Path cli = ClientProcess.redisCli();
		Assumptions.assumeTrue(cli != null,
				"no redis-cli next to " + RedisServerBinary.get().path() + ": the redis-cli client test is skipped");
		try (EndpointMembers members = EndpointMembers.start(redis.group(), 3).awaitReady()) {
			NodeAddress oldMaster = master(members);
			for (int i = 0; i < 3; i++) {
				assertThat(ClientProcess.run(List.of(cli.toString(), "-p", Integer.toString(members.port(i)),
						"SENTINEL", "get-master-addr-by-name", GROUP)))
					.containsExactly(oldMaster.host(), Integer.toString(oldMaster.port()));
			}
			try (ClientProcess subscriber = new ClientProcess(
					List.of(cli.toString(), "-p", Integer.toString(members.port(1)), "SUBSCRIBE", "+switch-master"));
					ClientProcess everything = new ClientProcess(
							List.of(cli.toString(), "-p", Integer.toString(members.port(2)), "PSUBSCRIBE", "*"))) {
				await("redis-cli subscribed").atMost(EVENTUALLY)
					.until(() -> subscriber.lines().containsAll(List.of("subscribe", "+switch-master", "1"))
							&& everything.lines().containsAll(List.of("psubscribe", "*", "1")));
				kill(oldMaster);
				NodeAddress newMaster = members.awaitNewMaster(oldMaster);
				String payload = GROUP + " " + oldMaster.host() + " " + oldMaster.port() + " " + newMaster.host() + " "
						+ newMaster.port();
				await("redis-cli receives +switch-master").atMost(EVENTUALLY)
					.untilAsserted(() -> assertThat(subscriber.lines()).containsSubsequence("message", "+switch-master",
							payload));
				// A member that learns of the switch before its own down-after passed
				// tells no +sdown: no check of it.
				await("redis-cli receives +switch-master through its pattern").atMost(EVENTUALLY)
					.untilAsserted(() -> assertThat(everything.lines()).containsSubsequence("pmessage", "*",
							"+switch-master", payload));
				assertThat(ClientProcess.run(List.of(cli.toString(), "-p", Integer.toString(members.port(2)),
						"SENTINEL", "get-master-addr-by-name", GROUP)))
					.containsExactly(newMaster.host(), Integer.toString(newMaster.port()));
			}
		}
	}

	@Test
	void redisPyFollowsTheFailover() throws Exception {
		String python = ClientProcess.pythonWithRedis();
		Assumptions.assumeTrue(python != null,
				"no Python 3 with redis-py (Debian: apt-get install python3-redis): the redis-py client test is skipped");
		Path script = Path.of(getClass().getResource("redis_py_client.py").toURI());
		try (EndpointMembers members = EndpointMembers.start(redis.group(), 3).awaitReady();
				ClientProcess client = new ClientProcess(List.of(python, script.toString(), GROUP,
						members.endpoints().stream().map(NodeAddress::toString).collect(Collectors.joining(","))))) {
			await("redis-py started").atMost(EVENTUALLY).until(() -> client.lines().contains("ready"));
			NodeAddress oldMaster = master(members);
			client.send("python:before");
			await("redis-py writes").atMost(EVENTUALLY)
				.until(() -> client.lines().contains("ok python:before " + oldMaster));
			assertThat(node(oldMaster).command("GET", "python:before")).isEqualTo("python:before");
			kill(oldMaster);
			NodeAddress newMaster = members.awaitNewMaster(oldMaster);
			client.send("python:after");
			await("redis-py writes to the new master").atMost(EVENTUALLY)
				.untilAsserted(() -> assertThat(client.lines())
					.anyMatch((line) -> line.startsWith("ok python:after") || line.startsWith("failed python:after")));
			assertThat(node(newMaster).command("GET", "python:after")).as("redis-py said %s", client.lines())
				.isEqualTo("python:after");
		}
	}

	@Test
	void jedisForcesAFailoverThroughAnEndpointThatAllowsIt() {
		// Available mode: consistent mode refuses to force a failover of a live master
		// whose replicas stream.
		try (EndpointMembers members = EndpointMembers
			.start(redis.group(), 3, "redis-ha.sentinel.allow-failover=true",
					"redis-ha.groups." + GROUP + ".partition-mode=available")
			.awaitReady(); Jedis sentinel = new Jedis(members.endpoints().get(1).host(), members.port(1))) {
			NodeAddress oldMaster = master(members);
			// Refused for now while the members still elect a voter (Sentinel's INPROG)
			// or a busy machine
			// stalled a member (TILT: "try again"), as an operator would see.
			await("SENTINEL FAILOVER accepted").atMost(EVENTUALLY)
				.ignoreExceptionsMatching((ex) -> ex.getMessage().startsWith("INPROG Failover already in progress")
						|| ex.getMessage().contains("try again"))
				.until(() -> sentinel.sentinelFailover(GROUP).equals("OK"));
			NodeAddress newMaster = members.awaitNewMaster(oldMaster);
			assertThat(sentinel.sentinelGetMasterAddrByName(GROUP)).containsExactly(newMaster.host(),
					Integer.toString(newMaster.port()));
		}
	}

	private static void writeAndFind(Consumer<String> client, String key, NodeAddress master) {
		client.accept(key);
		assertThat(node(master).command("GET", key)).as("%s on %s", key, master).isEqualTo(key);
	}

	private static NodeAddress master(EndpointMembers members) {
		return members.member(0).snapshot(GROUP).master().address();
	}

	private static RedisServerProcess node(NodeAddress address) {
		return redis.group().nodeOnPort(address.port());
	}

	private static void kill(NodeAddress master) {
		node(master).kill();
	}

	private static RedisURI lettuceUri(EndpointMembers members) {
		RedisURI.Builder builder = null;
		for (NodeAddress endpoint : members.endpoints()) {
			builder = (builder == null) ? RedisURI.Builder.sentinel(endpoint.host(), endpoint.port(), GROUP)
					: builder.withSentinel(endpoint.host(), endpoint.port());
		}
		return builder.withTimeout(Duration.ofSeconds(2)).build();
	}

	private static JedisSentinelPool jedisPool(EndpointMembers members) {
		Set<String> sentinels = new LinkedHashSet<>();
		members.endpoints().forEach((endpoint) -> sentinels.add(endpoint.toString()));
		return new JedisSentinelPool(GROUP, sentinels, new GenericObjectPoolConfig<>(), 2_000);
	}

	/** An application with Spring Boot's own Sentinel support and redis-ha turned off. */
	private static ApplicationContextRunner springBootClient(EndpointMembers members) {
		List<String> nodes = new ArrayList<>();
		members.endpoints().forEach((endpoint) -> nodes.add(endpoint.toString()));
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RedisHaAutoConfiguration.class, DataRedisAutoConfiguration.class))
			.withPropertyValues("redis-ha.enabled=false", "spring.data.redis.timeout=2s",
					"spring.data.redis.sentinel.master=" + GROUP,
					"spring.data.redis.sentinel.nodes=" + String.join(",", nodes));
	}

}
