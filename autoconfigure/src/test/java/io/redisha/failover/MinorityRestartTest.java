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

import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.testing.Members;
import io.redisha.testing.Members.Member;

import static org.awaitility.Awaitility.await;

/**
 * A member that restarts inside a minority partition must not fail over: it hears only
 * the members of its side, but those of the other side still count. Five members, quorum
 * 2, master {@code N0}; {m1, m2, N1, N2} is cut off from {m3, m4, m5, N0} for 10 s while
 * an application keeps writing to {@code N0}; m1 crashes and a new process of it, m1',
 * starts on its side. After the heal, the master must still hold every write {@code N0}
 * acknowledged.
 * <p>
 * Tagged {@code partition-safety}; it runs in every build.
 */
@Tag("partition-safety")
class MinorityRestartTest {

	private static final Logger logger = LoggerFactory.getLogger(MinorityRestartTest.class);

	private static final Members.Settings SETTINGS = Members.Settings.quorum(2)
		.downAfter(Duration.ofSeconds(2))
		.memberExpiry(Duration.ofMinutes(30));

	private static final Duration CUT = Duration.ofSeconds(10);

	@RegisterExtension
	static final PartitionScenario scenario = PartitionScenario.withReplicas(2);

	@Test
	void memberRestartedInAMinorityDoesNotFailOverAndTheMajorityKeepsItsWrites() {
		Members members = scenario.startMembers(SETTINGS, "m1", "m2", "m3", "m4", "m5");
		NodeAddress master = scenario.address("N0");
		List<Member> majority = List.of(members.member("m3"), members.member("m4"), members.member("m5"));
		List<String> promotedByMinority;

		scenario.redis().partition(Set.of("m1", "m2", "N1", "N2"), Set.of("m3", "m4", "m5", "N0"));
		AcknowledgedWrites writes = AcknowledgedWrites.start(scenario.redis().node("N0"), "cut");
		try {
			scenario.crash(members.member("m1"));
			Member restarted = scenario.startMember(members, "m1'", "m2");
			await("the majority follows N0 throughout the cut").during(CUT)
				.atMost(CUT.plusSeconds(5))
				.until(() -> majority.stream()
					.allMatch((member) -> master.equals(member.snapshot().master().address())));
			promotedByMinority = promotions(members.member("m2"), restarted);
			scenario.redis().heal();
		}
		finally {
			writes.close();
		}

		NodeAddress settled = members.awaitSettled();
		List<String> lost = writes.missingOn(scenario.redis().node(scenario.nameAt(settled)));
		String story = scenario.story(members, Type.ELECTED_LEADER, Type.PROMOTED_REPLICA, Type.SWITCH_MASTER,
				Type.CONVERT_TO_REPLICA) + "\n  settled on " + scenario.nameAt(settled) + "; N0 acknowledged "
				+ writes.acknowledgedCount() + " of " + writes.attemptedCount() + " writes during the cut, "
				+ lost.size() + " of them are lost";
		logger.info("What happened:{}", story);
		SoftAssertions.assertSoftly((softly) -> {
			softly.assertThat(promotedByMinority).as("promotions by the minority during the cut").isEmpty();
			softly.assertThat(lost.size())
				.as("writes N0 acknowledged during the cut missing on the master (first: %s); what happened:%s",
						lost.stream().limit(3).toList(), story)
				.isZero();
		});
	}

	private static List<String> promotions(Member... members) {
		return List.of(members)
			.stream()
			.flatMap((member) -> member.events()
				.stream()
				.filter((event) -> event.type() == Type.PROMOTED_REPLICA)
				.map((event) -> scenario.describe(member, event)))
			.toList();
	}

}
