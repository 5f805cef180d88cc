package io.redisha.protocol;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.simulation.SimCluster.Member;
import io.redisha.protocol.simulation.SimCluster;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The master-side fence (managed {@code min-replicas-to-write}) on the fake clock: set on
 * the node promoted before anyone announces it, cleared on the nodes made replicas, kept
 * on the master by the voters, and never in the way of a failover.
 */
class MasterFenceTest {

	private static final String[] SEEDS = { "10.0.0.1:6379" };

	private static final MinReplicas FENCE = new MinReplicas(1, Duration.ofSeconds(5));

	private SimCluster cluster;

	private SimCluster.Node master;

	private SimCluster.Node replica1;

	private SimCluster.Node replica2;

	/** The nodes of a group whose members manage the fence as asked. */
	private void nodes(MinReplicas minReplicas) {
		this.cluster = new SimCluster(config(minReplicas));
		this.master = this.cluster.master("10.0.0.1:6379");
		this.replica1 = this.cluster.replica("10.0.0.2:6379", this.master);
		this.replica2 = this.cluster.replica("10.0.0.3:6379", this.master);
	}

	private static GroupConfig config(MinReplicas minReplicas) {
		return SimCluster.config(2, SEEDS).withMinReplicas(minReplicas);
	}

	/**
	 * replica2 takes writes that replica1, cut off from the master once the members know
	 * it, misses: the replica to promote.
	 */
	private void replica2Ahead() {
		this.replica1.cutOffFrom(this.master);
		this.master.write(1000);
		this.cluster.run(100);
	}

	private List<Member> members(MinReplicas minReplicas) {
		for (int i = 0; i < 3; i++) {
			this.cluster.member("m" + i, config(minReplicas));
		}
		this.cluster.run(5000);
		return this.cluster.members;
	}

	@Test
	void theNodePromotedIsFencedByThePromotionItselfBeforeTheLeaderAnnouncesIt() {
		nodes(FENCE);
		this.replica1.setMinReplicas(FENCE);
		List<Member> members = members(FENCE);
		replica2Ahead();
		this.master.kill();
		this.cluster.run(5000);
		Member leader = leader(members);
		Action.Promote promote = leader.actions(Action.Promote.class).get(0);
		assertThat(promote.node()).isEqualTo(this.replica2.address());
		assertThat(promote.minReplicas()).isEqualTo(FENCE);
		int promoted = leader.actions.indexOf(promote);
		int announced = indexOf(leader.actions, (action) -> action instanceof Action.Emit emit
				&& emit.event().type() == Type.SWITCH_MASTER && this.replica2.address().equals(emit.event().master()));
		assertThat(promoted).isNotNegative().isLessThan(announced);
		assertThat(this.replica2.following()).isNull();
		assertThat(this.replica2.minReplicas()).isEqualTo(FENCE);
		// A replica repointed at the new master drops a fence left from a time it was
		// master.
		assertThat(leader.actions(Action.Replicate.class)).extracting(Action.Replicate::minReplicas)
			.containsOnly(FENCE);
		assertThat(this.replica1.following()).isEqualTo(this.replica2.address());
		assertThat(this.replica1.minReplicas()).isEqualTo(new MinReplicas(0, FENCE.maxLag()));
	}

	@Test
	void theOldMasterComingBackIsDemotedWithItsFenceCleared() {
		nodes(FENCE);
		List<Member> members = members(FENCE);
		assertThat(this.master.minReplicas()).isEqualTo(FENCE);
		this.master.kill();
		this.cluster.run(5000);
		NodeAddress newMaster = leader(members).actions(Action.Promote.class).get(0).node();
		this.master.restart();
		this.cluster.run(5000);
		assertThat(this.master.following()).isEqualTo(newMaster);
		assertThat(this.master.minReplicas().toWrite()).isZero();
		assertThat(this.cluster.node(newMaster).minReplicas()).isEqualTo(FENCE);
	}

