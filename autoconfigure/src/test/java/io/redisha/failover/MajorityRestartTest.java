package io.redisha.failover;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.testing.Members;
import io.redisha.testing.Members.Member;

import static io.redisha.testing.Members.EVENTUALLY;
import static org.awaitility.Awaitility.await;

/**
 * Restarting the members that made the latest failover must not bring back the
 * configuration it replaced. Three members A, B, C, quorum 2. {@code N0} dies and the
 * members fail over to {@code M2} (config epoch e1). Then {C, M2} is cut off from {A, B,
 * M3}: A and B fail {@code M2} over to {@code M3} (epoch e2 > e1) and an application
 * writes to {@code M3}. A and B restart on their side: the new processes learn {@code M3}
 * from the nodes alone. After the heal, {@code M3} must stay master with every write it
 * acknowledged, and {@code M2} follow it.
 * <p>
 * Everything heals at once, and that ordering is not left to chance: A' and B' have never
 * seen {@code M2} answer, so they can only demote it once it has answered for
 * demote-after (1 s), while C's hellos reach them within a hello period (250 ms). C's
 * epoch e1 for {@code M2} was given by the first failover: with both configurations at
 * epoch 0 the smaller address would win, a coin toss.
 * <p>
 * Tagged {@code partition-safety}; it runs in every build.
 */
@Tag("partition-safety")
class MajorityRestartTest {

	private static final Logger logger = LoggerFactory.getLogger(MajorityRestartTest.class);

	private static final Members.Settings SETTINGS = Members.Settings.quorum(2)
		.downAfter(Duration.ofSeconds(2))
		.memberExpiry(Duration.ofMinutes(30));

	@RegisterExtension
	static final PartitionScenario scenario = PartitionScenario.withReplicas(2);

	@Test
	void restartedMembersKeepTheMasterTheyFailedOverToAndItsWrites() {
		Members members = scenario.startMembers(SETTINGS, "A", "B", "C");
		scenario.redis().node("N0").kill();
		String m2 = scenario.nameAt(members.awaitSettled());
		String m3 = m2.equals("N1") ? "N2" : "N1";
		NodeAddress m3Address = scenario.address(m3);
		List<Member> majority = List.of(members.member("A"), members.member("B"));

		scenario.redis().partition(Set.of("C", m2), Set.of("A", "B", m3));
		await("A and B fail " + m2 + " over to " + m3).atMost(EVENTUALLY)
			.until(() -> "master".equals(scenario.redis().node(m3).role())
					&& majority.stream().allMatch((member) -> m3Address.equals(member.snapshot().master().address())));
		AcknowledgedWrites writes = AcknowledgedWrites.start(scenario.redis().node(m3), "m3");
		List<Member> restarted;
		try {
			majority.forEach((member) -> member.runtime().stop());
			restarted = List.of(scenario.startMember(members, "A'", "A"), scenario.startMember(members, "B'", "B"));
			await("A' and B' are past their quiet period, following " + m3).atMost(EVENTUALLY)
				.until(() -> restarted.stream()
					.map(Member::snapshot)
					.allMatch((snapshot) -> !snapshot.startingUp() && snapshot.master() != null
							&& m3Address.equals(snapshot.master().address())));
			logger.info("Before the heal: A' and B' follow {} with config epochs {}, C follows {} with config epoch {}",
					m3, restarted.stream().map(Member::snapshot).map(GroupSnapshot::configEpoch).toList(),
					scenario.nameAt(members.member("C").snapshot().master().address()),
					members.member("C").snapshot().configEpoch());
			scenario.redis().heal();
		}
		finally {
			writes.close();
		}

		NodeAddress settled = members.awaitSettled();
		RedisServerProcess master = scenario.redis().node(scenario.nameAt(settled));
		List<String> lost = writes.missingOn(master);
		String story = scenario.story(members, Type.ELECTED_LEADER, Type.PROMOTED_REPLICA, Type.SWITCH_MASTER,
				Type.CONVERT_TO_REPLICA) + "\n  settled on " + scenario.nameAt(settled) + "; " + m3 + " acknowledged "
				+ writes.acknowledgedCount() + " of " + writes.attemptedCount() + " writes, " + lost.size()
				+ " of them are lost";
		logger.info("What happened ({} promoted first, {} in the cut):{}", m2, m3, story);
		SoftAssertions.assertSoftly((softly) -> {
			softly.assertThat(scenario.nameAt(settled)).as("the master after the heal").isEqualTo(m3);
			softly.assertThat(lost.size())
				.as("writes %s acknowledged missing on the master (first: %s); what happened:%s", m3,
						lost.stream().limit(3).toList(), story)
				.isZero();
		});
	}

}
