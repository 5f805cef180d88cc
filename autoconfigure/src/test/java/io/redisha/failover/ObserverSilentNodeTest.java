package io.redisha.failover;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.testing.Members;
import io.redisha.testing.Members.Member;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An observer listens to the voters' announcements on one node. Nodes N0 (master), N1 and
 * N2; three voters and three observers. When the replicas are cut off from the master,
 * they still answer but pass nothing on: every observer then listens on the master, stays
 * there while the cut lasts, and listens on one node again once it heals.
 */
class ObserverSilentNodeTest {

	private static final int VOTERS = 3;

	@RegisterExtension
	static final PartitionScenario scenario = PartitionScenario.withReplicas(2);

	@Test
	void anObserverWhoseNodePassesNothingOnListensWhereTheAnnouncementsStillCome() {
		Members members = scenario.startMembers(Members.Settings.quorum(2).voters(VOTERS), "m1", "m2", "m3", "m4", "m5",
				"m6");
		await("a committed electorate of three voters").atMost(EVENTUALLY).untilAsserted(() -> {
			for (Member member : members.all()) {
				GroupSnapshot.ElectorateSnapshot electorate = member.snapshot().electorate();
				assertThat(electorate.committed()).isTrue();
				assertThat(electorate.voters()).hasSize(VOTERS);
			}
		});
		List<Member> observers = members.all()
			.stream()
			.filter((member) -> !member.snapshot().electorate().selfVotes())
			.toList();
		assertThat(observers).hasSize(members.all().size() - VOTERS);
		await("each observer listens on one node").atMost(EVENTUALLY)
			.untilAsserted(() -> observers.forEach((observer) -> assertThat(listeningNodes(observer)).hasSize(1)));

		scenario.redis().partition(Set.of("N1", "N2"), Set.of("N0"));
		await("every observer listens on the master, and hears the voters").atMost(EVENTUALLY)
			.untilAsserted(() -> observers.forEach((observer) -> {
				assertThat(listeningNodes(observer)).contains("N0");
				assertThat(observer.snapshot().fence().fenced()).isFalse();
			}));
		// longer than an observer takes to let a node that stood in go (ten hello
		// periods) and to find its own node silent again
		await("the observers keep listening on the master while the cut lasts").during(Duration.ofSeconds(5))
			.atMost(EVENTUALLY)
			.until(() -> observers.stream().allMatch((observer) -> listeningNodes(observer).contains("N0")));

		scenario.redis().heal();
		await("each observer listens on one node again").atMost(EVENTUALLY)
			.untilAsserted(() -> observers.forEach((observer) -> assertThat(listeningNodes(observer)).hasSize(1)));
	}

	/** The nodes on which {@code member} holds a subscribed connection. */
	private static List<String> listeningNodes(Member member) {
		String name = "name=redis-ha-" + member.runtime().identity().id() + " ";
		return scenario.redis()
			.nodeNames()
			.stream()
			.filter((node) -> subscribed(scenario.redis().node(node), name))
			.toList();
	}

	private static boolean subscribed(RedisServerProcess node, String name) {
		return ((String) node.command("CLIENT", "LIST")).lines()
			.anyMatch((client) -> client.contains(name) && !client.contains(" sub=0 "));
	}

}
