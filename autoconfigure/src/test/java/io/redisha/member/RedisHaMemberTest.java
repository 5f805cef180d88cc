package io.redisha.member;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.protocol.GossipRejection;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.GroupCoordinator;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.GroupState;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.ProtocolEvent;
import io.redisha.redis.LinkResources;
import io.redisha.testing.Members;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.memberIds;
import static io.redisha.testing.Members.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Monitoring and gossip of members against one healthy group shared by the whole class.
 */
class RedisHaMemberTest {

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicaPriorities(100, 50).perClass();

	private final Members members = new Members();

	@AfterEach
	void stopMembers() {
		this.members.close();
	}

	@Test
	void discoversTheTopologyFromTheMasterSeed() {
		RedisHaMember member = this.members.start(redis.group().master());
		awaitFullTopology(member);
		GroupSnapshot snapshot = snapshot(member);
		assertThat(snapshot.state()).isEqualTo(GroupState.OK);
		assertThat(snapshot.master().runId()).hasSize(40);
		assertThat(snapshot.replicas()).allSatisfy((replica) -> {
			assertThat(replica.linkStatus()).isEqualTo("up");
			assertThat(replica.lag()).isGreaterThanOrEqualTo(0);
		});
		assertThat(snapshot.replicas()).extracting(NodeSnapshot::priority).containsExactlyInAnyOrder(100, 50);
		assertThat(member.connectionProblems(Members.GROUP)).isEmpty();
		assertThat(member.isRunning()).isTrue();
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void discoversTheTopologyFromAReplicaSeedAndWarnsOfTheNodesNotListed(CapturedOutput output) {
		RedisHaMember member = this.members.start(redis.group().node(2));
		awaitFullTopology(member);
		for (int node : new int[] { 0, 1 }) {
			assertThat(output.getOut()).contains("node " + redis.group().node(node).address()
					+ " was discovered but is not listed in redis-ha.groups." + Members.GROUP + ".nodes");
		}
		assertThat(output.getOut()).doesNotContain("node " + redis.group().node(2).address() + " was discovered");
	}

	@Test
	void threeMembersListEachOtherWithinTwoHelloPeriodsAndAStoppedOneDisappearsAtOnce() {
		LocalRedisGroup group = redis.group();
		List<RedisHaMember> three = List.of(this.members.start(group.master()), this.members.start(group.node(1)),
				this.members.start(group.node(2)));
		Set<String> ids = three.stream().map((member) -> member.identity().id()).collect(Collectors.toSet());
		// Each must first find the nodes (the replica seeds lead to the master), then two
		// hellos suffice.
		await().atMost(Members.EVENTUALLY)
			.untilAsserted(() -> assertThat(three)
				.allSatisfy((member) -> assertThat(memberIds(member)).containsExactlyInAnyOrderElementsOf(ids)));
		RedisHaMember leaving = three.get(0);
		leaving.stop();
		assertThat(leaving.isRunning()).isFalse();
		// Goodbye is published and acknowledged before stop() returns: the others drop it
		// at their next step.
		// Well before the member expiry would drop it (a minute): what drops it is the
		// goodbye.
		await().atMost(GroupConfig.Timing.defaults().memberExpiry().dividedBy(2))
			.untilAsserted(() -> assertThat(three.subList(1, 3)).allSatisfy(
					(member) -> assertThat(memberIds(member)).doesNotContain(leaving.identity().id()).hasSize(2)));
		leaving.stop();
	}

	@Test
	void garbageOnTheChannelIsCountedAndIgnored() {
		RedisHaMember member = this.members.start(redis.group().master());
		awaitFullTopology(member);
		GroupSnapshot before = snapshot(member);
		redis.group().master().command("PUBLISH", GroupCoordinator.GOSSIP_CHANNEL, "garbage");
		redis.group().node(1).command("PUBLISH", GroupCoordinator.GOSSIP_CHANNEL, "{\"v\":");
		redis.group().node(2).command("PUBLISH", GroupCoordinator.GOSSIP_CHANNEL, "x".repeat(100_000));
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> {
			assertThat(snapshot(member).rejections().count(GossipRejection.UNSIGNED))
				.isGreaterThanOrEqualTo(before.rejections().count(GossipRejection.UNSIGNED) + 2);
			assertThat(snapshot(member).rejections().count(GossipRejection.OVERSIZED)).isPositive();
		});
		GroupSnapshot after = snapshot(member);
		assertThat(after.state()).isEqualTo(GroupState.OK);
		assertThat(after.master().address()).isEqualTo(before.master().address());
		assertThat(after.members()).hasSize(1);
		assertThat(member.isRunning()).isTrue();
	}

