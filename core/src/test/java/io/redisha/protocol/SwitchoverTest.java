package io.redisha.protocol;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.simulation.SimCluster;
import io.redisha.protocol.simulation.SimCluster.Member;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Planned switchover on the fake clock: writes paused, the target caught up, the master
 * demoted (reporting its final offset) before the target is promoted, and only once the
 * target has that offset; a demotion whose reply is lost is checked on the node.
 */
class SwitchoverTest {

	private static final String[] SEEDS = { "10.0.0.1:6379" };

	/** The bytes written while the pause had expired, before the demotion. */
	private static final long SLIPPED = 100;

	private final SimCluster cluster = new SimCluster(SimCluster.config(2, SEEDS));

	private final SimCluster.Node master = this.cluster.master("10.0.0.1:6379");

	private final SimCluster.Node target = this.cluster.replica("10.0.0.2:6379", this.master);

	private final SimCluster.Node other = this.cluster.replica("10.0.0.3:6379", this.master);

	private List<Member> members() {
		for (int i = 0; i < 3; i++) {
			this.cluster.member("m" + i, SimCluster.config(2, SEEDS));
		}
		this.cluster.run(5000);
		return this.cluster.members;
	}

	private CommandOutcome switchover(Member member, long timeoutMillis) {
		CommandOutcome outcome = member.coordinator.requestSwitchover(this.cluster.now(), this.target.address(),
				timeoutMillis);
		this.cluster.deliver(member, outcome.actions());
		return outcome;
	}

