package io.redisha.protocol;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.TestCluster.Member;

import static org.assertj.core.api.Assertions.assertThat;

/** Automatic failover end to end on the fake clock: who may act, and what it does. */
class FailoverTest {

	private static final String[] SEEDS = { "10.0.0.1:6379" };

	private final TestCluster cluster = new TestCluster();

	private final FakeRedis.Node master = this.cluster.redis.master("10.0.0.1:6379");

	private final FakeRedis.Node replica1 = this.cluster.redis.replica("10.0.0.2:6379", this.master);

	private final FakeRedis.Node replica2 = this.cluster.redis.replica("10.0.0.3:6379", this.master);

	private List<Member> members(int count, int quorum) {
		for (int i = 0; i < count; i++) {
			this.cluster.member("m" + i, TestCluster.config(quorum, SEEDS));
		}
		this.cluster.run(5000);
		return this.cluster.members;
	}

	@Test
	void aKilledMasterIsReplacedByOneReplicaThatEveryMemberAdopts() {
		List<Member> members = members(3, 2);
		this.replica2.offset = 2000;
		long killedAt = this.cluster.now;
		this.master.alive = false;
		this.cluster.run(5000);
		List<Action.Promote> promotions = members.stream().flatMap((m) -> m.actions(Action.Promote.class).stream())
			.toList();
		assertThat(promotions).hasSize(1);
		assertThat(promotions.get(0).node()).isEqualTo(this.replica2.address);
		assertThat(members.stream().flatMap((m) -> m.events(Type.ELECTED_LEADER).stream())).hasSize(1);
		assertThat(this.replica2.following).isNull();
		assertThat(this.replica1.following).isEqualTo(this.replica2.address);
		for (Member member : members) {
			GroupSnapshot snapshot = member.coordinator.snapshot(this.cluster.now);
			assertThat(snapshot.master().address()).isEqualTo(this.replica2.address);
			assertThat(snapshot.configEpoch()).isEqualTo(promotions.get(0).epoch()).isPositive();
			assertThat(snapshot.state()).isEqualTo(GroupState.OK);
			assertThat(member.events(Type.SWITCH_MASTER)).last().satisfies((event) -> {
				assertThat(event.node()).isEqualTo(this.master.address);
				assertThat(event.master()).isEqualTo(this.replica2.address);
			});
		}
		Member leader = members.stream().filter((m) -> !m.events(Type.ELECTED_LEADER).isEmpty()).findFirst().orElseThrow();
		assertThat(leader.events).extracting(ProtocolEvent::type).containsSubsequence(Type.SDOWN, Type.ODOWN,
				Type.TRY_FAILOVER, Type.ELECTED_LEADER, Type.SELECTED_REPLICA, Type.PROMOTED_REPLICA, Type.SWITCH_MASTER,
				Type.REPLICA_RECONF_SENT, Type.REPLICA_RECONF_DONE, Type.FAILOVER_END);
		GroupSnapshot.FailoverSnapshot record = leader.coordinator.snapshot(this.cluster.now).lastFailover();
		assertThat(record.result()).isEqualTo("succeeded");
		assertThat(record.newMaster()).isEqualTo(this.replica2.address);
		assertThat(record.steps()).extracting(GroupSnapshot.FailoverSnapshot.Step::name).contains("promote-sent",
				"promoted", "reconf-done 10.0.0.2:6379");
		long promotedAt = record.startedAtMs() + record.steps().stream()
			.filter((step) -> step.name().equals("promoted")).findFirst().orElseThrow().atMs();
		System.out.println("fake clock: master killed -> promotion confirmed in " + (promotedAt - killedAt)
				+ " ms (down-after 1000 ms, ticks of 100 ms)");
	}

	@Test
	void aQuorumLargerThanTheMembersNeverFailsOver() {
		List<Member> members = members(3, 4);
		this.master.alive = false;
		this.cluster.run(20_000);
		assertThat(members).allSatisfy((member) -> {
			assertThat(member.actions(Action.Promote.class)).isEmpty();
			assertThat(member.events(Type.ODOWN)).isEmpty();
			assertThat(member.coordinator.snapshot(this.cluster.now).state()).isEqualTo(GroupState.SDOWN);
		});
	}

	@Test
	void aMemberCutOffFromTheMasterAloneDoesNotFailOverEvenWithQuorumOne() {
		List<Member> members = members(3, 1);
		members.get(0).cutOffFrom("10.0.0.1:6379");
		this.cluster.run(20_000);
		assertThat(members).allSatisfy((member) -> assertThat(member.actions(Action.Promote.class)).isEmpty());
		assertThat(members.get(0).events(Type.ODOWN)).hasSize(1);
		assertThat(members.get(0).events(Type.FAILOVER_ABORT_NOT_ELECTED)).isNotEmpty();
		assertThat(members.get(1).events(Type.VOTE_FOR_LEADER)).isEmpty();
		assertThat(this.master.following).isNull();
	}

}
