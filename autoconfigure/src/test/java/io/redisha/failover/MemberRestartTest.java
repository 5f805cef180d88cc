package io.redisha.failover;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.NodeAddress;
import io.redisha.testing.Members;

import static io.redisha.testing.Members.DOWN_AFTER;
import static io.redisha.testing.Members.EVENTUALLY;
import static io.redisha.testing.Members.address;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every member restarted at once (a deploy): the new members learn the current master
 * from the nodes and from each other, never fail over, and never stand or vote in an
 * epoch the last generation may have used.
 */
class MemberRestartTest {

	@RegisterExtension
	static final FailoverScenario scenario = FailoverScenario.withReplicas(2);

	@Test
	void restartingEveryMemberAfterAFailoverKeepsTheMasterAndNeverReusesAnEpoch() {
		LocalRedisGroup group = scenario.group();
		NodeAddress master;
		long highestEpoch;
		try (Members before = scenario.startMembers(3, 2)) {
			group.master().kill();
			master = before.awaitNewMaster(address(group.master()));
			await("the members agree on one config epoch").atMost(EVENTUALLY)
				.until(() -> before.configEpochs().size() == 1);
			highestEpoch = before.snapshots().stream().mapToLong(GroupSnapshot::currentEpoch).max().orElseThrow();
			// One at a time, each once the others no longer count it as a voter: a voter
			// stopped while it replaces one that said goodbye just before counts as
			// crashed (see docs/operations.md, "Dead-member cleanup").
			for (Members.Member stopping : before.all()) {
				String id = stopping.runtime().identity().id();
				stopping.runtime().stop();
				await("the others count " + stopping.name() + " out of the voters").atMost(EVENTUALLY)
					.until(() -> before.running()
						.stream()
						.allMatch((other) -> !other.snapshot().electorate().voters().contains(id)));
			}
		}

		Members members = scenario.startMembers(3, 2, master);

		await("the restarted members neither see the master down nor fail over").during(DOWN_AFTER.multipliedBy(3))
			.atMost(DOWN_AFTER.multipliedBy(4))
			.until(() -> members.undisturbed(master));
		// Epochs of the last generation used again would let a member of it that was only
		// cut off, and comes back, win with an older configuration or a second vote in
		// the same epoch.
		assertThat(members.snapshots()).extracting(GroupSnapshot::currentEpoch)
			.as("epochs of the new members; the last generation went up to %d", highestEpoch)
			.allMatch((epoch) -> epoch > highestEpoch);
	}

}
