package io.redisha.member;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.redisha.actuate.RedisHaEndpoint;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.Configuration;
import io.redisha.protocol.GossipCodec;
import io.redisha.protocol.GossipMessage;
import io.redisha.protocol.GossipMessage.Hello;
import io.redisha.protocol.GossipMessage.Vote;
import io.redisha.protocol.GossipMessage.VoteRequest;
import io.redisha.protocol.GossipRejection;
import io.redisha.protocol.GossipSeal;
import io.redisha.protocol.GroupCoordinator;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.StoredConfiguration;
import io.redisha.testing.Members;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Whoever may PUBLISH on the group's nodes publishes, with a raw client, every attack on
 * the gossip channel, and rewrites the group's configuration hash: three real members on
 * a real master and two replicas ignore them all, count them by reason, show the last on
 * the endpoint, keep their master, connect to no other server, and still fail the master
 * over when it is killed.
 */
class GossipAttackTest {

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(2);

	private final Members members = new Members();

	private final List<AutoCloseable> closing = new ArrayList<>();

	@AfterEach
	void stop() throws Exception {
		this.members.close();
		for (AutoCloseable closeable : this.closing) {
			closeable.close();
		}
	}

	@Test
	void noForgedReplayedOrOversizedMessageChangesAnythingAndFailoverStillWorks() {
		LocalRedisGroup group = redis.group();
		Queue<String> captured = capture(group.node(1));
		List<RedisHaMember> three = List.of(this.members.start(2, group.master()), this.members.start(2, group.node(1)),
				this.members.start(2, group.node(2)));
		NodeAddress master = address(group.master());
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> assertThat(three).allSatisfy((member) -> {
			assertThat(masterOf(member)).isEqualTo(master);
			assertThat(snapshot(member).members()).hasSize(3);
		}));
		await().atMost(Members.EVENTUALLY)
			.until(() -> three.stream().noneMatch((member) -> snapshot(member).startingUp()));
		Members.awaitElectorate(three);
		RedisServerProcess evil = RedisServerProcess.start();
		this.closing.add(evil);
		GroupSnapshot before = snapshot(three.get(0));
		String victim = three.get(1).identity().id();
		long epoch = before.currentEpoch() + 1_000;

		publish(group, attacks(evil, victim, epoch, master, before.electorate().configVersion()));
		String genuine = captured.stream().filter((payload) -> payload.contains(" hello ")).findFirst().orElseThrow();
		publish(group, List.of(genuine));
		// Whoever may also write keys rewrites the group's configuration hash: replicated
		// to every node, it names another master, a later epoch and one voter.
		group.master()
			.command("HSET", StoredConfiguration.key(Members.GROUP), "epoch", Long.toString(epoch), "version", "1",
					"master", address(evil).toString(), "voters", "attacker");

		await().atMost(Members.EVENTUALLY).untilAsserted(() -> assertThat(three).allSatisfy((member) -> {
			GroupSnapshot.RejectionsSnapshot rejections = snapshot(member).rejections();
			assertThat(rejections.count(GossipRejection.UNSIGNED)).isGreaterThanOrEqualTo(14);
			assertThat(rejections.count(GossipRejection.BAD_SIGNATURE)).isGreaterThanOrEqualTo(1);
			assertThat(rejections.count(GossipRejection.STALE)).isGreaterThanOrEqualTo(1);
			assertThat(rejections.count(GossipRejection.MALFORMED)).isGreaterThanOrEqualTo(1);
			assertThat(rejections.count(GossipRejection.OVERSIZED)).isGreaterThanOrEqualTo(1);
		}));
		// A voter read the forged hash, trusted none of it, and stored its configuration
		// over it (the others may have read either).
		await().atMost(Members.EVENTUALLY)
			.untilAsserted(
					() -> assertThat(group.master().command("HGET", StoredConfiguration.key(Members.GROUP), "epoch"))
						.isEqualTo(Long.toString(before.configEpoch())));
		Set<String> ids = three.stream().map((member) -> member.identity().id()).collect(Collectors.toSet());
		assertThat(three).allSatisfy((member) -> {
			GroupSnapshot after = snapshot(member);
			assertThat(after.master().address()).isEqualTo(master);
			assertThat(after.currentEpoch()).isLessThan(epoch);
			assertThat(after.configEpoch()).isEqualTo(before.configEpoch());
			assertThat(after.members()).extracting(GroupSnapshot.MemberSnapshot::id).hasSameElementsAs(ids);
			assertThat(after.electorate().voters()).hasSameElementsAs(ids);
			assertThat(after.pause()).isNull();
			assertThat(after.replicas()).extracting(GroupSnapshot.NodeSnapshot::address).doesNotContain(address(evil));
		});
		assertThat((String) evil.command("CLIENT", "LIST")).doesNotContain("redis-ha");
		RedisHaEndpoint.GroupDescriptor shown = new RedisHaEndpoint(three.get(0)).group(Members.GROUP);
		assertThat(shown.rejections()).containsKeys("unsigned", "bad-signature", "stale", "malformed", "oversized");
		assertThat(shown.lastRejection()).isNotBlank().doesNotContain("\n");