	@Test
	void eventsAreLoggedAndPassedToListeners() {
		List<ProtocolEvent> events = new CopyOnWriteArrayList<>();
		RedisHaMember first = this.members.start(redis.group().master());
		first.addEventListener(events::add);
		first.addEventListener((event) -> {
			throw new IllegalStateException("a failing listener must not stop the others");
		});
		RedisHaMember second = this.members.start(redis.group().master());
		await().atMost(Members.EVENTUALLY)
			.untilAsserted(() -> assertThat(events)
				.anySatisfy((event) -> assertThat(event.type()).isEqualTo(ProtocolEvent.Type.MEMBER_ADDED)));
		assertThat(SentinelText.format(events.get(0))).startsWith(events.get(0).type().sentinelName() + " ");
		assertThat(second.isRunning()).isTrue();
	}

	@Test
	void noThreadOrConnectionIsLeftAfterStop() {
		RedisHaMember member = this.members.start(redis.group().master());
		awaitFullTopology(member);
		String id = member.identity().id();
		assertThat(threads()).contains("redis-ha-" + Members.GROUP).anyMatch((name) -> name.contains(id));
		this.members.close();
		this.members.close();
		await().atMost(Members.EVENTUALLY)
			.untilAsserted(() -> assertThat(threads())
				.noneMatch((name) -> name.equals("redis-ha-" + Members.GROUP) || name.contains(id)));
		assertThat(clients()).doesNotContain("redis-ha-" + member.identity().id());
	}

	@Test
	void membersSharingLinkResourcesBringNoLettuceThreadsAndLeaveThemRunning() {
		GroupSettings settings = new GroupSettings(Members.config(1, List.of(address(redis.group().master()))), null,
				null, Duration.ofSeconds(1), TestGossip.SEAL);
		try (LinkResources shared = new LinkResources("redis-ha-shared")) {
			RedisHaMember first = new RedisHaMember(new MemberIdentity("shares-1", "test-app"), List.of(settings),
					UnaryOperator.identity(), shared);
			first.start();
			awaitFullTopology(first);
			assertThat(threads()).anyMatch((name) -> name.startsWith("redis-ha-shared-"))
				.noneMatch((name) -> name.contains("shares-1"));
			first.stop();
			// The shared threads outlive the member: another one still reaches the nodes
			// through them.
			RedisHaMember second = new RedisHaMember(new MemberIdentity("shares-2", "test-app"), List.of(settings),
					UnaryOperator.identity(), shared);
			second.start();
			awaitFullTopology(second);
			second.stop();
		}
		await().atMost(Members.EVENTUALLY)
			.untilAsserted(() -> assertThat(threads()).noneMatch((name) -> name.startsWith("redis-ha-shared-")));
	}

	@Test
	void startRefusedByTheCoordinatorLeavesNothingRunning() {
		String id = "x".repeat(200);
		GroupSettings settings = new GroupSettings(Members.config(1, List.of(address(redis.group().master()))), null,
				null, Duration.ofSeconds(1), TestGossip.SEAL);
		RedisHaMember member = new RedisHaMember(new MemberIdentity(id, "test-app"), List.of(settings));
		assertThatIllegalArgumentException().isThrownBy(member::start).withMessageContaining("member id");
		assertThat(member.isRunning()).isFalse();
		await().atMost(Members.EVENTUALLY)
			.untilAsserted(() -> assertThat(threads()).noneMatch((name) -> name.contains(id)));
		member.stop();
	}

	private static void awaitFullTopology(RedisHaMember member) {
		LocalRedisGroup group = redis.group();
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> {
			GroupSnapshot snapshot = snapshot(member);
			assertThat(snapshot).isNotNull();
			assertThat(snapshot.master()).isNotNull();
			assertThat(snapshot.master().address()).isEqualTo(address(group.master()));
			assertThat(snapshot.master().status()).isEqualTo(NodeStatus.UP);
			assertThat(snapshot.replicas()).extracting(NodeSnapshot::address)
				.containsExactlyInAnyOrder(address(group.node(1)), address(group.node(2)));
			assertThat(snapshot.replicas()).extracting(NodeSnapshot::status).containsOnly(NodeStatus.UP);
		});
	}

	private static Set<String> threads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter(Thread::isAlive)
			.map(Thread::getName)
			.collect(Collectors.toSet());
	}

	private static String clients() {
		return (String) redis.group().master().command("CLIENT", "LIST");
	}

}
