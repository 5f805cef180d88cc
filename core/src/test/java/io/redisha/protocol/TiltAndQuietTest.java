package io.redisha.protocol;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.GossipMessage.Hello;
import io.redisha.protocol.GossipMessage.Vote;
import io.redisha.protocol.GossipMessage.VoteRequest;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.simulation.SimCluster;
import io.redisha.protocol.simulation.SimCluster.Member;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two times a member only watches: TILT after its timer stalled, and its start-up
 * quiet period.
 */
class TiltAndQuietTest {

	private static final NodeAddress M = NodeAddress.parse("10.0.0.1:6379");

	/** The configuration the hand-written peers hold: member a votes with them. */
	private static final Configuration ELECTORATE = new Configuration(3, 0, M, List.of("a", "x", "y", "z"));

	private final SimCluster cluster = new SimCluster(SimCluster.config(1, "10.0.0.1:6379"));

	private final SimCluster.Node master = this.cluster.master("10.0.0.1:6379");

	private final SimCluster.Node replica = this.cluster.replica("10.0.0.2:6379", this.master);

	@Test
	void aTimerGapOrTimeGoingBackwardsEntersTiltUntilTheClockIsTrustedAgain() {
		GroupConfig downAfterFiveSeconds = new GroupConfig("orders", List.of(M), 1, Duration.ofSeconds(5),
				Duration.ofSeconds(10), 1, GroupConfig.Timing.defaults());
		GroupCoordinator coordinator = new GroupCoordinator(downAfterFiveSeconds, new MemberIdentity("a", "app"), 0,
				new SplittableRandom(1));
		coordinator.tick(100);
		assertThat(coordinator.tick(2100)).noneMatch(TiltAndQuietTest::isTilt);
		assertThat(coordinator.tick(4200)).anyMatch(TiltAndQuietTest::isTilt);
		assertThat(coordinator.snapshot(4200).state()).isEqualTo(GroupState.TILT);
		assertThat(coordinator.tick(4000)).noneMatch(TiltAndQuietTest::isTilt);
		long now = 4000;
		boolean cleared = false;
		while (!cleared && now < 40_000) {
			now += 100;
			cleared = coordinator.tick(now)
				.stream()
				.anyMatch((action) -> action instanceof Action.Emit emit && emit.event().type() == Type.TILT_CLEARED);
		}
		assertThat(now).isEqualTo(34_000);
		assertThat(coordinator.snapshot(now).state()).isNotEqualTo(GroupState.TILT);
	}

	@Test
	void theTiltThresholdIsAtMostHalfOfDownAfter() {
		GroupCoordinator coordinator = new GroupCoordinator(SimCluster.config(1, "10.0.0.1:6379"),
				new MemberIdentity("a", "app"), 0, new SplittableRandom(1));
		coordinator.tick(100);
		assertThat(coordinator.tick(600)).noneMatch(TiltAndQuietTest::isTilt);
		assertThat(coordinator.tick(1200)).anyMatch(TiltAndQuietTest::isTilt);
	}

	@Test
	void aMemberFrozenLongerThanHalfOfDownAfterEntersTiltInsteadOfSeeingAHealthyMasterDown() {
		Member a = this.cluster.member("a", SimCluster.config(1, "10.0.0.1:6379"));
		this.cluster.run(5000);
		a.pause(1500);
		this.cluster.run(3000);
		assertThat(a.events(Type.TILT)).hasSize(1);
		assertThat(a.events(Type.SDOWN)).isEmpty();
	}

	private static boolean isTilt(Action action) {
		return action instanceof Action.Emit emit && emit.event().type() == Type.TILT;
	}

	@Test
	void membersInTiltNeitherReportTheMasterDownNorVoteNorFailOver() {
		List<Member> members = List.of(this.cluster.member("a", SimCluster.config(2, "10.0.0.1:6379")),
				this.cluster.member("b", SimCluster.config(2, "10.0.0.1:6379")),
				this.cluster.member("c", SimCluster.config(2, "10.0.0.1:6379")));
		this.cluster.run(5000);
		members.get(1).pause(3000);
		members.get(2).pause(3000);
		this.cluster.run(3000);
		this.master.kill();
		this.cluster.run(25_000);
		assertThat(members.get(1).events(Type.TILT)).hasSize(1);
		assertThat(members.get(1).coordinator.snapshot(this.cluster.now()).state()).isEqualTo(GroupState.TILT);
		assertThat(members.get(0).events(Type.ODOWN)).isEmpty();
		assertThat(members).allSatisfy((member) -> assertThat(member.actions(Action.Promote.class)).isEmpty());
		this.cluster.run(10_000);
		assertThat(members.get(1).events(Type.TILT_CLEARED)).hasSize(1);
		assertThat(members.stream().flatMap((m) -> m.actions(Action.Promote.class).stream())).hasSize(1);
		assertThat(this.replica.following()).isNull();
	}

