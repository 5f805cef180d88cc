package io.redisha.sentinel;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.lettuce.core.ConnectionState;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.sentinel.StatefulRedisSentinelConnectionImpl;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.redisha.autoconfigure.RedisHaAutoConfiguration;
import io.redisha.embedded.RedisServerBinary;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.NodeAddress;
import io.redisha.testing.Members;
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

import static io.redisha.testing.Members.EVENTUALLY;
import static io.redisha.testing.Members.GROUP;
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
		try (Members members = Members.startApplications(redis.group(), 3).awaitReady();
				JedisSentinelPool jedis = jedisPool(members)) {
			// Lettuce's default protocol: HELLO 3, RESP2 only if it is refused.
			RedisClient lettuceClient = RedisClient.create(lettuceUri(members));
			try (StatefulRedisConnection<String, String> lettuce = lettuceClient.connect();
					StatefulRedisSentinelConnection<String, String> sentinel = lettuceClient
						.connectSentinel(RedisURI.create("127.0.0.1", members.port(0)));
					StatefulRedisPubSubConnection<String, String> events = lettuceClient
						.connectPubSub(RedisURI.create("127.0.0.1", members.port(1)))) {
				assertThat(((StatefulRedisSentinelConnectionImpl<?, ?>) sentinel).getConnectionState())
					.returns(ProtocolVersion.RESP3, ConnectionState::getNegotiatedProtocolVersion)
					.returns("sentinel", ConnectionState::getMode);
				assertThat(((StatefulRedisConnectionImpl<?, ?>) events).getConnectionState())
					.returns(ProtocolVersion.RESP3, ConnectionState::getNegotiatedProtocolVersion);
				List<String> switches = new CopyOnWriteArrayList<>();
				events.addListener(new RedisPubSubAdapter<>() {

					@Override
					public void message(String channel, String message) {
						switches.add(channel + " " + message);
					}

				});
				events.sync().subscribe("+switch-master");
				springBootClient(members).run((context) -> {
					StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
					Map<String, Consumer<String>> clients = Map.of("lettuce", (key) -> lettuce.sync().set(key, key),
							"jedis", (key) -> {
								try (Jedis connection = jedis.getResource()) {
									connection.set(key, key);
								}
							}, "spring-boot", (key) -> template.opsForValue().set(key, key));
					NodeAddress oldMaster = master(members);
					assertThat((InetSocketAddress) sentinel.sync().getMasterAddrByName(GROUP))
						.returns(oldMaster.host(), InetSocketAddress::getHostString)
						.returns(oldMaster.port(), InetSocketAddress::getPort);
					assertThat(sentinel.sync().masters()).singleElement()
						.satisfies((master) -> assertThat(master).containsEntry("name", GROUP)
							.containsEntry("port", Integer.toString(oldMaster.port())));
					clients.forEach((name, client) -> writeAndFind(client, name + ":before", oldMaster));
					kill(oldMaster);
					NodeAddress newMaster = members.awaitNewMaster(oldMaster);
					await("Lettuce receives +switch-master as a RESP3 push").atMost(EVENTUALLY)
						.untilAsserted(() -> assertThat(switches)
							.contains("+switch-master " + switchPayload(oldMaster, newMaster)));
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
		try (Members members = Members.startApplications(redis.group(), 3).awaitReady()) {
			NodeAddress oldMaster = master(members);
			for (int i = 0; i < 3; i++) {
				for (String protocol : List.of("-2", "-3")) {
					assertThat(ClientProcess.run(List.of(cli.toString(), protocol, "-p",
							Integer.toString(members.port(i)), "SENTINEL", "get-master-addr-by-name", GROUP)))
						.containsExactly(oldMaster.host(), Integer.toString(oldMaster.port()));
				}
			}
			// redis-cli -3 prints a map's entries as "name value" lines, RESP2's flat
			// array as a line each.
			assertThat(ClientProcess
				.run(List.of(cli.toString(), "-3", "-p", Integer.toString(members.port(0)), "SENTINEL", "masters")))
				.contains("name " + GROUP, "ip " + oldMaster.host(), "port " + oldMaster.port(), "flags master");
			assertThat(ClientProcess.run(List.of(cli.toString(), "-3", "-p", Integer.toString(members.port(0)),
					"SENTINEL", "get-master-addr-by-name", "unknown")))
				.containsExactly("");
			try (ClientProcess subscriber = new ClientProcess(
					List.of(cli.toString(), "-p", Integer.toString(members.port(1)), "SUBSCRIBE", "+switch-master"));
					ClientProcess everything = new ClientProcess(
							List.of(cli.toString(), "-p", Integer.toString(members.port(2)), "PSUBSCRIBE", "*"));
					ClientProcess resp3 = new ClientProcess(List.of(cli.toString(), "-3", "-p",
							Integer.toString(members.port(0)), "SUBSCRIBE", "+switch-master"));
					Wire pushes = new Wire(members.port(2))) {
				pushes.send("HELLO", "3").send("SUBSCRIBE", "+switch-master");
				await("redis-cli subscribed").atMost(EVENTUALLY)
					.until(() -> subscriber.lines().containsAll(List.of("subscribe", "+switch-master", "1"))
							&& everything.lines().containsAll(List.of("psubscribe", "*", "1"))
							&& resp3.lines().containsAll(List.of("subscribe", "+switch-master", "1")));
				StringBuilder pushed = new StringBuilder(pushes.rest(Duration.ofMillis(500)));
				assertThat(pushed.toString()).startsWith("%6\r\n")
					.endsWith(">3\r\n" + Wire.bulk("subscribe") + Wire.bulk("+switch-master") + ":1\r\n");
				kill(oldMaster);
				NodeAddress newMaster = members.awaitNewMaster(oldMaster);
				String payload = switchPayload(oldMaster, newMaster);
				await("redis-cli receives +switch-master").atMost(EVENTUALLY)
					.untilAsserted(() -> assertThat(subscriber.lines()).containsSubsequence("message", "+switch-master",
							payload));
				// A member that learns of the switch before its own down-after passed
				// tells no +sdown: no check of it.
				await("redis-cli receives +switch-master through its pattern").atMost(EVENTUALLY)
					.untilAsserted(() -> assertThat(everything.lines()).containsSubsequence("pmessage", "*",
							"+switch-master", payload));
				await("redis-cli -3 receives +switch-master").atMost(EVENTUALLY)
					.untilAsserted(
							() -> assertThat(resp3.lines()).containsSubsequence("message", "+switch-master", payload));
				String push = ">3\r\n" + Wire.bulk("message") + Wire.bulk("+switch-master") + Wire.bulk(payload);
				await("a RESP3 connection receives +switch-master as a push").atMost(EVENTUALLY)
					.until(() -> pushed.append(pushes.rest(Duration.ofMillis(200))).toString().contains(push));
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
		try (Members members = Members.startApplications(redis.group(), 3).awaitReady();
				ClientProcess client = pythonScript(python, "redis_py_client.py", members)) {
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
	void redisPySpeakingRespThreeFindsTheMasterAndHearsTheSwitch() throws Exception {
		String python = ClientProcess.pythonWithResp3Redis();
		Assumptions.assumeTrue(python != null, "no Python 3 with redis-py 5 or later (protocol=3; Debian 12's"
				+ " python3-redis is 4.3): the redis-py RESP3 client test is skipped");
		try (Members members = Members.startApplications(redis.group(), 3).awaitReady();
				ClientProcess client = pythonScript(python, "redis_py_resp3_client.py", members)) {
			await("redis-py subscribed").atMost(EVENTUALLY).until(() -> client.lines().contains("ready"));
			NodeAddress oldMaster = master(members);
			assertThat(client.lines()).as("redis-py said")
				.startsWith("proto 3", "master " + oldMaster, "masters " + GROUP);
			kill(oldMaster);
			NodeAddress newMaster = members.awaitNewMaster(oldMaster);
			await("redis-py receives +switch-master").atMost(EVENTUALLY)
				.untilAsserted(() -> assertThat(client.lines())
					.contains("message +switch-master " + switchPayload(oldMaster, newMaster)));
		}
	}

	@Test
	void jedisForcesAFailoverThroughAnEndpointThatAllowsIt() {
		// Available mode: consistent mode refuses to force a failover of a live master
		// whose replicas stream.
		try (Members members = Members
			.startApplications(redis.group(), 3, "redis-ha.sentinel.allow-failover=true",
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

	/**
	 * Runs a script of this package's test resources with the group and the endpoints.
	 */
	private ClientProcess pythonScript(String python, String script, Members members) throws Exception {
		return new ClientProcess(List.of(python, Path.of(getClass().getResource(script).toURI()).toString(), GROUP,
				members.endpoints().stream().map(NodeAddress::toString).collect(Collectors.joining(","))));
	}

	/** The payload of {@code +switch-master}: group, old address, new address. */
	private static String switchPayload(NodeAddress oldMaster, NodeAddress newMaster) {
		return GROUP + " " + oldMaster.host() + " " + oldMaster.port() + " " + newMaster.host() + " "
				+ newMaster.port();
	}

	private static void writeAndFind(Consumer<String> client, String key, NodeAddress master) {
		client.accept(key);
		assertThat(node(master).command("GET", key)).as("%s on %s", key, master).isEqualTo(key);
	}

	private static NodeAddress master(Members members) {
		return members.member(0).snapshot().master().address();
	}

	private static RedisServerProcess node(NodeAddress address) {
		return redis.group().nodeOnPort(address.port());
	}

	private static void kill(NodeAddress master) {
		node(master).kill();
	}

	private static RedisURI lettuceUri(Members members) {
		RedisURI.Builder builder = null;
		for (NodeAddress endpoint : members.endpoints()) {
			builder = (builder == null) ? RedisURI.Builder.sentinel(endpoint.host(), endpoint.port(), GROUP)
					: builder.withSentinel(endpoint.host(), endpoint.port());
		}
		return builder.withTimeout(Duration.ofSeconds(2)).build();
	}

	private static JedisSentinelPool jedisPool(Members members) {
		Set<String> sentinels = new LinkedHashSet<>();
		members.endpoints().forEach((endpoint) -> sentinels.add(endpoint.toString()));
		return new JedisSentinelPool(GROUP, sentinels, new GenericObjectPoolConfig<>(), 2_000);
	}

	/** An application with Spring Boot's own Sentinel support and redis-ha turned off. */
	private static ApplicationContextRunner springBootClient(Members members) {
		List<String> nodes = new ArrayList<>();
		members.endpoints().forEach((endpoint) -> nodes.add(endpoint.toString()));
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RedisHaAutoConfiguration.class, DataRedisAutoConfiguration.class))
			.withPropertyValues("redis-ha.enabled=false", "spring.data.redis.timeout=2s",
					"spring.data.redis.sentinel.master=" + GROUP,
					"spring.data.redis.sentinel.nodes=" + String.join(",", nodes));
	}

}
