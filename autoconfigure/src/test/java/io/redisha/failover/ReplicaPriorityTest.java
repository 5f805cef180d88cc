package io.redisha.failover;

import java.util.Objects;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.testing.Members;

import static io.redisha.testing.Members.DOWN_AFTER;
import static io.redisha.testing.Members.EVENTUALLY;
import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.awaitFollowing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A replica with {@code replica-priority 0} is never promoted, even when it is the only
 * one left.
 */
class ReplicaPriorityTest {

	@RegisterExtension
	static final FailoverScenario scenario = FailoverScenario.withReplicaPriorities(0, null);

	@Test
	void replicaWithPriorityZeroIsPassedOver() {
		LocalRedisGroup group = scenario.group();
		RedisServerProcess neverPromoted = group.replicas().get(0);
		RedisServerProcess promotable = group.replicas().get(1);
		Members members = scenario.startMembers(3, 2);
		members.awaitPriorityZero(neverPromoted);

		group.master().kill();
		NodeAddress newMaster = members.awaitNewMaster(address(group.master()));

		assertThat(newMaster).isEqualTo(address(promotable));
		awaitFollowing(neverPromoted, newMaster);
	}

	@Test
	void noReplicaIsPromotedWhenEveryReplicaHasPriorityZero() {
		LocalRedisGroup group = scenario.group();
		group.replicas().get(1).setReplicaPriority(0);
		Members members = scenario.startMembers(3, 2);
		group.replicas().forEach(members::awaitPriorityZero);

		group.master().kill();

		await("a member aborts its failover for want of a good replica").atMost(EVENTUALLY)
			.until(() -> members.anyEmitted(Type.FAILOVER_ABORT_NO_GOOD_REPLICA));
		assertThat(members.running()).as("the abort reason each member shows as its last failover")
			.map((member) -> member.snapshot().lastFailover())
			.filteredOn(Objects::nonNull)
			.map(FailoverSnapshot::result)
			.anyMatch((result) -> result.contains("no good replica"));
		await("no replica is promoted").during(DOWN_AFTER.multipliedBy(3))
			.atMost(DOWN_AFTER.multipliedBy(4))
			.until(() -> !members.anyEmitted(Type.PROMOTED_REPLICA, Type.SWITCH_MASTER));
		assertThat(group.replicas()).extracting(RedisServerProcess::role).containsOnly("slave");
	}

}