	@Test
	void aStartingMemberNeverVotesWhileQuietNorInAnEpochItObservedThen() {
		this.master.kill();
		Member a = this.cluster.member("a", SimCluster.config(2, "10.0.0.2:6379"));
		this.cluster.run(200);
		gossip(a, new Hello("orders", "x", 1, "app", 5, ELECTORATE, false, 0, GossipMessage.Maintenance.NONE, 0));
		this.cluster.run(1300);
		assertThat(a.events(Type.SDOWN)).hasSize(1);
		gossip(a, request("x", 2, 6));
		this.cluster.run(2000);
		assertThat(a.events(Type.VOTE_FOR_LEADER)).isEmpty();
		gossip(a, request("y", 1, 6));
		assertThat(a.events(Type.VOTE_FOR_LEADER)).isEmpty();
		gossip(a, request("y", 2, 7));
		gossip(a, request("z", 1, 7));
		gossip(a, request("y", 3, 7));
		assertThat(a.events(Type.VOTE_FOR_LEADER)).extracting(ProtocolEvent::detail).containsExactly("y");
		List<Vote> votes = a.actions(Action.Publish.class)
			.stream()
			.map((publish) -> GossipCodec.decode(publish.payload()))
			.filter(Vote.class::isInstance)
			.map(Vote.class::cast)
			.toList();
		assertThat(votes).hasSize(2).allSatisfy((vote) -> {
			assertThat(vote.epoch()).isEqualTo(7);
			assertThat(vote.candidate()).isEqualTo("y");
		});
	}

	@Test
	void aMemberThatDoesNotSeeTheMasterDownDoesNotVote() {
		Member a = this.cluster.member("a", SimCluster.config(2, "10.0.0.1:6379"));
		this.cluster.run(200);
		gossip(a, new Hello("orders", "y", 1, "app", 0, ELECTORATE, false, 0, GossipMessage.Maintenance.NONE, 0));
		this.cluster.run(4800);
		gossip(a, request("y", 2, 4));
		assertThat(a.events(Type.VOTE_FOR_LEADER)).isEmpty();
		assertThat(a.coordinator.snapshot(this.cluster.now()).currentEpoch()).isEqualTo(4);
	}

	/**
	 * A request for an automatic failover of M by a voter holding {@link #ELECTORATE}.
	 */
	private static VoteRequest request(String candidate, long sequence, long epoch) {
		return new VoteRequest("orders", candidate, sequence, epoch, M, GossipMessage.Purpose.FAILOVER,
				ELECTORATE.epoch(), ELECTORATE.version(), null);
	}

	@Test
	void aLeaderElectedAfterALaterEpochBecameKnownActsInItsElectionsEpoch() {
		Member a = this.cluster.member("a", SimCluster.config(1, "10.0.0.1:6379"));
		this.cluster.run(200);
		gossip(a, new Hello("orders", "x", 1, "app", 0, M, 0, false, 0));
		this.cluster.run(5000);
		this.master.kill();
		assertThat(this.cluster.runUntil(2000, (c) -> !a.events(Type.TRY_FAILOVER).isEmpty())).isTrue();
		long epoch = a.events(Type.TRY_FAILOVER).get(0).epoch();
		gossip(a, new Hello("orders", "x", 2, "app", epoch + 40, M, 0, true, 0));
		gossip(a, new Vote("orders", "x", 3, epoch, "a", M));
		assertThat(a.events(Type.ELECTED_LEADER)).singleElement().extracting(ProtocolEvent::epoch).isEqualTo(epoch);
		assertThat(a.actions(Action.Promote.class)).singleElement().extracting(Action.Promote::epoch).isEqualTo(epoch);
		assertThat(a.events(Type.SELECTED_REPLICA)).singleElement().extracting(ProtocolEvent::epoch).isEqualTo(epoch);
	}

	private void gossip(Member member, GossipMessage message) {
		this.cluster.deliver(member,
				member.coordinator.onGossip(this.cluster.now(), this.replica.address(), GossipCodec.encode(message)));
	}

}
