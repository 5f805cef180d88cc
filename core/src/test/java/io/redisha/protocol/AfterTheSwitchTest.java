package io.redisha.protocol;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.simulation.SimCluster;
import io.redisha.protocol.simulation.SimCluster.Member;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the coordinator does once a failover switched the master: the demoted master's
 * clients disconnected ({@link Action.DisconnectClients}), retried on the coordinator's
 * clock, and the switch announced again ({@link Action.Reannounce}).
 */
class AfterTheSwitchTest {

	private static final String[] SEEDS = { "10.0.0.1:6379" };

	private final SimCluster cluster = new SimCluster(SimCluster.config(2, SEEDS));

	private final SimCluster.Node master = this.cluster.master("10.0.0.1:6379");

	private final SimCluster.Node replica1 = this.cluster.replica("10.0.0.2:6379", this.master);

	private final SimCluster.Node replica2 = this.cluster.replica("10.0.0.3:6379", this.master);

	@Test
	void theLeaderDisconnectsTheOldMastersClientsOnceItAnswersAndThenStops() {
		List<Member> members = members();
		this.master.kill();
		Member leader = failover(members);
		this.cluster.run(2000);
		// Dead: tried again every half second, by the leader only.
		assertThat(disconnections(leader)).isBetween(3, 6);
		assertThat(members.stream().filter((member) -> member != leader).mapToInt(this::disconnections).sum()).isZero();
		this.master.restart();
		this.cluster.run(1000);
		assertThat(this.master.clientsDisconnected()).isEqualTo(1);
		int sent = disconnections(leader);
		this.cluster.run(5000);
		assertThat(disconnections(leader)).isEqualTo(sent);
		assertThat(this.master.clientsDisconnected()).isEqualTo(1);
	}

	@Test
	void anOldMasterThatNeverAnswersIsGivenUpAfterTheFailoverTimeout() {
		List<Member> members = members();
		this.master.kill();
		Member leader = failover(members);
		this.cluster.run(10_500);
		int sent = disconnections(leader);
		assertThat(sent).isGreaterThan(10);
		this.cluster.run(5000);
		assertThat(disconnections(leader)).isEqualTo(sent);
		this.master.restart();
		this.cluster.run(2000);
		assertThat(this.master.clientsDisconnected()).isZero();
	}

	@Test
	void anOldMasterSeenReplicatingTheNewOneIsNoLongerDisconnected() {
		List<Member> members = members();
		this.master.refuseClientKill();
		this.master.kill();
		Member leader = failover(members);
		SimCluster.Node promoted = promoted(leader);
		this.master.restart();
		this.cluster.run(1000);
		// Refused by its ACL: tried again.
		int sent = disconnections(leader);
		this.cluster.run(1000);
		assertThat(disconnections(leader)).isGreaterThan(sent);
		// It came back from its rewritten config file: a replica of the new master.
		this.master.follow(promoted);
		this.cluster.run(3000);
		sent = disconnections(leader);
		this.cluster.run(3000);
		assertThat(disconnections(leader)).isEqualTo(sent);
	}

	@Test
	void everyMemberAnnouncesItsSwitchAgainTwoSecondsLater() {
		List<Member> members = members();
		this.master.kill();
		Member leader = failover(members);
		ProtocolEvent switched = leader.events(Type.SWITCH_MASTER).get(1);
		assertThat(leader.actions(Action.Reannounce.class)).isEmpty();
		this.cluster.run(SwitchAnnouncement.REPEAT_AFTER - 200);
		assertThat(leader.actions(Action.Reannounce.class)).isEmpty();
		this.cluster.run(400);
		assertThat(leader.actions(Action.Reannounce.class)).singleElement().isEqualTo(new Action.Reannounce(switched));
		this.cluster.run(5000);
		for (Member member : members) {
			assertThat(member.actions(Action.Reannounce.class)).extracting(Action.Reannounce::event)
				.singleElement()
				.isEqualTo(member.events(Type.SWITCH_MASTER).get(1));
		}
	}

	@Test
	void aSwitchIsNotAnnouncedAgainOnceAnotherOneFollowedIt() {
		NodeAddress first = NodeAddress.parse("10.0.0.2:6379");
		NodeAddress second = NodeAddress.parse("10.0.0.3:6379");
		ProtocolEvent toFirst = new ProtocolEvent(Type.SWITCH_MASTER, "orders", 1, this.master.address(), first, null);
		ProtocolEvent toSecond = new ProtocolEvent(Type.SWITCH_MASTER, "orders", 2, first, second, null);
		SwitchAnnouncement announcement = new SwitchAnnouncement();
		List<Action> out = new ArrayList<>();
		announcement.switched(0, toFirst);
		announcement.tick(2000, second, out);
		assertThat(out).isEmpty();
		announcement.switched(2500, toSecond);
		announcement.tick(4400, second, out);
		assertThat(out).isEmpty();
		announcement.switched(4500, toFirst);
		announcement.tick(6500, second, out);
		announcement.tick(9000, second, out);
		assertThat(out).isEmpty();
		announcement.switched(10_000, toSecond);
		announcement.tick(12_000, second, out);
		announcement.tick(14_000, second, out);
		assertThat(out).containsExactly(new Action.Reannounce(toSecond));
	}

	private List<Member> members() {
		for (int i = 0; i < 3; i++) {
			this.cluster.member("m" + i, SimCluster.config(2, SEEDS));
		}
		this.cluster.run(5000);
		return this.cluster.members;
	}

	/** Runs until a member promoted a replica; returns that member. */
	private Member failover(List<Member> members) {
		assertThat(this.cluster.runUntil(10_000,
				(cluster) -> members.stream().anyMatch((member) -> !member.events(Type.PROMOTED_REPLICA).isEmpty())))
			.isTrue();
		return members.stream()
			.filter((member) -> !member.events(Type.PROMOTED_REPLICA).isEmpty())
			.findFirst()
			.orElseThrow();
	}

	private SimCluster.Node promoted(Member leader) {
		NodeAddress address = leader.events(Type.PROMOTED_REPLICA).get(0).node();
		return this.replica1.address().equals(address) ? this.replica1 : this.replica2;
	}

	private int disconnections(Member member) {
		return (int) member.actions(Action.DisconnectClients.class)
			.stream()
			.filter((command) -> command.node().equals(this.master.address()))
			.count();
	}

}
