package io.redisha.failover;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.testing.Members;

import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.awaitFollowing;
import static io.redisha.testing.Members.awaitRole;
import static io.redisha.testing.Members.node;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica killed while a failover is under way misses its reconfiguration; restarted
 * later as a replica of the dead old master, it is repointed to the new one.
 */
class ReplicaRestartTest {

	@RegisterExtension
	static final FailoverScenario scenario = FailoverScenario.withReplicas(2);

	@Test
	void replicaKilledDuringFailoverAndRestartedAsReplicaOfTheOldMasterFollowsTheNewMaster() {
		LocalRedisGroup group = scenario.group();
		Members members = scenario.startMembers(3, 2);
		RedisServerProcess oldMaster = group.master();
		AtomicBoolean claimed = new AtomicBoolean();
		AtomicReference<RedisServerProcess> killed = new AtomicReference<>();
		members.onEvent((emitted) -> {
			if (emitted.event().type() == Type.SELECTED_REPLICA && claimed.compareAndSet(false, true)) {
				// On the leader's group thread, so the replica is dead before the
				// leader's next step.
				RedisServerProcess victim = Members.otherLiveNodes(group, emitted.event().node()).get(0);
				victim.kill();
				killed.set(victim);
			}
		});

		oldMaster.kill();
		NodeAddress newMaster = members.awaitNewMaster(address(oldMaster));
		assertThat(killed.get()).as("the replica killed during the failover").isNotNull();
		RedisServerProcess victim = killed.get();
		assertThat(address(victim)).isNotEqualTo(newMaster);

		victim.restartAsReplicaOf(oldMaster.address());

		awaitFollowing(victim, newMaster);
		awaitRole(node(group, newMaster), "master");
		members.awaitSteady(newMaster);
	}

}
