package io.redisha.failover;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.GroupState;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.testing.Members;

import static io.redisha.testing.Members.DOWN_AFTER;
import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A quorum larger than the number of members can never be reached: the dead master stays.
 */
class QuorumTest {

	@RegisterExtension
	static final FailoverScenario scenario = FailoverScenario.withReplicas(2);

	@Test
	void quorumLargerThanTheMembersNeverFailsOver() {
		LocalRedisGroup group = scenario.group();
		Members members = scenario.startMembers(3, 4);

		group.master().kill();

		await("every member sees the master down").atMost(EVENTUALLY)
			.until(() -> members.states().stream().allMatch((state) -> state == GroupState.SDOWN));
		await("no member goes past SDOWN for 3 x down-after").during(DOWN_AFTER.multipliedBy(3))
			.atMost(DOWN_AFTER.multipliedBy(4))
			.until(() -> members.states().stream().allMatch((state) -> state == GroupState.SDOWN)
					&& !members.anyEmitted(Type.ODOWN, Type.TRY_FAILOVER, Type.PROMOTED_REPLICA));
		assertThat(group.replicas()).extracting(RedisServerProcess::role).containsOnly("slave");
	}

}
