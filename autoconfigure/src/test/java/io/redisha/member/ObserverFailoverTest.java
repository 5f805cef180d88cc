package io.redisha.member;

import java.util.ArrayList;
import java.util.List;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.GroupCoordinator;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.NodeAddress;
import io.redisha.testing.Members;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * More instances than voters on real Redis: the observers listen to the voters'
 * announcements alone, on one node each, follow every switch, and one takes the place of
 * a voter that stops, after which the group still fails over.
 */
class ObserverFailoverTest {

	private static final int VOTERS = 3;

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(2);

	private final Members members = new Members();

	@AfterEach
	void stopMembers() {
		this.members.close();
	}

	@Test
	void observersFollowEverySwitchAndReplaceAVoterThatStops() {
		LocalRedisGroup group = redis.group();
		List<RedisHaMember> five = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			five.add(this.members.startWithVoters(VOTERS, 2, group.master(), group.node(1), group.node(2)));
		}
		Members.awaitElectorate(five);
		awaitSubscribers(group.nodes(), VOTERS, 2);
		List<RedisHaMember> observers = five.stream()
			.filter((member) -> !snapshot(member).electorate().selfVotes())
			.toList();
		assertThat(observers).hasSize(2)
			.allSatisfy((observer) -> await().atMost(Members.EVENTUALLY)
				.untilAsserted(() -> assertThat(snapshot(observer).fence().fenced()).isFalse()));
		// A voter: commands, publishing and the subscription on every node. An observer:
		// commands on every node, the subscription on one, and on the master the
		// connection its rare hellos go out on, once it said hello there.
		await("the members' connections").atMost(Members.EVENTUALLY).untilAsserted(() -> {
			for (RedisHaMember member : five) {
				if (observers.contains(member)) {
					assertThat(connections(group.master(), member)).isBetween(1L, 3L);
					assertThat(connections(group.node(1), member)).isBetween(1L, 2L);
					assertThat(connections(group.node(2), member)).isBetween(1L, 2L);
					assertThat(group.nodes().stream().mapToLong((node) -> connections(node, member)).sum())
						.isBetween(3L + GroupLinks.ANNOUNCEMENT_NODES, 3L + GroupLinks.ANNOUNCEMENT_NODES + 1);
				}
				else {
					for (RedisServerProcess node : group.nodes()) {
						assertThat(connections(node, member)).isEqualTo(3);
					}
				}
			}
		});

		group.master().kill();
		NodeAddress first = awaitEveryoneFollowsANewMaster(five, address(group.master()));

		RedisHaMember leaving = five.stream()
			.filter((member) -> snapshot(member).electorate().selfVotes())
			.findFirst()
			.orElseThrow();
		String leavingId = leaving.identity().id();
		leaving.stop();
		List<RedisHaMember> four = five.stream().filter((member) -> member != leaving).toList();
		await("an observer takes the stopped voter's place").atMost(Members.EVENTUALLY).untilAsserted(() -> {
			for (RedisHaMember member : four) {
				GroupSnapshot.ElectorateSnapshot electorate = snapshot(member).electorate();
				assertThat(electorate.committed()).isTrue();
				assertThat(electorate.voters()).hasSize(VOTERS)
					.doesNotContain(leavingId)
					.containsAnyElementsOf(observers.stream().map((observer) -> observer.identity().id()).toList());
			}
		});
		List<RedisServerProcess> alive = group.nodes().stream().filter(RedisServerProcess::isAlive).toList();
		awaitSubscribers(alive, VOTERS, 1);

		group.nodeOnPort(first.port()).kill();
		awaitEveryoneFollowsANewMaster(four, first);
	}

	/**
	 * Each node has this many subscribers on the voters' channel; each observer listens
	 * to the announcements on {@link GroupLinks#ANNOUNCEMENT_NODES} of the nodes.
	 */
	private static void awaitSubscribers(List<RedisServerProcess> nodes, int voters, int observers) {
		await("voters on the gossip channel, observers on the announcements").atMost(Members.EVENTUALLY)
			.untilAsserted(() -> {
				long announcements = 0;
				for (RedisServerProcess node : nodes) {
					assertThat(subscribers(node, GroupCoordinator.GOSSIP_CHANNEL)).isEqualTo(voters);
					assertThat(subscribers(node, GroupCoordinator.ANNOUNCE_CHANNEL)).isLessThanOrEqualTo(observers);
					announcements += subscribers(node, GroupCoordinator.ANNOUNCE_CHANNEL);
				}
				assertThat(announcements)
					.isEqualTo((long) observers * Math.min(GroupLinks.ANNOUNCEMENT_NODES, nodes.size()));
			});
	}

	private static long connections(RedisServerProcess node, RedisHaMember member) {
		String name = "name=redis-ha-" + member.identity().id() + " ";
		return ((String) node.command("CLIENT", "LIST")).lines().filter((client) -> client.contains(name)).count();
	}

	private static long subscribers(RedisServerProcess node, String channel) {
		return (Long) ((List<?>) node.command("PUBSUB", "NUMSUB", channel)).get(1);
	}

	private static NodeAddress awaitEveryoneFollowsANewMaster(List<RedisHaMember> members, NodeAddress old) {
		await("every member follows the new master").atMost(Members.EVENTUALLY).untilAsserted(() -> {
			NodeAddress master = snapshot(members.get(0)).master().address();
			assertThat(master).isNotEqualTo(old);
			for (RedisHaMember member : members) {
				assertThat(snapshot(member).master().address()).isEqualTo(master);
			}
		});
		return snapshot(members.get(0)).master().address();
	}

}
