package io.redisha.failover;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.GroupState;
import io.redisha.protocol.ProtocolEvent.Type;

import static io.redisha.failover.ScenarioMembers.DOWN_AFTER;
import static io.redisha.failover.ScenarioMembers.FAILOVER_WITHIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A quorum larger than the number of members can never be reached: the dead master stays. */
class QuorumTest {

	@RegisterExtension
	static final RedisGroupExtension redis = RedisGroupExtension.withReplicas(2);

	private ScenarioMembers members;

	@AfterEach
	void stopMembers() {
		if (this.members != null) {
			this.members.close();
		}
	}

	@Test
	void quorumLargerThanTheMembersNeverFailsOver() {
		LocalRedisGroup group = redis.group();
		this.members = ScenarioMembers.start(group, 3, 4);

		group.master().kill();

		await("every member sees the master down").atMost(FAILOVER_WITHIN)
			.until(() -> this.members.states().values().stream().allMatch((state) -> state == GroupState.SDOWN));
		await("no member goes past SDOWN for 3 x down-after").during(DOWN_AFTER.multipliedBy(3))
			.atMost(DOWN_AFTER.multipliedBy(4))
			.until(() -> this.members.states().values().stream().allMatch((state) -> state == GroupState.SDOWN)
					&& !this.members.anyEmitted(Type.ODOWN, Type.TRY_FAILOVER, Type.PROMOTED_REPLICA));
		assertThat(group.replicas()).extracting(RedisServerProcess::role).containsOnly("slave");
	}

}
