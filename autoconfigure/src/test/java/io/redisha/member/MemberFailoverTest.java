package io.redisha.member;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.NodeAddress;
import io.redisha.testing.Members;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Members failing over a real master killed with SIGKILL. */
class MemberFailoverTest {

	private static final Logger logger = LoggerFactory.getLogger(MemberFailoverTest.class);

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(2);

	private final Members members = new Members();

	@AfterEach
	void stopMembers() {
		this.members.close();
	}

	@Test
	void killedMasterIsReplacedByAReplicaThatEveryMemberReports() {
		LocalRedisGroup group = redis.group();
		List<RedisHaMember> three = List.of(this.members.start(2, group.master()), this.members.start(2, group.node(1)),
				this.members.start(2, group.node(2)));
		NodeAddress oldMaster = address(group.master());
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> assertThat(three).allSatisfy((member) -> {
			GroupSnapshot snapshot = snapshot(member);
			assertThat(masterOf(member)).isEqualTo(oldMaster);
			assertThat(snapshot.replicas()).hasSize(2);
			assertThat(snapshot.members()).hasSize(3);
		}));
		// Past the start-up quiet period, members may act.
		await().atMost(Members.EVENTUALLY)
			.until(() -> three.stream().noneMatch((member) -> snapshot(member).startingUp()));
		Members.awaitElectorate(three);
		long killedAt = System.nanoTime();
		group.master().kill();
		Set<NodeAddress> replicas = group.replicas().stream().map(Members::address).collect(Collectors.toSet());
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> {
			Set<NodeAddress> reported = three.stream().map(MemberFailoverTest::masterOf).collect(Collectors.toSet());
			assertThat(reported).hasSize(1);
			assertThat(replicas).containsAll(reported);
		});
		// A number for the record (speed is measured by the benchmark, not asserted
		// here).
		logger.info("Every member reported the new master {} ms after the kill (down-after {} ms)",
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt), Members.DOWN_AFTER.toMillis());
		NodeAddress newMaster = masterOf(three.get(0));
		RedisServerProcess promoted = group.nodeOnPort(newMaster.port());
		assertThat(promoted.role()).isEqualTo("master");
		RedisServerProcess other = group.replicas().stream().filter((replica) -> replica != promoted).findFirst().get();
		await().atMost(Members.EVENTUALLY)
			.untilAsserted(() -> assertThat(other.info("replication"))
				.containsEntry("master_port", Integer.toString(promoted.port()))
				.containsEntry("master_link_status", "up"));
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> {
			Set<Long> epochs = three.stream()
				.map((member) -> snapshot(member).configEpoch())
				.collect(Collectors.toSet());
			assertThat(epochs).hasSize(1).allSatisfy((epoch) -> assertThat(epoch).isPositive());
		});
	}

	private static NodeAddress masterOf(RedisHaMember member) {
		GroupSnapshot snapshot = snapshot(member);
		return (snapshot != null && snapshot.master() != null) ? snapshot.master().address() : null;
	}

}