	@Test
	void theMasterIsDemotedOnlyOnceTheTargetHasThePausedOffsetThenTheTargetIsPromoted() {
		List<Member> members = members();
		Member leader = members.get(0);
		targetBehind();
		long paused = this.master.offset();
		assertThat(switchover(leader, 5000).status()).isEqualTo(CommandOutcome.Status.STARTED);
		this.cluster.run(500);
		assertThat(this.master.writesPaused()).isTrue();
		assertThat(this.master.following()).isNull();
		assertThat(leader.actions(Action.Promote.class)).isEmpty();

		this.target.resumeStream();
		this.cluster.run(1000);
		FailoverSnapshot record = leader.coordinator.snapshot(this.cluster.now()).lastFailover();
		long epoch = record.epoch();
		// Paused for the catch-up timeout plus down-after; demoted by replicating itself,
		// repointed once the target is master.
		assertThat(handOverSteps(leader)).containsExactly(
				new Action.PauseWrites(this.master.address(), 5000 + 1000, epoch),
				new Action.Replicate(this.master.address(), this.master.address(), epoch),
				new Action.ResumeWrites(this.master.address()), promotionOfTheTarget(epoch),
				new Action.Replicate(this.master.address(), this.target.address(), epoch));
		assertThat(this.master.writesPaused()).isFalse();
		assertThat(this.master.following()).isEqualTo(this.target.address());
		assertThat(this.target.following()).isNull();
		assertThat(this.other.following()).isEqualTo(this.target.address());
		assertThat(record.succeeded()).as(record.result()).isTrue();
		assertThat(record.trigger()).isEqualTo(GroupSnapshot.Trigger.SWITCHOVER);
		assertThat(record.writesAtRiskBytes()).isZero();
		assertThat(record.steps()).extracting(FailoverSnapshot.Step::name)
			.containsSubsequence("pause-writes-sent", "writes-paused @" + paused, "caught-up 10.0.0.2:6379 @" + paused,
					"demote-sent 10.0.0.1:6379", "demoted 10.0.0.1:6379 @" + paused,
					"has-final-offset 10.0.0.2:6379 @" + paused, "promote-sent", "promoted");
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.target.address()));
	}

	@Test
	void aWriteThatSlipsInAfterThePauseExpiredKeepsTheTargetFromPromotionUntilItHasIt() {
		List<Member> members = members();
		Member leader = members.get(0);
		this.cluster.beforeCommand(this::writesSlipInBeforeTheDemotion);
		long paused = this.master.offset();
		assertThat(switchover(leader, 5000).status()).isEqualTo(CommandOutcome.Status.STARTED);
		this.cluster.run(1000);
		assertThat(this.master.following()).as("replicating itself").isEqualTo(this.master.address());
		assertThat(this.master.writesPaused()).isFalse();
		assertThat(leader.actions(Action.Promote.class)).isEmpty();
		assertThat(leader.coordinator.snapshot(this.cluster.now()).lastFailover().steps())
			.extracting(FailoverSnapshot.Step::name)
			.contains("caught-up 10.0.0.2:6379 @" + paused, "demoted 10.0.0.1:6379 @" + (paused + SLIPPED));

		// The demoted master goes on streaming to its replicas (Redis 7).
		this.target.resumeStream();
		// and the old master, repointed, syncs with the new one
		this.cluster.run(1000);
		FailoverSnapshot record = leader.coordinator.snapshot(this.cluster.now()).lastFailover();
		assertThat(record.succeeded()).as(record.result()).isTrue();
		assertThat(record.steps()).extracting(FailoverSnapshot.Step::name)
			.containsSubsequence("demoted 10.0.0.1:6379 @" + (paused + SLIPPED),
					"has-final-offset 10.0.0.2:6379 @" + (paused + SLIPPED), "promoted");
		assertThat(leader.actions(Action.Promote.class)).containsExactly(promotionOfTheTarget(record.epoch()));
		assertThat(this.master.following()).isEqualTo(this.target.address());
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.target.address()));
	}

	@Test
	void aTargetThatNeverGetsTheWritesThatSlippedInLeavesTheOldMasterServingAgain() {
		List<Member> members = members();
		Member leader = members.get(1);
		this.cluster.beforeCommand(this::writesSlipInBeforeTheDemotion);
		long paused = this.master.offset();
		assertThat(switchover(leader, 300).status()).isEqualTo(CommandOutcome.Status.STARTED);
		this.cluster.run(2000);
		FailoverSnapshot record = leader.coordinator.snapshot(this.cluster.now()).lastFailover();
		assertThat(record.succeeded()).isFalse();
		assertThat(record.result())
			.contains("did not reach the final offset " + (paused + SLIPPED) + " of 10.0.0.1:6379 within 300 ms")
			.contains("is the master again");
		assertThat(record.steps()).extracting(FailoverSnapshot.Step::name)
			.containsSubsequence("demoted 10.0.0.1:6379 @" + (paused + SLIPPED),
					"restore-sent 10.0.0.1:6379: 10.0.0.2:6379 @" + paused + " of " + (paused + SLIPPED),
					"restored 10.0.0.1:6379");
		assertThat(leader.actions(Action.Promote.class))
			.containsExactly(new Action.Promote(this.master.address(), record.epoch()));
		assertThat(this.master.following()).isNull();
		assertThat(this.master.writesPaused()).isFalse();
		assertThat(members).allSatisfy((member) -> {
			GroupSnapshot snapshot = member.coordinator.snapshot(this.cluster.now());
			assertThat(snapshot.master().address()).isEqualTo(this.master.address());
			assertThat(snapshot.state()).isEqualTo(GroupState.OK);
		});
	}

	@Test
	void aDemotionWhoseReplyIsLostButThatRanCompletesTheSwitchover() {
		List<Member> members = members();
		Member leader = members.get(2);
		this.cluster.loseReplies(SwitchoverTest::isDemotion);
		long paused = this.master.offset();
		assertThat(switchover(leader, 5000).status()).isEqualTo(CommandOutcome.Status.STARTED);
		// the demotion times out a second after it was sent
		this.cluster.run(2000);
		FailoverSnapshot record = leader.coordinator.snapshot(this.cluster.now()).lastFailover();
		assertThat(record.succeeded()).as(record.result()).isTrue();
		assertThat(record.steps()).extracting(FailoverSnapshot.Step::name)
			.containsSubsequence("demote-sent 10.0.0.1:6379",
					"demotion-unanswered (no reply from 10.0.0.1:6379 within 1000 ms)",
					"demoted 10.0.0.1:6379 @" + paused, "promote-sent", "promoted");
		assertThat(this.target.following()).isNull();
		assertThat(this.master.following()).isEqualTo(this.target.address());
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.target.address()));
	}

	@Test
	void aDemotionThatNeverRanResumesWritesAndLeavesTheMasterServing() {
		List<Member> members = members();
		Member leader = members.get(0);
		this.cluster.loseRequests(SwitchoverTest::isDemotion);
		assertThat(switchover(leader, 5000).status()).isEqualTo(CommandOutcome.Status.STARTED);
		// the demotion times out a second after it was sent
		this.cluster.run(2000);
		FailoverSnapshot record = leader.coordinator.snapshot(this.cluster.now()).lastFailover();
		assertThat(record.succeeded()).isFalse();
		assertThat(record.result()).contains("10.0.0.1:6379 did not step down: it keeps serving");
		assertThat(leader.actions(Action.Promote.class)).isEmpty();
		assertThat(this.master.following()).isNull();
		assertThat(this.master.writesPaused()).isFalse();
		assertThat(members).allSatisfy((member) -> {
			GroupSnapshot snapshot = member.coordinator.snapshot(this.cluster.now());
			assertThat(snapshot.master().address()).isEqualTo(this.master.address());
			assertThat(snapshot.state()).isEqualTo(GroupState.OK);
		});
	}

	@Test
	void aLeaderThatDiesAfterTheDemotionLeavesTheOthersToPromoteTheReplicaWithTheFinalOffset() {
		List<Member> members = members();
		Member leader = members.get(0);
		this.cluster.beforeCommand(this::writesSlipInBeforeTheDemotion);
		this.cluster.crashAt((action) -> action instanceof Action.ResumeWrites);
		switchover(leader, 5000);
		// the target's catch-up is seen at the leader's next tick
		assertThat(this.cluster.runUntil(1000, (cluster) -> !leader.running())).isTrue();
		assertThat(this.master.following()).isEqualTo(this.master.address());
		// The demoted master goes on streaming to the replica it kept (Redis 7); it now
		// reports itself a replica.
		this.target.resumeStream();
		// The others voted for the dead leader: they wait up to a failover timeout before
		// electing another.
		assertThat(
				this.cluster.runUntil(20_000,
						(cluster) -> this.target.address().equals(this.master.following())
								&& members.stream()
									.filter((member) -> member.running())
									.allMatch((member) -> this.target.address()
										.equals(member.coordinator.snapshot(cluster.now()).master().address()))))
			.isTrue();
		assertThat(this.target.following()).isNull();
	}

	@Test
	void aSwitchoverAskedRightAfterAChangeOfVotersStartsAndHandsOver() {
		List<Member> members = members();
		Member leader = members.get(0);
		// The master's INFO goes unanswered for a while, so this member's latest one
		// predates what its replicas hold since, and the change of voters to come.
		AtomicBoolean masterInfoLost = new AtomicBoolean(true);
		this.cluster.loseReplies((command) -> masterInfoLost.get() && command instanceof Action.QueryInfo
				&& command.node().equals(this.master.address()));
		this.master.write(1000);
		this.cluster.run(2000);
		// A fourth member joins: a configuration of a later epoch names the same master.
		long epoch = configEpoch(leader);
		this.cluster.member("m3", SimCluster.config(2, SEEDS));
		assertThat(this.cluster.runUntil(10_000, (cluster) -> configEpoch(leader) > epoch)).isTrue();
		CommandOutcome outcome = switchover(leader, 5000);
		assertThat(outcome.status()).as(outcome.message()).isEqualTo(CommandOutcome.Status.STARTED);
		masterInfoLost.set(false);
		this.cluster.run(3000);
		FailoverSnapshot record = leader.coordinator.snapshot(this.cluster.now()).lastFailover();
		assertThat(record.succeeded()).as(record.result()).isTrue();
		assertThat(record.newMaster()).isEqualTo(this.target.address());
		assertThat(record.writesAtRiskBytes()).isZero();
	}

	/**
	 * The target restarts from an RDB file saved before the master's last writes, after
	 * its INFO showed them all and before its promotion goes out: the promotion names the
	 * process that had them, so the new one refuses it and stays a replica; the
	 * switchover ends, and the other members fail the demoted master over without losing
	 * a write (strict seed 30268326: the restarted target was promoted without them).
	 */
	@Test
	void aTargetRestartedFromAnOlderRdbAfterItCaughtUpRefusesItsPromotion() {
		List<Member> members = members();
		Member leader = members.get(0);
		long saved = this.target.offset();
		this.master.write(1000);
		this.cluster.run(1000);
		String caughtUp = this.target.runId();
		long[] finalOffset = { -1 };
		this.cluster.beforeCommand((command) -> {
			if (isDemotion(command)) {
				finalOffset[0] = this.master.offset();
				this.target.restartFromRdbSavedAt(saved);
			}
		});
		assertThat(switchover(leader, 5000).status()).isEqualTo(CommandOutcome.Status.STARTED);
		this.cluster.run(1000);
		FailoverSnapshot record = leader.coordinator.snapshot(this.cluster.now()).lastFailover();
		assertThat(this.target.runId()).isNotEqualTo(caughtUp);
		assertThat(saved).as("the RDB file lacks the last writes").isLessThan(finalOffset[0] - 1000);
		assertThat(this.target.following()).as("not promoted").isEqualTo(this.master.address());
		assertThat(leader.actions(Action.Promote.class)).containsExactly(new Action.Promote(this.target.address(),
				record.epoch(), MinReplicas.UNMANAGED, RoleCommand.REPLICAOF, -1, caughtUp));
		assertThat(record.succeeded()).isFalse();
		assertThat(record.result()).contains("RESTARTED 10.0.0.2:6379 runs " + this.target.runId());
		assertThat(record.steps()).extracting(FailoverSnapshot.Step::name)
			.containsSubsequence("demoted 10.0.0.1:6379 @" + finalOffset[0],
					"has-final-offset 10.0.0.2:6379 @" + finalOffset[0], "promote-sent", "end");
		// The demoted master reports itself a replica: the members fail it over to a node
		// with its final offset (a replica that streamed it, or the old master itself).
		assertThat(this.cluster.runUntil(20_000, (cluster) -> {
			NodeAddress master = members.get(1).coordinator.snapshot(cluster.now()).master().address();
			return cluster.node(master).following() == null && members.stream()
				.allMatch((member) -> master.equals(member.coordinator.snapshot(cluster.now()).master().address()));
		})).isTrue();
		SimCluster.Node newMaster = this.cluster
			.node(members.get(1).coordinator.snapshot(this.cluster.now()).master().address());
		assertThat(newMaster.address()).isNotEqualTo(this.target.address());
		assertThat(newMaster.offset()).isGreaterThanOrEqualTo(finalOffset[0]);
	}

	/** The promotion of the target's process that had the final offset. */
	private Action.Promote promotionOfTheTarget(long epoch) {
		return new Action.Promote(this.target.address(), epoch, MinReplicas.UNMANAGED, RoleCommand.REPLICAOF, -1,
				this.target.runId());
	}

	private long configEpoch(Member member) {
		return member.coordinator.snapshot(this.cluster.now()).configEpoch();
	}

	/**
	 * The pause expired before the demotion arrived: the master took writes meanwhile,
	 * which the target gets only once the test resumes its stream.
	 */
	private void writesSlipInBeforeTheDemotion(Action.NodeCommand command) {
		if (isDemotion(command)) {
			this.target.stallStream();
			this.master.write(SLIPPED);
		}
	}

	/** The target's stream stalls before the master's last writes. */
	private void targetBehind() {
		this.target.stallStream();
		this.master.write(100);
	}

	private static boolean isDemotion(Action.NodeCommand command) {
		return command instanceof Action.Replicate replicate && replicate.node().equals(replicate.master());
	}

	/**
	 * The leader's pause, demotion, resume and promotion, and what it later sent the old
	 * master.
	 */
	private List<Action> handOverSteps(Member leader) {
		return leader.actions.stream()
			.filter((action) -> action instanceof Action.PauseWrites || action instanceof Action.ResumeWrites
					|| action instanceof Action.Promote
					|| action instanceof Action.Replicate replicate && replicate.node().equals(this.master.address()))
			.toList();
	}

	@Test
	void aTargetThatDoesNotCatchUpInTimeLeavesTheMasterServingWithWritesResumed() {
		List<Member> members = members();
		Member leader = members.get(1);
		targetBehind();
		assertThat(switchover(leader, 300).status()).isEqualTo(CommandOutcome.Status.STARTED);
		this.cluster.run(2000);
		FailoverSnapshot record = leader.coordinator.snapshot(this.cluster.now()).lastFailover();
		assertThat(record.succeeded()).isFalse();
		assertThat(record.result()).contains("did not catch up within 300 ms");
		assertThat(leader.actions(Action.ResumeWrites.class)).hasSize(1);
		assertThat(leader.actions(Action.Promote.class)).isEmpty();
		assertThat(leader.actions(Action.Replicate.class)).isEmpty();
		assertThat(this.master.writesPaused()).isFalse();
		assertThat(this.master.following()).isNull();
		assertThat(this.target.following()).isEqualTo(this.master.address());
		assertThat(members).allSatisfy((member) -> {
			GroupSnapshot snapshot = member.coordinator.snapshot(this.cluster.now());
			assertThat(snapshot.master().address()).isEqualTo(this.master.address());
			assertThat(snapshot.state()).isEqualTo(GroupState.OK);
		});
	}

	@Test
	void twoSwitchoversAskedAtOnceNeverBothDemoteTheMaster() {
		List<Member> members = members();
		CommandOutcome first = members.get(0).coordinator.requestSwitchover(this.cluster.now(), null, 5000);
		CommandOutcome second = members.get(1).coordinator.requestSwitchover(this.cluster.now(), this.other.address(),
				5000);
		this.cluster.deliver(members.get(0), first.actions());
		this.cluster.deliver(members.get(1), second.actions());
		this.cluster.run(3000);
		List<Action.Replicate> demotions = members.stream()
			.flatMap((member) -> member.actions(Action.Replicate.class).stream())
			.filter(SwitchoverTest::isDemotion)
			.toList();
		assertThat(demotions).hasSize(1);
		List<Action.Promote> promotions = members.stream()
			.flatMap((member) -> member.actions(Action.Promote.class).stream())
			.toList();
		assertThat(promotions).hasSize(1);
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(promotions.get(0).node()));
	}

	@Test
	void aMasterThatRefusesToPauseKeepsServingAndTheSwitchoverSaysWhy() {
		List<Member> members = members();
		Member leader = members.get(2);
		this.master.refusePause();
		assertThat(switchover(leader, 5000).status()).isEqualTo(CommandOutcome.Status.STARTED);
		this.cluster.run(1000);
		FailoverSnapshot record = leader.coordinator.snapshot(this.cluster.now()).lastFailover();
		assertThat(record.succeeded()).isFalse();
		assertThat(record.result()).contains("refused to pause writes").contains("NOPERM");
		assertThat(leader.actions(Action.Promote.class)).isEmpty();
		assertThat(this.master.following()).isNull();
	}

}
