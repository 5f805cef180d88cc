package io.redisha.failover;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.NodeAddress;
import io.redisha.testing.Members;

import static io.redisha.testing.Members.DOWN_AFTER;
import static io.redisha.testing.Members.address;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A master frozen with SIGSTOP: it keeps its connections open but answers nothing.
 * Shorter than down-after it is only a hiccup; longer, it is failed over and demoted when
 * it thaws.
 */
class PausedMasterTest {

	@RegisterExtension
	static final FailoverScenario scenario = FailoverScenario.withReplicas(2);

	@Test
	void masterPausedForLessThanDownAfterIsNotFailedOver() {
		LocalRedisGroup group = scenario.group();
		Members members = scenario.startMembers(3, 2);
		NodeAddress master = address(group.master());

		group.master().pause();
		await("nothing happens while the master is paused for 40% of down-after")
			.during(DOWN_AFTER.multipliedBy(4).dividedBy(10))
			.atMost(DOWN_AFTER)
			.until(() -> members.undisturbed(master));
		group.master().resume();

		await("nothing happens after the master resumed").during(DOWN_AFTER.multipliedBy(2))
			.atMost(DOWN_AFTER.multipliedBy(3))
			.until(() -> members.undisturbed(master));
		assertThat(group.master().role()).isEqualTo("master");
	}

	@Test
	void masterPausedForLongerIsFailedOverAndDemotedWhenResumed() {
		LocalRedisGroup group = scenario.group();
		Members members = scenario.startMembers(3, 2);
		RedisServerProcess oldMaster = group.master();

		oldMaster.pause();
		// A frozen master keeps its replicas' links up: in consistent mode they are
		// promoted only once the link has been silent for fence-after (rounded up to
		// seconds) plus 2 s.
		NodeAddress newMaster = members.awaitNewMaster(address(oldMaster));
		oldMaster.resume();

		members.awaitRejoinedAsReplica(oldMaster, newMaster);
	}

}
