package io.redisha.failover;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent.Type;

import static io.redisha.failover.ScenarioMembers.DOWN_AFTER;
import static io.redisha.failover.ScenarioMembers.FAILOVER_TIMEOUT;
import static io.redisha.failover.ScenarioMembers.FAILOVER_WITHIN;
import static io.redisha.failover.ScenarioMembers.SETTLE_WITHIN;
import static io.redisha.failover.ScenarioMembers.address;
import static io.redisha.failover.ScenarioMembers.awaitFollowing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A replica with {@code replica-priority 0} is never promoted, even when it is the only one left. */
class ReplicaPriorityTest {

	@RegisterExtension
	static final RedisGroupExtension redis = RedisGroupExtension.withReplicaPriorities(0, null);

	private ScenarioMembers members;

	@AfterEach
	void stopMembers() {
		if (this.members != null) {
			this.members.close();
		}
	}

	@Test
	void replicaWithPriorityZeroIsPassedOver() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess neverPromoted = group.replicas().get(0);
		RedisServerProcess promotable = group.replicas().get(1);
		this.members = ScenarioMembers.start(group, 3, 2);
		awaitEveryMemberSeesPriorityZero(neverPromoted);

		group.master().kill();
		NodeAddress newMaster = this.members.awaitNewMaster(address(group.master()), FAILOVER_WITHIN);

		assertThat(newMaster).isEqualTo(address(promotable));
		awaitFollowing(neverPromoted, newMaster);
	}

	@Test
	void noReplicaIsPromotedWhenEveryReplicaHasPriorityZero() {
		LocalRedisGroup group = redis.group();
		group.replicas().get(1).setReplicaPriority(0);
		this.members = ScenarioMembers.start(group, 3, 2);
		group.replicas().forEach(this::awaitEveryMemberSeesPriorityZero);

		group.master().kill();

		await("a member aborts its failover for want of a good replica").atMost(FAILOVER_WITHIN.plus(FAILOVER_TIMEOUT))
			.until(() -> this.members.anyEmitted(Type.FAILOVER_ABORT_NO_GOOD_REPLICA));
		await("no replica is promoted").during(DOWN_AFTER.multipliedBy(3))
			.atMost(DOWN_AFTER.multipliedBy(4))
			.until(() -> !this.members.anyEmitted(Type.PROMOTED_REPLICA, Type.SWITCH_MASTER));
		assertThat(group.replicas()).extracting(RedisServerProcess::role).containsOnly("slave");
	}

	private void awaitEveryMemberSeesPriorityZero(RedisServerProcess replica) {
		NodeAddress address = address(replica);
		await("every member sees priority 0 on " + address).atMost(SETTLE_WITHIN)
			.until(() -> this.members.running().stream()
				.allMatch((member) -> member.snapshot().replicas().stream()
					.anyMatch((node) -> node.address().equals(address) && node.priority() == 0)));
	}

}
