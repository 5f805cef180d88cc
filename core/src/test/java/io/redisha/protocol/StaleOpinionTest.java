package io.redisha.protocol;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.GossipMessage.Hello;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.simulation.SimCluster;
import io.redisha.protocol.simulation.SimCluster.Member;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a member knows may be older than it looks: a hello delivered out of order, a role
 * read seconds ago.
 */
class StaleOpinionTest {

	private static final NodeAddress M = NodeAddress.parse("10.0.0.1:6379");

	private final SimCluster cluster = new SimCluster(SimCluster.config(2, "10.0.0.1:6379"));

	private final SimCluster.Node master = this.cluster.master("10.0.0.1:6379");

	private final SimCluster.Node replica = this.cluster.replica("10.0.0.2:6379", this.master);

	@Test
	void anOlderHelloDeliveredLateDoesNotOverwriteThePeersNewerOpinion() {
		Member a = this.cluster.member("a", SimCluster.config(2, "10.0.0.1:6379"));
		this.cluster.run(5000);
		this.master.kill();
		this.cluster.run(1500);
		// Only voters' opinions count: x and a are the voters of a configuration x holds.
		Configuration voters = new Configuration(5, 0, M, List.of("a", "x"));
		gossip(a, new Hello("orders", "x", 5, "app", 5, voters, true, 0, GossipMessage.Maintenance.NONE, 0));
		assertThat(a.events(Type.ODOWN)).hasSize(1);
		gossip(a, new Hello("orders", "x", 4, "app", 5, voters, false, 0, GossipMessage.Maintenance.NONE, 0));
		assertThat(a.coordinator.snapshot(this.cluster.now()).members()).filteredOn((member) -> member.id().equals("x"))
			.singleElement()
			.satisfies((peer) -> assertThat(peer.seesMasterDown()).isTrue());
		assertThat(a.events(Type.ODOWN_CLEARED)).isEmpty();
	}

	@Test
	void votersHellosHeldInAFrozenNodeAdmitNoWriteWhenTheyAreTheFirstHeard() {
		// A member that starts (here: first hears the voters) inside a minority with the
		// master, which was frozen with the voters' last hellos in its buffers: resumed,
		// it delivers them seconds late, and nothing was heard from those voters before.
		// Their word that they had a reply from the master 100 ms before sending must not
		// read as 100 ms before their arrival: the majority may have failed it over
		// since.
		Member a = this.cluster.member("a", SimCluster.config(2, "10.0.0.1:6379"));
		this.cluster.run(5000);
		a.cutOffFrom("10.0.0.2:6379");
		this.cluster.run(1000);
		Configuration held = new Configuration(a.coordinator.snapshot(this.cluster.now()).configEpoch() + 1, 0, M,
				List.of("x", "y", "z"));
		long sentAt = 7_000;
		for (String voter : List.of("x", "y", "z")) {
			gossip(a, new Hello("orders", voter, 10, "app", held.epoch(), M, held.epoch(), false, 0,
					GossipMessage.Maintenance.NONE, held, 0, sentAt, 100, 0));
		}
		GroupSnapshot.FenceSnapshot fence = a.coordinator.snapshot(this.cluster.now()).fence();
		assertThat(a.coordinator.snapshot(this.cluster.now()).electorate().voters()).containsExactly("x", "y", "z");
		assertThat(fence.votersWithMaster()).isZero();
		assertThat(fence.fenced()).isTrue();
		this.cluster.run(100);
		assertThat(a.events(Type.UNFENCED)).isEmpty();
		// Hellos that keep coming are their word once heard for fence-after (600 ms): the
		// least delay seen then places them.
		this.cluster.run(500);
		for (String voter : List.of("x", "y", "z")) {
			gossip(a, new Hello("orders", voter, 11, "app", held.epoch(), M, held.epoch(), false, 0,
					GossipMessage.Maintenance.NONE, held, 0, sentAt + 600, 100, 0));
		}
		fence = a.coordinator.snapshot(this.cluster.now()).fence();
		assertThat(fence.votersWithMaster()).isEqualTo(3);
		assertThat(fence.fenced()).isFalse();
	}

