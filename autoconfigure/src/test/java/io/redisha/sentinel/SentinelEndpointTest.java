package io.redisha.sentinel;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.redisha.embedded.RedisGroupExtension;
import io.redisha.protocol.NodeAddress;
import io.redisha.testing.Members;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import static io.redisha.sentinel.Wire.bulk;
import static io.redisha.testing.Members.GROUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The endpoint's protocol, byte for byte where clients parse it: Sentinel's reply shapes
 * and error texts, authentication, the limits, and what no client would send. Three
 * instances over a master and two replicas: one without a password, one with the default
 * user's password, and one guarded (a user and password, two connections at most, idle
 * timeout 1 s).
 */
class SentinelEndpointTest {

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(2).perClass();

	private static final int GUARDED = 2;

	private static Members instances;

	@BeforeAll
	static void startInstances() {
		instances = Members
			.startApplicationsEach(redis.group(), new String[0], new String[] { "redis-ha.sentinel.password=pw1" },
					new String[] { "redis-ha.sentinel.username=app", "redis-ha.sentinel.password=s3cret",
							"redis-ha.sentinel.max-connections=2", "redis-ha.sentinel.idle-timeout=1s" })
			.awaitReady();
	}

	@AfterAll
	static void stopInstances() {
		instances.close();
	}

