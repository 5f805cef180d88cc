package io.redisha.member;

import java.time.Duration;
import java.util.function.UnaryOperator;

import io.redisha.embedded.RedisGroupExtension;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.GroupState;
import io.redisha.testing.Members;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Members of a group whose nodes require a password (and an ACL user). */
class MemberAuthenticationTest {

	private static final String PASSWORD = "s3cret-pa55";

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(1).user("app", PASSWORD).perClass();

	private final Members members = new Members();

	@AfterEach
	void stopMembers() {
		this.members.close();
	}

	@Test
	void passwordProtectedNodesAreMonitoredAndGossipedOn() {
		RedisHaMember one = this.members.start(1, "app", PASSWORD, UnaryOperator.identity(), redis.group().master());
		RedisHaMember two = this.members.start(1, null, PASSWORD, UnaryOperator.identity(), redis.group().node(1));
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> {
			for (RedisHaMember member : new RedisHaMember[] { one, two }) {
				GroupSnapshot snapshot = snapshot(member);
				assertThat(snapshot.state()).isEqualTo(GroupState.OK);
				assertThat(snapshot.master().address()).isEqualTo(address(redis.group().master()));
				assertThat(snapshot.replicas()).singleElement()
					.satisfies((replica) -> assertThat(replica.status()).isEqualTo(NodeStatus.UP));
				assertThat(snapshot.members()).hasSize(2);
			}
		});
		assertThat(snapshot(one).toString()).doesNotContain(PASSWORD);
		assertThat(one.toString()).doesNotContain(PASSWORD);
	}

	@Test
	void wrongPasswordIsReportedClearly() {
		RedisHaMember member = this.members.start(1, "app", "wrong", UnaryOperator.identity(), redis.group().master());
		await().atMost(Members.EVENTUALLY)
			.untilAsserted(() -> assertThat(member.connectionProblems(Members.GROUP)).hasEntrySatisfying(
					address(redis.group().master()),
					(reason) -> assertThat(reason)
						.contains("authentication to " + address(redis.group().master()) + " failed: WRONGPASS")
						.contains("username and password")
						.doesNotContain("wrong")));
		assertThat(snapshot(member).state()).isEqualTo(GroupState.NO_MASTER);
	}

	@Test
	void missingPasswordIsReportedClearly() {
		RedisHaMember member = this.members.start(redis.group().master());
		await().atMost(Members.EVENTUALLY)
			.untilAsserted(() -> assertThat(member.connectionProblems(Members.GROUP)).hasEntrySatisfying(
					address(redis.group().master()), (reason) -> assertThat(reason).contains("failed: NOAUTH")));
	}

}