	@Test
	void aSwitchoverDemotesTheMasterWithItsFenceClearedAndFencesTheTarget() {
		nodes(FENCE);
		List<Member> members = members(FENCE);
		Member leader = members.get(0);
		CommandOutcome outcome = leader.coordinator.requestSwitchover(this.cluster.now(), this.replica1.address(),
				5000);
		this.cluster.deliver(leader, outcome.actions());
		this.cluster.run(2000);
		assertThat(leader.coordinator.snapshot(this.cluster.now()).lastFailover().succeeded()).isTrue();
		assertThat(leader.actions(Action.Replicate.class)).first()
			.isEqualTo(new Action.Replicate(this.master.address(), this.master.address(), outcome.epoch(), FENCE));
		assertThat(this.master.following()).isEqualTo(this.replica1.address());
		assertThat(this.master.minReplicas().toWrite()).isZero();
		assertThat(this.replica1.minReplicas()).isEqualTo(FENCE);
	}

	@Test
	void theVotersFenceAMasterThatLacksTheFenceAtMostOnceAnInfoPeriodEach() {
		nodes(FENCE);
		List<Member> members = members(FENCE);
		assertThat(this.master.minReplicas()).isEqualTo(FENCE);
		members.forEach((member) -> member.actions.clear());
		// Changed by hand, or restarted from an older config file.
		this.master.setMinReplicas(MinReplicas.UNMANAGED);
		this.cluster.run(30_000);
		assertThat(this.master.minReplicas()).isEqualTo(FENCE);
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.actions(Action.FenceMaster.class)).hasSizeBetween(1, 3)
				.containsOnly(new Action.FenceMaster(this.master.address(), FENCE)));
	}

	@Test
	void unmanagedTheMembersLeaveTheNodesSettingsAlone() {
		nodes(MinReplicas.UNMANAGED);
		MinReplicas own = new MinReplicas(2, Duration.ofSeconds(7));
		this.replica1.setMinReplicas(own);
		List<Member> members = members(MinReplicas.UNMANAGED);
		replica2Ahead();
		this.master.kill();
		this.cluster.run(5000);
		this.master.restart();
		this.cluster.run(30_000);
		assertThat(this.master.following()).isEqualTo(this.replica2.address());
		assertThat(members).allSatisfy((member) -> assertThat(member.actions(Action.FenceMaster.class)).isEmpty());
		assertThat(leader(members).actions(Action.Promote.class)).extracting(Action.Promote::minReplicas)
			.containsOnly(MinReplicas.UNMANAGED);
		assertThat(this.replica1.minReplicas()).isEqualTo(own);
		assertThat(this.replica2.minReplicas()).isEqualTo(MinReplicas.UNMANAGED);
	}

	@Test
	void aNodeThatRefusesTheFenceIsStillPromoted() {
		nodes(FENCE);
		this.replica2.refuseConfig();
		List<Member> members = members(FENCE);
		replica2Ahead();
		this.master.kill();
		this.cluster.run(15_000);
		assertThat(this.replica2.following()).isNull();
		assertThat(this.replica2.minReplicas()).isEqualTo(MinReplicas.UNMANAGED);
		assertThat(leader(members).coordinator.snapshot(this.cluster.now()).lastFailover().succeeded()).isTrue();
		assertThat(members).allSatisfy((member) -> {
			assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.replica2.address());
			assertThat(member.actions(Action.FenceMaster.class)).isNotEmpty();
		});
	}

	private static Member leader(List<Member> members) {
		return members.stream().filter((m) -> !m.events(Type.ELECTED_LEADER).isEmpty()).findFirst().orElseThrow();
	}

	private static int indexOf(List<Action> actions, java.util.function.Predicate<Action> match) {
		for (int i = 0; i < actions.size(); i++) {
			if (match.test(actions.get(i))) {
				return i;
			}
		}
		return -1;
	}

}
