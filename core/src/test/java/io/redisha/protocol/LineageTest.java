package io.redisha.protocol;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.simulation.SimCluster;
import io.redisha.protocol.simulation.SimCluster.Member;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No node is treated as the master unless its data continues the group's replication
 * history: neither adopted as already promoted, nor learned at start, nor promoted; and a
 * restarted master may be failed over to a replica that still has its data.
 */
class LineageTest {

	private static final String[] SEEDS = { "10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379" };

	private final SimCluster cluster = new SimCluster(SimCluster.config(2, SEEDS));

	private final SimCluster.Node master = this.cluster.master("10.0.0.1:6379");

	private final SimCluster.Node replica1 = this.cluster.replica("10.0.0.2:6379", this.master);

	private final SimCluster.Node replica2 = this.cluster.replica("10.0.0.3:6379", this.master);

	private List<Member> members(GroupConfig config) {
		for (int i = 0; i < 3; i++) {
			this.cluster.member("m" + i, config);
		}
		this.cluster.run(5000);
		return this.cluster.members;
	}

	@Test
	void aReplicaRestartedEmptyAsAMasterIsNotAdoptedTheReplicaWithTheDataIsPromoted() {
		List<Member> members = members(SimCluster.config(2, SEEDS));
		this.master.kill();
		this.replica2.kill();
		this.cluster.run(300);
		this.replica2.restartEmpty();
		this.cluster.run(10_000);
		assertThat(promotions(members)).extracting(Action.Promote::node).containsExactly(this.replica1.address());
		assertThat(members).allSatisfy((member) -> {
			assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.replica1.address());
			assertThat(member.events(Type.REBOOT)).extracting(ProtocolEvent::node).contains(this.replica2.address());
		});
		assertThat(this.replica2.following()).as("the empty node is turned into a replica")
			.isEqualTo(this.replica1.address());
	}

	@Test
	void membersStartingWhileTheMasterIsDeadDoNotFollowAnEmptyNodeOverItsStrandedReplicas() {
		this.master.kill();
		this.replica2.restartEmpty();
		List<Member> members = members(SimCluster.config(2, SEEDS));
		this.cluster.run(10_000);
		assertThat(members).allSatisfy((member) -> {
			assertThat(member.coordinator.snapshot(this.cluster.now()).state()).isEqualTo(GroupState.NO_MASTER);
			assertThat(member.events(Type.SWITCH_MASTER)).isEmpty();
		});
		assertThat(this.replica1.following()).isEqualTo(this.master.address());
	}

	@Test
	void aMemberThatKnowsNoConfigurationAdmitsNoWritesWhileANodeThatMayHoldOneIsSilent() {
		members(SimCluster.config(2, SEEDS)).forEach(this.cluster::crash);
		// replica2 keeps the group's configuration but does not answer; the master
		// restarts empty and replica1 resyncs from it: both lose the configuration
		this.replica2.kill();
		this.master.restartEmpty();
		assertThat(
				this.cluster.runUntil(30_000,
						(c) -> this.replica1.offset() == 0 && this.replica1.storedConfiguration() == null
								&& this.replica1.following() != null))
			.as("replica1 resynced from the empty master")
			.isTrue();
		Member fresh = this.cluster.member("m9", SimCluster.config(2, SEEDS));
		this.cluster.run(5000);
		GroupSnapshot snapshot = fresh.coordinator.snapshot(this.cluster.now());
		assertThat(snapshot.master().address()).as("learned from the nodes' roles").isEqualTo(this.master.address());
		assertThat(snapshot.admitsWrites(this.cluster.now())).isFalse();
		assertThat(snapshot.fence().reason()).contains("not every node answered");
		assertThat(fresh.events(Type.ELECTORATE_FOUNDED)).isEmpty();
		this.replica2.restart();
		this.cluster.run(5000);
		assertThat(fresh.coordinator.snapshot(this.cluster.now()).configEpoch())
			.as("the configuration the silent node held")
			.isPositive();
	}

	@Test
	void membersStartingWhileTheMasterIsDeadFollowAReplicaPromotedFromItsHistory() {
		// The replicas in sync, then replica2 takes writes replica1 misses, and is
		// promoted.
		this.master.write(1000);
		this.cluster.run(3000);
		this.replica1.cutOffFrom(this.master);
		this.master.write(1000);
		this.cluster.run(200);
		this.master.kill();
		this.replica2.promote(1);
		List<Member> members = members(SimCluster.config(2, SEEDS));
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.replica2.address()));
	}

	@Test
	void aMasterRestartedWithoutItsDataIsFailedOverWithinMasterRebootDownAfter() {
		GroupConfig config = rebootDownAfter(Duration.ofSeconds(5));
		List<Member> members = members(config);
		this.master.kill();
		this.cluster.run(300);
		this.master.restartEmpty();
		this.cluster.run(10_000);
		assertThat(members).allSatisfy((member) -> {
			assertThat(member.events(Type.REBOOT)).extracting(ProtocolEvent::node)
				.containsExactly(this.master.address());
			assertThat(member.events(Type.SDOWN)).isNotEmpty();
			assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isNotEqualTo(this.master.address());
		});
		assertThat(promotions(members)).hasSize(1);
		NodeAddress promoted = promotions(members).get(0).node();
		assertThat(this.master.following()).as("the emptied master follows the replica that kept the data")
			.isEqualTo(promoted);
	}

	@Test
	void aRestartedMasterIsOnlyReportedWhenMasterRebootDownAfterIsOff() {
		List<Member> members = members(SimCluster.config(2, SEEDS));
		this.master.kill();
		this.cluster.run(300);
		this.master.restartEmpty();
		this.cluster.run(10_000);
		assertThat(members).allSatisfy((member) -> {
			assertThat(member.events(Type.REBOOT)).extracting(ProtocolEvent::node)
				.containsExactly(this.master.address());
			assertThat(member.events(Type.SDOWN)).isEmpty();
			assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.master.address());
		});
		assertThat(promotions(members)).isEmpty();
	}

	private static GroupConfig rebootDownAfter(Duration period) {
		GroupConfig config = SimCluster.config(2, SEEDS);
		return new GroupConfig(config.name(), config.seeds(), config.quorum(), config.downAfter(),
				config.failoverTimeout(), config.parallelSyncs(), config.timing().withMasterRebootDownAfter(period));
	}

	private static List<Action.Promote> promotions(List<Member> members) {
		return members.stream().flatMap((m) -> m.actions(Action.Promote.class).stream()).toList();
	}

}