	@Test
	void answersAsSentinelAnswers() {
		NodeAddress master = instances.member(0).snapshot().master().address();
		try (Wire wire = new Wire(instances.port(0))) {
			wire.call("+PONG\r\n", "PING")
				.call(bulk("hi"), "ping", "hi")
				.call("*2\r\n" + bulk(master.host()) + bulk(Integer.toString(master.port())), "SENTINEL",
						"get-master-addr-by-name", GROUP)
				.call("*-1\r\n", "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "unknown")
				.call("*2\r\n" + bulk("sentinel") + "*1\r\n" + bulk(GROUP), "ROLE")
				.call("+OK 3 usable Sentinels. Quorum and failover authorization can be reached\r\n", "SENTINEL",
						"ckquorum", GROUP)
				.call(bulk(instances.member(0).runtime().identity().id()), "SENTINEL", "myid")
				.call("+OK\r\n", "CLIENT", "SETNAME", "worker-1")
				.call(bulk("worker-1"), "CLIENT", "GETNAME")
				.call("+OK\r\n", "CLIENT", "SETINFO", "lib-name", "redis-py")
				.call("-ERR unknown subcommand 'KILL'. Try CLIENT HELP.\r\n", "CLIENT", "KILL", "TYPE", "pubsub")
				.call("-ERR Unrecognized option 'lib-x'\r\n", "CLIENT", "SETINFO", "lib-x", "1")
				.call("*12\r\n" + bulk("server") + bulk("redis") + bulk("version") + bulk(SentinelSession.REDIS_VERSION)
						+ bulk("proto") + ":2\r\n" + bulk("id") + ":1\r\n" + bulk("mode") + bulk("sentinel")
						+ bulk("modules") + "*0\r\n", "HELLO", "2");
		}
	}

	@Test
	void refusesWithSentinelsErrorTexts() {
		try (Wire wire = new Wire(instances.port(0))) {
			wire.call("-ERR unknown command 'GET', with args beginning with: 'key' \r\n", "GET", "key")
				.call("-ERR unknown command 'FLUSHALL', with args beginning with: \r\n", "FLUSHALL")
				.call("-ERR unknown subcommand 'monitor'. Try SENTINEL HELP.\r\n", "SENTINEL", "monitor", "x", "h", "1",
						"2")
				.call("-ERR wrong number of arguments for 'sentinel|master' command\r\n", "SENTINEL", "master")
				.call("-ERR wrong number of arguments for 'role' command\r\n", "ROLE", "x")
				.call("-ERR No such master with that name\r\n", "SENTINEL", "replicas", "unknown")
				.call("-NOPERM User default has no permissions to run the 'sentinel|failover' command\r\n", "SENTINEL",
						"failover", GROUP)
				.call("-NOPROTO unsupported protocol version\r\n", "HELLO", "4")
				.call("-NOPROTO unsupported protocol version\r\n", "HELLO", "1")
				.call("-ERR Protocol version is not an integer or out of range\r\n", "HELLO", "two")
				.call("-ERR AUTH <password> called without any password configured for the default user. Are you"
						+ " sure your configuration is correct?\r\n", "AUTH", "secret")
				.call("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", "CLIENT",
						"SETNAME", "a b")
				.call("-ERR unknown command 'X  Y', with args beginning with: 'a b' \r\n", "X\r\nY", "a\nb")
				.call("+PONG\r\n", "PING");
		}
	}

	/**
	 * After {@code HELLO 3}, the bytes Redis Sentinel 7.0 sends (read off
	 * {@code redis-server --sentinel}): maps, {@code _} for nulls, pushes for pub/sub,
	 * any command while subscribed; {@code HELLO 2} switches back.
	 */
	@Test
	void speaksRespThreeAfterHelloThreeAsSentinelDoes() {
		NodeAddress master = instances.member(0).snapshot().master().address();
		String address = "*2\r\n" + bulk(master.host()) + bulk(Integer.toString(master.port()));
		try (Wire wire = new Wire(instances.port(0))) {
			String id = wire.send("CLIENT", "ID").line();
			wire.call("%6\r\n" + bulk("server") + bulk("redis") + bulk("version") + bulk(SentinelSession.REDIS_VERSION)
					+ bulk("proto") + ":3\r\n" + bulk("id") + id + bulk("mode") + bulk("sentinel") + bulk("modules")
					+ "*0\r\n", "HELLO", "3")
				.call(address, "SENTINEL", "get-master-addr-by-name", GROUP)
				.call("_\r\n", "SENTINEL", "get-master-addr-by-name", "unknown")
				.call("_\r\n", "CLIENT", "GETNAME")
				.call("*2\r\n" + bulk("sentinel") + "*1\r\n" + bulk(GROUP), "ROLE")
				.call("-ERR No such master with that name\r\n", "SENTINEL", "master", "unknown");
			assertThat(wire.send("SENTINEL", "master", GROUP).rest(Duration.ofMillis(500)))
				.startsWith("%20\r\n" + bulk("name") + bulk(GROUP) + bulk("ip") + bulk(master.host()));
			assertThat(wire.send("SENTINEL", "masters").rest(Duration.ofMillis(500)))
				.startsWith("*1\r\n%20\r\n" + bulk("name") + bulk(GROUP));
			assertThat(wire.send("SENTINEL", "replicas", GROUP).rest(Duration.ofMillis(500)))
				.startsWith("*2\r\n%21\r\n")
				.containsSubsequence("%21\r\n", "%21\r\n");
			assertThat(wire.send("SENTINEL", "sentinels", GROUP).rest(Duration.ofMillis(500)))
				.startsWith("*2\r\n%14\r\n")
				.containsSubsequence("%14\r\n", "%14\r\n");
			wire.call(">3\r\n" + bulk("unsubscribe") + "_\r\n:0\r\n", "UNSUBSCRIBE")
				.call(">3\r\n" + bulk("subscribe") + bulk("+switch-master") + ":1\r\n", "SUBSCRIBE", "+switch-master")
				.call(">3\r\n" + bulk("psubscribe") + bulk("*") + ":2\r\n", "PSUBSCRIBE", "*")
				.call("+PONG\r\n", "PING")
				.call(address, "SENTINEL", "get-master-addr-by-name", GROUP)
				.call("*12\r\n" + bulk("server") + bulk("redis") + bulk("version") + bulk(SentinelSession.REDIS_VERSION)
						+ bulk("proto") + ":2\r\n" + bulk("id") + id + bulk("mode") + bulk("sentinel") + bulk("modules")
						+ "*0\r\n", "HELLO", "2")
				.call("*2\r\n" + bulk("pong") + bulk(""), "PING")
				.call("-ERR Can't execute 'sentinel|masters': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT"
						+ " / RESET are allowed in this context\r\n", "SENTINEL", "masters")
				.call("*3\r\n" + bulk("unsubscribe") + bulk("+switch-master") + ":1\r\n", "UNSUBSCRIBE")
				.call("*3\r\n" + bulk("punsubscribe") + bulk("*") + ":0\r\n", "PUNSUBSCRIBE")
				.call("*-1\r\n", "SENTINEL", "get-master-addr-by-name", "unknown");
		}
	}

	@Test
	void describesMastersReplicasAndTheOtherInstancesAsSentinelDoes() {
		NodeAddress master = instances.member(0).snapshot().master().address();
		try (Jedis sentinel = new Jedis(new HostAndPort("127.0.0.1", instances.port(0)))) {
			List<Map<String, String>> masters = sentinel.sentinelMasters();
			assertThat(masters).singleElement()
				.satisfies((entry) -> assertThat(entry).containsEntry("name", GROUP)
					.containsEntry("ip", master.host())
					.containsEntry("port", Integer.toString(master.port()))
					.containsEntry("flags", "master")
					.containsEntry("num-slaves", "2")
					.containsEntry("num-other-sentinels", "2")
					.containsEntry("quorum", "2")
					.containsEntry("down-after-milliseconds", "1000")
					.containsEntry("failover-timeout", "10000")
					.containsKeys("runid", "config-epoch", "parallel-syncs", "last-ok-ping-reply"));
			assertThat(withoutAges(sentinel.sentinelMaster(GROUP))).isEqualTo(withoutAges(masters.get(0)));
			assertThat(sentinel.sentinelReplicas(GROUP)).hasSize(2)
				.allSatisfy((replica) -> assertThat(replica).containsEntry("flags", "slave")
					.containsEntry("master-host", master.host())
					.containsEntry("master-port", Integer.toString(master.port()))
					.containsEntry("master-link-status", "ok")
					.containsEntry("name", replica.get("ip") + ":" + replica.get("port")));
			assertThat(sentinel.sentinelSentinels(GROUP)).hasSize(2)
				.anySatisfy((other) -> assertThat(other).containsEntry("ip", "127.0.0.1")
					.containsEntry("port", Integer.toString(instances.port(1)))
					.containsEntry("runid", instances.member(1).runtime().identity().id())
					.containsEntry("flags", "sentinel"))
				.extracting((other) -> other.get("port"))
				.containsExactlyInAnyOrder(Integer.toString(instances.port(1)),
						Integer.toString(instances.port(GUARDED)));
			assertThat(sentinel.info("sentinel")).contains("# Sentinel\r\nsentinel_masters:1\r\n")
				.contains("master0:name=" + GROUP + ",status=ok,address=" + master.host() + ":" + master.port()
						+ ",slaves=2,sentinels=3\r\n");
		}
	}

	/**
	 * The fields that do not change from one moment to the next: all but the ages of the
	 * last replies.
	 */
	private static Map<String, String> withoutAges(Map<String, String> instance) {
		Map<String, String> fields = new TreeMap<>(instance);
		fields.keySet().removeIf((name) -> name.endsWith("ping-reply"));
		return fields;
	}

	@Test
	void subscribersMayOnlySubscribePingAndQuit() {
		try (Wire wire = new Wire(instances.port(0))) {
			wire.call("*3\r\n" + bulk("subscribe") + bulk("+switch-master") + ":1\r\n", "SUBSCRIBE", "+switch-master")
				.call("*3\r\n" + bulk("psubscribe") + bulk("*") + ":2\r\n", "PSUBSCRIBE", "*")
				.call("-ERR Can't execute 'sentinel|masters': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT"
						+ " / RESET are allowed in this context\r\n", "SENTINEL", "masters")
				.call("*2\r\n" + bulk("pong") + bulk(""), "PING")
				.call("*3\r\n" + bulk("unsubscribe") + bulk("+switch-master") + ":1\r\n", "UNSUBSCRIBE")
				.call("*3\r\n" + bulk("punsubscribe") + bulk("*") + ":0\r\n", "PUNSUBSCRIBE")
				.call("*3\r\n" + bulk("unsubscribe") + "$-1\r\n:0\r\n", "UNSUBSCRIBE")
				.call("*2\r\n" + bulk("sentinel") + "*1\r\n" + bulk(GROUP), "ROLE")
				.call("+OK\r\n", "QUIT");
			assertThat(wire.closedWithin(Duration.ofSeconds(5))).isTrue();
		}
	}

	@Test
	void oneConnectionSubscribesToAtMostSixtyFourChannelsAndPatterns() {
		try (Wire wire = new Wire(instances.port(0))) {
			for (int i = 1; i <= Subscriptions.MAX; i++) {
				wire.call("*3\r\n" + bulk("psubscribe") + bulk("+" + i + "*") + ":" + i + "\r\n", "PSUBSCRIBE",
						"+" + i + "*");
			}
			wire.call("*3\r\n" + bulk("psubscribe") + bulk("+1*") + ":64\r\n", "PSUBSCRIBE", "+1*")
				.call("-ERR at most 64 channels and patterns per connection\r\n", "SUBSCRIBE", "+sdown")
				.call("*2\r\n" + bulk("pong") + bulk("still here"), "PING", "still here");
		}
	}

	@Test
	void aPasswordGuardsEveryCommandButAuthAndHello() {
		try (Wire wire = new Wire(instances.port(GUARDED))) {
			wire.call("-NOAUTH Authentication required.\r\n", "PING")
				.call("-NOAUTH Authentication required.\r\n", "SENTINEL", "get-master-addr-by-name", GROUP)
				.call("-ERR unknown command 'GET', with args beginning with: 'key' \r\n", "GET", "key")
				.call("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "s3cret")
				.call("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "app", "wrong")
				.call("-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO"
						+ " <proto> AUTH <user> <pass> option can be used to authenticate the client and select the"
						+ " RESP protocol version at the same time\r\n", "HELLO", "2")
				.send("HELLO", "2", "AUTH", "app", "s3cret");
			assertThat(wire.line()).isEqualTo("*12\r\n");
		}

		try (Wire wire = new Wire(instances.port(GUARDED))) {
			wire.call("+OK\r\n", "AUTH", "app", "s3cret").call("+PONG\r\n", "PING");
		}
	}

	@Test
	void aPasswordAloneIsTheDefaultUsers() {
		try (Wire wire = new Wire(instances.port(1))) {
			wire.call("-NOAUTH Authentication required.\r\n", "ROLE")
				.call("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "app", "pw1")
				.call("+OK\r\n", "AUTH", "pw1")
				.call("+OK\r\n", "AUTH", "default", "pw1")
				.call("*2\r\n" + bulk("sentinel") + "*1\r\n" + bulk(GROUP), "ROLE");
		}
		try (Wire wire = new Wire(instances.port(1))) {
			wire.call("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "HELLO", "3", "AUTH",
					"default", "wrong")
				.call("-NOAUTH Authentication required.\r\n", "CLIENT", "GETNAME")
				.send("HELLO", "3", "AUTH", "default", "pw1", "SETNAME", "resp3-client")
				.send("CLIENT", "GETNAME");
			assertThat(wire.rest(Duration.ofMillis(500))).startsWith("%6\r\n")
				.contains(bulk("proto") + ":3\r\n")
				.endsWith(bulk("modules") + "*0\r\n" + bulk("resp3-client"));
		}
	}

	@Test
	void connectionsBeyondTheLimitAreRefused() {
		try (Wire first = new Wire(instances.port(GUARDED)); Wire second = new Wire(instances.port(GUARDED))) {
			first.call("-NOAUTH Authentication required.\r\n", "PING");
			second.call("-NOAUTH Authentication required.\r\n", "PING");
			try (Wire third = new Wire(instances.port(GUARDED))) {
				third.expect("-ERR max number of clients reached\r\n");
				assertThat(third.closedWithin(Duration.ofSeconds(5))).isTrue();
			}
		}
		await("a closed connection frees its place").atMost(Members.EVENTUALLY).untilAsserted(() -> {
			try (Wire again = new Wire(instances.port(GUARDED)); Wire another = new Wire(instances.port(GUARDED))) {
				another.call("-NOAUTH Authentication required.\r\n", "PING");
			}
		});
	}

	@Test
	void silentConnectionsAreClosedButSubscribersWaitForEvents() {
		try (Wire silent = new Wire(instances.port(GUARDED)); Wire subscriber = new Wire(instances.port(GUARDED))) {
			subscriber.call("+OK\r\n", "AUTH", "app", "s3cret")
				.call("*3\r\n" + bulk("subscribe") + bulk("+switch-master") + ":1\r\n", "SUBSCRIBE", "+switch-master");
			assertThat(silent.closedWithin(Duration.ofSeconds(10))).isTrue();
			assertThat(subscriber.closedWithin(Duration.ofSeconds(2))).isFalse();
			subscriber.call("*2\r\n" + bulk("pong") + bulk(""), "PING");
		}
	}

	@Test
	void oversizedNestedOrMalformedRequestsEndTheConnectionWithAProtocolError() {
		String[] hostile = { "*100000\r\n", "*1\r\n$100000\r\n", "*1\r\n*1\r\n$4\r\nPING\r\n",
				"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "*1\r\n:5\r\n", "*2\r\n$4\r\nPING\r\n$-1\r\n", "*x\r\n" };
		for (String request : hostile) {
			try (Wire wire = new Wire(instances.port(0))) {
				wire.sendRaw(request);
				assertThat(wire.line()).as(request).startsWith("-ERR Protocol error");
				assertThat(wire.closedWithin(Duration.ofSeconds(5))).as(request).isTrue();
			}
		}
		try (Wire wire = new Wire(instances.port(0))) {
			wire.call("+PONG\r\n", "PING");
		}
	}

}
