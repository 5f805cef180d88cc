package io.redisha.protocol;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.TestCluster.Member;

import static org.assertj.core.api.Assertions.assertThat;

/** Planned switchover on the fake clock: writes paused, the target caught up, the master demoted before the target is promoted. */
class SwitchoverTest {

	private static final String[] SEEDS = { "10.0.0.1:6379" };

	private final TestCluster cluster = new TestCluster();

	private final FakeRedis.Node master = this.cluster.redis.master("10.0.0.1:6379");

	private final FakeRedis.Node target = this.cluster.redis.replica("10.0.0.2:6379", this.master);

	private final FakeRedis.Node other = this.cluster.redis.replica("10.0.0.3:6379", this.master);

	private List<Member> members() {
		for (int i = 0; i < 3; i++) {
			this.cluster.member("m" + i, TestCluster.config(2, SEEDS));
		}
		this.cluster.run(5000);
		return this.cluster.members;
	}

	private CommandOutcome switchover(Member member, long timeoutMillis) {
		CommandOutcome outcome = member.coordinator.requestSwitchover(this.cluster.now, this.target.address,
				timeoutMillis);
		this.cluster.deliver(member, outcome.actions());
		return outcome;
	}

	@Test
	void theMasterIsDemotedOnlyOnceTheTargetHasThePausedOffsetThenTheTargetIsPromoted() {
		List<Member> members = members();
		Member leader = members.get(0);
		this.target.offset = 900;
		assertThat(switchover(leader, 5000).status()).isEqualTo(CommandOutcome.Status.STARTED);
		this.cluster.run(500);
		assertThat(this.master.writesPaused).isTrue();
		assertThat(this.master.following).isNull();
		assertThat(leader.actions(Action.Promote.class)).isEmpty();

		this.target.offset = 1000;
		this.cluster.run(1000);
		FailoverSnapshot record = leader.coordinator.snapshot(this.cluster.now).lastFailover();
		long epoch = record.epoch();
		List<Action> steps = leader.actions.stream()
			.filter((action) -> action instanceof Action.PauseWrites || action instanceof Action.ResumeWrites
					|| action instanceof Action.Promote
					|| action instanceof Action.Replicate replicate && replicate.node().equals(this.master.address))
			.toList();
		// Paused for the catch-up timeout plus down-after, so that the pause outlasts the demotion.
		assertThat(steps).containsExactly(new Action.PauseWrites(this.master.address, 5000 + 1000, epoch),
				new Action.Replicate(this.master.address, this.target.address, epoch),
				new Action.ResumeWrites(this.master.address), new Action.Promote(this.target.address, epoch));
		assertThat(this.master.writesPaused).isFalse();
		assertThat(this.master.following).isEqualTo(this.target.address);
		assertThat(this.target.following).isNull();
		assertThat(this.other.following).isEqualTo(this.target.address);
		assertThat(record.succeeded()).as(record.result()).isTrue();
		assertThat(record.trigger()).isEqualTo(GroupSnapshot.Trigger.SWITCHOVER);
		assertThat(record.writesAtRiskBytes()).isZero();
		assertThat(record.steps()).extracting(FailoverSnapshot.Step::name)
			.containsSubsequence("pause-writes-sent", "writes-paused @1000", "caught-up 10.0.0.2:6379 @1000",
					"demote-sent 10.0.0.1:6379", "demoted 10.0.0.1:6379", "promote-sent", "promoted");
		assertThat(members).allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now).master()
			.address()).isEqualTo(this.target.address));
	}

	@Test
	void aTargetThatDoesNotCatchUpInTimeLeavesTheMasterServingWithWritesResumed() {
		List<Member> members = members();
		Member leader = members.get(1);
		this.target.offset = 900;
		assertThat(switchover(leader, 300).status()).isEqualTo(CommandOutcome.Status.STARTED);
		this.cluster.run(2000);
		FailoverSnapshot record = leader.coordinator.snapshot(this.cluster.now).lastFailover();
		assertThat(record.succeeded()).isFalse();
		assertThat(record.result()).contains("did not catch up within 300 ms");
		assertThat(leader.actions(Action.ResumeWrites.class)).hasSize(1);
		assertThat(leader.actions(Action.Promote.class)).isEmpty();
		assertThat(leader.actions(Action.Replicate.class)).isEmpty();
		assertThat(this.master.writesPaused).isFalse();
		assertThat(this.master.following).isNull();
		assertThat(this.target.following).isEqualTo(this.master.address);
		assertThat(members).allSatisfy((member) -> {
			GroupSnapshot snapshot = member.coordinator.snapshot(this.cluster.now);
			assertThat(snapshot.master().address()).isEqualTo(this.master.address);
			assertThat(snapshot.state()).isEqualTo(GroupState.OK);
		});
	}

	@Test
	void twoSwitchoversAskedAtOnceNeverBothDemoteTheMaster() {
		List<Member> members = members();
		CommandOutcome first = members.get(0).coordinator.requestSwitchover(this.cluster.now, null, 5000);
		CommandOutcome second = members.get(1).coordinator.requestSwitchover(this.cluster.now, this.other.address, 5000);
		this.cluster.deliver(members.get(0), first.actions());
		this.cluster.deliver(members.get(1), second.actions());
		this.cluster.run(3000);
		List<Action.Replicate> demotions = members.stream()
			.flatMap((member) -> member.actions(Action.Replicate.class).stream())
			.filter((replicate) -> replicate.node().equals(this.master.address))
			.toList();
		assertThat(demotions).hasSize(1);
		assertThat(members.stream().flatMap((member) -> member.actions(Action.Promote.class).stream())).hasSize(1);
		assertThat(members).allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now).master()
			.address()).isEqualTo(demotions.get(0).master()));
	}

	@Test
	void aMasterThatRefusesToPauseKeepsServingAndTheSwitchoverSaysWhy() {
		List<Member> members = members();
		Member leader = members.get(2);
		this.master.refusesPause = true;
		assertThat(switchover(leader, 5000).status()).isEqualTo(CommandOutcome.Status.STARTED);
		this.cluster.run(1000);
		FailoverSnapshot record = leader.coordinator.snapshot(this.cluster.now).lastFailover();
		assertThat(record.succeeded()).isFalse();
		assertThat(record.result()).contains("refused to pause writes").contains("NOPERM");
		assertThat(leader.actions(Action.Promote.class)).isEmpty();
		assertThat(this.master.following).isNull();
	}

}
