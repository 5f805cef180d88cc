package io.redisha.failover;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.NodeAddress;
import io.redisha.testing.Members;

import static io.redisha.testing.Members.EVENTUALLY;
import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.awaitFollowing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A replica made a master beside the master (here by hand, as a promotion whose failover
 * ended without adopting it would leave it): a later failover could adopt it as already
 * promoted, so the instances take no writes on the master until it is a replica again.
 */
class PromotedBesideTest {

	@RegisterExtension
	static final FailoverScenario scenario = FailoverScenario.withReplicas(2);

	@Test
	void theInstancesWriteAgainOnlyOnceTheStrayRepairMadeItAReplicaAgain() {
		LocalRedisGroup group = scenario.group();
		NodeAddress master = address(group.master());
		RedisServerProcess promoted = group.replicas().get(0);
		Members members = scenario.startMembers(3, 2);
		members.awaitSteady(master);
		await("every instance writes").atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(members.running())
				.allSatisfy((member) -> assertThat(fence(member).fenced()).as("fenced at %s", member).isFalse()));

		promoted.replicaOfNoOne();

		await("every instance fences, naming " + promoted.address()).atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(members.running()).allSatisfy((member) -> {
				GroupSnapshot.FenceSnapshot fence = fence(member);
				assertThat(fence.fenced()).as("fenced at %s", member).isTrue();
				assertThat(fence.reason()).startsWith(address(promoted) + " answers as a master promoted");
			}));
		awaitFollowing(promoted, master);
		await("every instance writes again").atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(members.running())
				.allSatisfy((member) -> assertThat(fence(member).fenced()).as("fenced at %s", member).isFalse()));
	}

	private static GroupSnapshot.FenceSnapshot fence(Members.Member member) {
		return member.snapshot().fence();
	}

}