	@Test
	void aVoteNoLongerCountsOnceItsVoterSaysTheMasterAnswersAgain() {
		// Strict seeds 67977 and 64310: a voter that granted its vote while it saw the
		// master down, and then saw it answer again, helped elect a leader that promoted
		// a replica without the master's latest writes.
		Member a = this.cluster.member("a", SimCluster.config(2, "10.0.0.1:6379"));
		this.cluster.run(5000);
		Configuration held = new Configuration(a.coordinator.snapshot(this.cluster.now()).configEpoch() + 1, 0, M,
				List.of("a", "v", "w", "x", "y"));
		for (String voter : List.of("v", "w", "x", "y")) {
			gossip(a, new Hello("orders", voter, 10, "app", held.epoch(), held, false, 0,
					GossipMessage.Maintenance.NONE, 0));
		}
		this.master.kill();
		this.cluster.run(1500);
		gossip(a, new Hello("orders", "v", 11, "app", held.epoch(), held, true, 0, GossipMessage.Maintenance.NONE, 0));
		this.cluster.run(300);
		assertThat(a.events(Type.TRY_FAILOVER)).hasSize(1);
		long epoch = a.events(Type.TRY_FAILOVER).get(0).epoch();
		gossip(a, new GossipMessage.Vote("orders", "v", 12, epoch, "a", M));
		// v sees the master answer again: its vote no longer stands, and an older word
		// of w's, delivered late, does not take back w's vote
		gossip(a, new Hello("orders", "v", 13, "app", epoch, held, false, 0, GossipMessage.Maintenance.NONE, 0));
		gossip(a, new GossipMessage.Vote("orders", "w", 12, epoch, "a", M));
		gossip(a, new Hello("orders", "w", 11, "app", epoch, held, false, 0, GossipMessage.Maintenance.NONE, 0));
		assertThat(a.events(Type.ELECTED_LEADER)).isEmpty();
		assertThat(a.events(Type.FAILOVER_ABORT_NOT_ELECTED)).isEmpty();
	}

	@Test
	void aVoterRepeatsItsVoteForAFailoverOnlyWhileItSeesTheMasterDown() {
		Member a = this.cluster.member("a", SimCluster.config(2, "10.0.0.1:6379"));
		this.cluster.run(5000);
		Configuration held = new Configuration(a.coordinator.snapshot(this.cluster.now()).configEpoch() + 1, 0, M,
				List.of("a", "x", "y"));
		for (String voter : List.of("x", "y")) {
			gossip(a, new Hello("orders", voter, 10, "app", held.epoch(), held, false, 0,
					GossipMessage.Maintenance.NONE, 0));
		}
		this.master.kill();
		this.cluster.run(1500);
		long epoch = held.epoch() + 10;
		GossipMessage.VoteRequest request = new GossipMessage.VoteRequest("orders", "x", 11, epoch, M,
				GossipMessage.Purpose.FAILOVER, held.epoch(), held.version(), null);
		gossip(a, request);
		assertThat(a.events(Type.VOTE_FOR_LEADER)).extracting(ProtocolEvent::detail).containsExactly("x");
		assertThat(votesFor(a, "x")).isEqualTo(1);
		this.master.restart();
		this.cluster.run(1000);
		assertThat(a.events(Type.SDOWN_CLEARED)).hasSize(1);
		gossip(a, new GossipMessage.VoteRequest("orders", "x", 12, epoch, M, GossipMessage.Purpose.FAILOVER,
				held.epoch(), held.version(), null));
		assertThat(votesFor(a, "x")).isEqualTo(1);
	}

	private static long votesFor(Member member, String candidate) {
		return member.actions(Action.Publish.class)
			.stream()
			.filter((publish) -> publish.payload().contains(" vote ") && publish.payload().contains("for=" + candidate))
			.count();
	}

	@Test
	void aStrayNodesRoleIsReadAgainBeforeItIsReconfigured() {
		SimCluster.Node stray = this.cluster.master("10.0.0.3:6379");
		Member a = this.cluster.member("a", SimCluster.config(2, "10.0.0.1:6379", "10.0.0.3:6379"));
		this.cluster.run(1000);
		assertThat(infoQueries(a, stray)).isEqualTo(1);
		// Another member repairs it meanwhile; the role this member read is seconds old
		// by the time it may act.
		stray.follow(this.master);
		this.cluster.run(5000);
		assertThat(infoQueries(a, stray)).isEqualTo(2);
		assertThat(a.actions(Action.Replicate.class)).isEmpty();
		assertThat(a.events(Type.CONVERT_TO_REPLICA)).isEmpty();
	}

	@Test
	void aStrayMasterIsReconfiguredOnAFreshRole() {
		SimCluster.Node stray = this.cluster.master("10.0.0.3:6379");
		Member a = this.cluster.member("a", SimCluster.config(2, "10.0.0.1:6379", "10.0.0.3:6379"));
		this.cluster.run(5000);
		assertThat(a.actions(Action.Replicate.class)).extracting(Action.Replicate::node)
			.containsExactly(stray.address());
		int replicate = a.actions.indexOf(a.actions(Action.Replicate.class).get(0));
		assertThat(a.actions.subList(0, replicate)).filteredOn(Action.QueryInfo.class::isInstance)
			.extracting((action) -> ((Action.QueryInfo) action).node())
			.filteredOn(stray.address()::equals)
			.hasSize(2);
		assertThat(stray.following()).isEqualTo(this.master.address());
	}

	private static long infoQueries(Member member, SimCluster.Node node) {
		return member.actions(Action.QueryInfo.class)
			.stream()
			.filter((query) -> query.node().equals(node.address()))
			.count();
	}

	private void gossip(Member member, GossipMessage message) {
		this.cluster.deliver(member,
				member.coordinator.onGossip(this.cluster.now(), this.replica.address(), GossipCodec.encode(message)));
	}

}
