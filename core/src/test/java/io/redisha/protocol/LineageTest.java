package io.redisha.protocol;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.TestCluster.Member;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No node is treated as the master unless its data continues the group's replication
 * history: neither adopted as already promoted, nor learned at start, nor promoted; and a
 * restarted master may be failed over to a replica that still has its data.
 */
class LineageTest {

	private static final String[] SEEDS = { "10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379" };

	private final TestCluster cluster = new TestCluster();

	private final FakeRedis.Node master = this.cluster.redis.master("10.0.0.1:6379");

	private final FakeRedis.Node replica1 = this.cluster.redis.replica("10.0.0.2:6379", this.master);

	private final FakeRedis.Node replica2 = this.cluster.redis.replica("10.0.0.3:6379", this.master);

	private List<Member> members(GroupConfig config) {
		for (int i = 0; i < 3; i++) {
			this.cluster.member("m" + i, config);
		}
		this.cluster.run(5000);
		return this.cluster.members;
	}

	@Test
	void aReplicaRestartedEmptyAsAMasterIsNotAdoptedTheReplicaWithTheDataIsPromoted() {
		List<Member> members = members(TestCluster.config(2, SEEDS));
		this.master.alive = false;
		this.replica2.alive = false;
		this.cluster.run(300);
		this.cluster.redis.restartEmpty(this.replica2);
		this.cluster.run(10_000);
		assertThat(promotions(members)).extracting(Action.Promote::node).containsExactly(this.replica1.address);
		assertThat(members).allSatisfy((member) -> {
			assertThat(member.coordinator.snapshot(this.cluster.now).master().address())
				.isEqualTo(this.replica1.address);
			assertThat(member.events(Type.REBOOT)).extracting(ProtocolEvent::node).contains(this.replica2.address);
		});
		assertThat(this.replica2.following).as("the empty node is turned into a replica")
			.isEqualTo(this.replica1.address);
	}

	@Test
	void membersStartingWhileTheMasterIsDeadDoNotFollowAnEmptyNodeOverItsStrandedReplicas() {
		this.master.alive = false;
		this.cluster.redis.restartEmpty(this.replica2);
		List<Member> members = members(TestCluster.config(2, SEEDS));
		this.cluster.run(10_000);
		assertThat(members).allSatisfy((member) -> {
			assertThat(member.coordinator.snapshot(this.cluster.now).state()).isEqualTo(GroupState.NO_MASTER);
			assertThat(member.events(Type.SWITCH_MASTER)).isEmpty();
		});
		assertThat(this.replica1.following).isEqualTo(this.master.address);
	}

	@Test
	void membersStartingWhileTheMasterIsDeadFollowAReplicaPromotedFromItsHistory() {
		this.master.alive = false;
		this.replica2.offset = 2000;
		this.cluster.redis.answer(new Action.Promote(this.replica2.address, 1));
		List<Member> members = members(TestCluster.config(2, SEEDS));
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now).master().address())
				.isEqualTo(this.replica2.address));
	}

	@Test
	void aMasterRestartedWithoutItsDataIsFailedOverWithinMasterRebootDownAfter() {
		GroupConfig config = rebootDownAfter(Duration.ofSeconds(5));
		List<Member> members = members(config);
		this.master.alive = false;
		this.cluster.run(300);
		this.cluster.redis.restartEmpty(this.master);
		this.cluster.run(10_000);
		assertThat(members).allSatisfy((member) -> {
			assertThat(member.events(Type.REBOOT)).extracting(ProtocolEvent::node).containsExactly(this.master.address);
			assertThat(member.events(Type.SDOWN)).isNotEmpty();
			assertThat(member.coordinator.snapshot(this.cluster.now).master().address())
				.isNotEqualTo(this.master.address);
		});
		assertThat(promotions(members)).hasSize(1);
		NodeAddress promoted = promotions(members).get(0).node();
		assertThat(this.master.following).as("the emptied master follows the replica that kept the data")
			.isEqualTo(promoted);
	}

	@Test
	void aRestartedMasterIsOnlyReportedWhenMasterRebootDownAfterIsOff() {
		List<Member> members = members(TestCluster.config(2, SEEDS));
		this.master.alive = false;
		this.cluster.run(300);
		this.cluster.redis.restartEmpty(this.master);
		this.cluster.run(10_000);
		assertThat(members).allSatisfy((member) -> {
			assertThat(member.events(Type.REBOOT)).extracting(ProtocolEvent::node).containsExactly(this.master.address);
			assertThat(member.events(Type.SDOWN)).isEmpty();
			assertThat(member.coordinator.snapshot(this.cluster.now).master().address()).isEqualTo(this.master.address);
		});
		assertThat(promotions(members)).isEmpty();
	}

	private static GroupConfig rebootDownAfter(Duration period) {
		GroupConfig config = TestCluster.config(2, SEEDS);
		return new GroupConfig(config.name(), config.seeds(), config.quorum(), config.downAfter(),
				config.failoverTimeout(), config.parallelSyncs(), config.timing().withMasterRebootDownAfter(period));
	}

	private static List<Action.Promote> promotions(List<Member> members) {
		return members.stream().flatMap((m) -> m.actions(Action.Promote.class).stream()).toList();
	}

}