		group.master().kill();
		Set<NodeAddress> replicas = group.replicas().stream().map(Members::address).collect(Collectors.toSet());
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> {
			Set<NodeAddress> reported = three.stream().map(GossipAttackTest::masterOf).collect(Collectors.toSet());
			assertThat(reported).hasSize(1);
			assertThat(replicas).containsAll(reported);
		});
		NodeAddress promoted = masterOf(three.get(0));
		assertThat(group.nodeOnPort(promoted.port()).role()).isEqualTo("master");
	}

	/**
	 * A hash written before the group's first member started: the member shows it on its
	 * endpoint and health, and founds no electorate over it (it could be the group's,
	 * sealed with a secret this instance lacks) until the key is deleted.
	 */
	@Test
	void aHashWrittenBeforeTheGroupFoundedIsShownAndFoundedOverOnlyOnceDeleted() {
		LocalRedisGroup group = redis.group();
		String key = StoredConfiguration.key(Members.GROUP);
		group.master()
			.command("HSET", key, "epoch", "9000000000000", "version", "0", "master", group.master().address(),
					"voters", "intruder");
		RedisHaMember member = this.members.start(1, group.master());
		await().atMost(Members.EVENTUALLY)
			.untilAsserted(() -> Members.assertNodeProblem(member, group.master(),
					"holds a configuration (epoch 9000000000000, master " + group.master().address()
							+ ") that no gossip secret of this instance sealed"));
		await().during(Duration.ofSeconds(2))
			.atMost(Members.EVENTUALLY)
			.untilAsserted(() -> assertThat(snapshot(member).electorate()).isNull());
		assertThat(group.master().command("HGET", key, "voters")).isEqualTo("intruder");

		group.master().command("DEL", key);
		Members.awaitElectorate(List.of(member));
		assertThat(snapshot(member).electorate().voters()).containsExactly(member.identity().id());
		assertThat(group.master().command("HGET", key, "voters")).isEqualTo(member.identity().id());
	}

	/**
	 * Every attack of someone who may PUBLISH but has no gossip secret, and two of
	 * someone who has it: a message signed a minute ago (a capture replayed later) and an
	 * 18-digit epoch.
	 */
	private static List<String> attacks(RedisServerProcess evil, String victim, long epoch, NodeAddress master,
			int configVersion) {
		GossipSeal wrongSecret = GossipSeal.of(List.of("a-secret-that-is-not-the-groups-secret"));
		long now = System.currentTimeMillis();
		Configuration takeover = new Configuration(epoch, 1, address(evil), List.of("attacker"));
		Hello forgedHello = new Hello(Members.GROUP, "attacker", 1, "evil", epoch, takeover, false, 0,
				GossipMessage.Maintenance.NONE, 0);
		List<String> attacks = new ArrayList<>();
		attacks.add(GossipCodec.encode(forgedHello));
		attacks.add(wrongSecret.seal(GossipCodec.encode(forgedHello), now));
		attacks.add(GossipCodec.VERSION + " bye g=" + Members.GROUP + " id=" + victim + " seq=1000000 cep=0 cv=0 end");
		attacks.add(GossipCodec.encode(new VoteRequest(Members.GROUP, "phantom-0", 2, epoch, master,
				GossipMessage.Purpose.OPERATOR, 0, configVersion, null)));
		for (int i = 0; i < 10; i++) {
			String phantom = "phantom-" + i;
			attacks.add(GossipCodec.encode(new Hello(Members.GROUP, phantom, 1, "phantom", epoch, master, 0, true, 0)));
			attacks.add(GossipCodec.encode(new Vote(Members.GROUP, phantom, 3, epoch, "phantom-0", master)));
		}
		attacks.add("x".repeat(GossipSeal.MAX_LENGTH + 1));
		Hello signedEarlier = new Hello(Members.GROUP, victim, 1_000_000, "app", epoch, master, 0, true, 0);
		attacks.add(TestGossip.SEAL.seal(GossipCodec.encode(signedEarlier), now - Duration.ofMinutes(1).toMillis()));
		Hello absurdEpoch = new Hello(Members.GROUP, "insider", 1, "app", 0, master, 0, false, 0);
		attacks.add(TestGossip.SEAL.seal(GossipCodec.encode(absurdEpoch).replace(" ep=0 ", " ep=999999999999999999 "),
				now));
		return attacks;
	}

	private static NodeAddress masterOf(RedisHaMember member) {
		GroupSnapshot snapshot = snapshot(member);
		return (snapshot != null && snapshot.master() != null) ? snapshot.master().address() : null;
	}

	private static void publish(LocalRedisGroup group, List<String> payloads) {
		for (String payload : payloads) {
			group.master().command("PUBLISH", GroupCoordinator.GOSSIP_CHANNEL, payload);
		}
	}

	/**
	 * Records every payload published on the gossip channel, as an eavesdropper with
	 * SUBSCRIBE would.
	 */
	private Queue<String> capture(RedisServerProcess node) {
		Queue<String> captured = new ConcurrentLinkedQueue<>();
		RedisClient client = RedisClient.create("redis://" + node.address());
		this.closing.add(client::shutdown);
		StatefulRedisPubSubConnection<String, String> connection = client.connectPubSub();
		this.closing.add(connection::close);
		connection.addListener(new RedisPubSubAdapter<>() {

			@Override
			public void message(String channel, String message) {
				captured.add(message);
			}

		});
		connection.sync().subscribe(GroupCoordinator.GOSSIP_CHANNEL);
		return captured;
	}

}
