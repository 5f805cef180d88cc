package io.redisha.failover;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.protocol.NodeAddress;

import static io.redisha.failover.ScenarioMembers.DOWN_AFTER;
import static io.redisha.failover.ScenarioMembers.FAILOVER_WITHIN;
import static io.redisha.failover.ScenarioMembers.SETTLE_WITHIN;
import static io.redisha.failover.ScenarioMembers.address;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every member restarted at once (a deploy): the new members learn the current master from the
 * nodes and from each other, never fail over, and do not fall back to an older config epoch.
 */
class MemberRestartTest {

	@RegisterExtension
	static final FailoverScenario scenario = FailoverScenario.withReplicas(2);

	@Test
	void restartingEveryMemberAfterAFailoverKeepsTheMasterAndItsConfigEpoch() {
		LocalRedisGroup group = scenario.group();
		NodeAddress master;
		long configEpoch;
		try (ScenarioMembers before = scenario.startMembers(3, 2)) {
			group.master().kill();
			master = before.awaitNewMaster(address(group.master()), FAILOVER_WITHIN);
			await("the members agree on one config epoch").atMost(SETTLE_WITHIN)
				.until(() -> before.configEpochs().size() == 1);
			configEpoch = before.configEpochs().iterator().next();
		}

		ScenarioMembers members = scenario.startMembers(3, 2, master);

		await("the restarted members neither see the master down nor fail over")
			.during(DOWN_AFTER.multipliedBy(3))
			.atMost(DOWN_AFTER.multipliedBy(4))
			.until(() -> members.undisturbed(master));
		// A lower epoch would lose to a member of the old generation that was only cut off and comes back.
		assertThat(members.configEpochs()).as("config epochs of the new members; the old ones had %d", configEpoch)
			.allMatch((epoch) -> epoch >= configEpoch);
	}

}
