package io.redisha.failover;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.testing.Members;

import static io.redisha.testing.Members.EVENTUALLY;
import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.awaitFollowing;
import static io.redisha.testing.Members.awaitRole;
import static io.redisha.testing.Members.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sentinel's first scenarios: the master is killed with SIGKILL, a replica takes over,
 * and the old master, restarted still believing it is the master, is turned into a
 * replica.
 */
class KilledMasterTest {

	@RegisterExtension
	static final FailoverScenario scenario = FailoverScenario.withReplicas(2);

	@Test
	void killedMasterIsReplacedByOneFormerReplicaThatEveryMemberReports() {
		LocalRedisGroup group = scenario.group();
		Members members = scenario.startMembers(3, 2);
		NodeAddress oldMaster = address(group.master());
		long epochBefore = members.configEpochs().stream().mapToLong(Long::longValue).max().orElseThrow();

		group.master().kill();
		NodeAddress newMaster = members.awaitNewMaster(oldMaster);

		assertThat(group.replicas()).extracting(Members::address).contains(newMaster);
		awaitRole(node(group, newMaster), "master");
		for (RedisServerProcess other : Members.otherLiveNodes(group, newMaster)) {
			awaitFollowing(other, newMaster);
		}
		await("every member has the same config epoch, higher than " + epochBefore).atMost(EVENTUALLY)
			.untilAsserted(
					() -> assertThat(members.configEpochs()).hasSize(1).allMatch((epoch) -> epoch > epochBefore));
		assertThat(members.emitted(Type.SDOWN)).as("members seeing the new master down right after the switch")
			.noneMatch((event) -> newMaster.equals(event.node()));
	}

	@Test
	void oldMasterRestartedAsMasterBecomesReplicaOfTheNewMaster() {
		LocalRedisGroup group = scenario.group();
		Members members = scenario.startMembers(3, 2);
		RedisServerProcess oldMaster = group.master();
		oldMaster.kill();
		NodeAddress newMaster = members.awaitNewMaster(address(oldMaster));

		oldMaster.restartAsMaster();

		members.awaitRejoinedAsReplica(oldMaster, newMaster);
	}

}
