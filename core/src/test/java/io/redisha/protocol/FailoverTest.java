package io.redisha.protocol;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.simulation.SimCluster;
import io.redisha.protocol.simulation.SimCluster.Member;

import static org.assertj.core.api.Assertions.assertThat;

/** Automatic failover end to end on the fake clock: who may act, and what it does. */
class FailoverTest {

	private static final String[] SEEDS = { "10.0.0.1:6379" };

	private static final long TICK = GroupCoordinator.TICK_MILLIS;

	private final SimCluster cluster = new SimCluster(SimCluster.config(2, SEEDS));

	private final SimCluster.Node master = this.cluster.master("10.0.0.1:6379");

	private final SimCluster.Node replica1 = this.cluster.replica("10.0.0.2:6379", this.master);

	private final SimCluster.Node replica2 = this.cluster.replica("10.0.0.3:6379", this.master);

	private List<Member> members(int count, int quorum) {
		for (int i = 0; i < count; i++) {
			this.cluster.member("m" + i, SimCluster.config(quorum, SEEDS));
		}
		this.cluster.run(5000);
		return this.cluster.members;
	}

	@Test
	void aKilledMasterIsReplacedByOneReplicaThatEveryMemberAdopts() {
		List<Member> members = members(3, 2);
		killMasterAhead(this.replica2, this.replica1);
		long killedAt = this.cluster.now();
		this.cluster.run(5000);
		List<Action.Promote> promotions = members.stream()
			.flatMap((m) -> m.actions(Action.Promote.class).stream())
			.toList();
		assertThat(promotions).hasSize(1);
		assertThat(promotions.get(0).node()).isEqualTo(this.replica2.address());
		assertThat(promotions.get(0).refuseStreamingSeconds())
			.as("a promotion that lands late leaves a replica streaming from a live master alone")
			.isEqualTo(Timers.of(SimCluster.config(2, SEEDS)).streamingReplicaSeconds())
			.isNotNegative();
		assertThat(members.stream().flatMap((m) -> m.events(Type.ELECTED_LEADER).stream())).hasSize(1);
		assertThat(this.replica2.following()).isNull();
		assertThat(this.replica1.following()).isEqualTo(this.replica2.address());
		for (Member member : members) {
			GroupSnapshot snapshot = member.coordinator.snapshot(this.cluster.now());
			assertThat(snapshot.master().address()).isEqualTo(this.replica2.address());
			assertThat(snapshot.configEpoch()).isEqualTo(promotions.get(0).epoch()).isPositive();
			assertThat(snapshot.state()).isEqualTo(GroupState.OK);
			assertThat(member.events(Type.SWITCH_MASTER)).last().satisfies((event) -> {
				assertThat(event.node()).isEqualTo(this.master.address());
				assertThat(event.master()).isEqualTo(this.replica2.address());
			});
		}
		Member leader = members.stream()
			.filter((m) -> !m.events(Type.ELECTED_LEADER).isEmpty())
			.findFirst()
			.orElseThrow();
		assertThat(leader.events).extracting(ProtocolEvent::type)
			.containsSubsequence(Type.SDOWN, Type.ODOWN, Type.TRY_FAILOVER, Type.ELECTED_LEADER, Type.SELECTED_REPLICA,
					Type.PROMOTED_REPLICA, Type.SWITCH_MASTER, Type.REPLICA_RECONF_SENT, Type.REPLICA_RECONF_DONE,
					Type.FAILOVER_END);
		// As Sentinel's: the failover's master by its old address; the new master is the
		// one the member now has.
		assertThat(leader.events(Type.FAILOVER_END)).singleElement().satisfies((event) -> {
			assertThat(event.node()).isEqualTo(this.master.address());
			assertThat(event.master()).isEqualTo(this.replica2.address());
		});
		GroupSnapshot.FailoverSnapshot record = leader.coordinator.snapshot(this.cluster.now()).lastFailover();
		assertThat(record.result()).isEqualTo("succeeded");
		assertThat(record.newMaster()).isEqualTo(this.replica2.address());
		assertThat(record.steps()).extracting(GroupSnapshot.FailoverSnapshot.Step::name)
			.contains("promote-sent", "promoted", "reconf-done 10.0.0.2:6379");
		long promotedAt = record.startedAtMs() + record.steps()
			.stream()
			.filter((step) -> step.name().equals("promoted"))
			.findFirst()
			.orElseThrow()
			.atMs();
		System.out.println("fake clock: master killed -> promotion confirmed in " + (promotedAt - killedAt)
				+ " ms (down-after 1000 ms, ticks of 100 ms)");
	}

	@Test
	void aQuorumLargerThanTheMembersNeverFailsOver() {
		List<Member> members = members(3, 4);
		this.master.kill();
		this.cluster.run(20_000);
		assertThat(members).allSatisfy((member) -> {
			assertThat(member.actions(Action.Promote.class)).isEmpty();
			assertThat(member.events(Type.ODOWN)).isEmpty();
			assertThat(member.coordinator.snapshot(this.cluster.now()).state()).isEqualTo(GroupState.SDOWN);
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
		assertThat(this.master.following()).isNull();
	}

	@Test
	void aMasterWhoseInfoIsAnsweredIsNotSeenDownWhileItsPingRepliesAreLost() {
		// down-after 3 s, as in strict seed 444022 (2.7 s): an INFO follows every PING
		// that goes unanswered, within the command timeout of 1 s
		List<Member> members = threeMembersWithDownAfterOf3Seconds();
		// Bad weather that takes every PING reply of the master and none of its INFO
		// replies: the members hear the master answer, as master, in the same process.
		this.cluster
			.loseReplies((command) -> command instanceof Action.Ping && command.node().equals(this.master.address()));
		this.cluster.run(15_000);
		assertNobodySawTheMasterDown(members);
	}

	@Test
	void aMasterThatPassesTheMembersHellosOnIsNotSeenDownWhileItsRepliesAreLost() {
		// Strict seed 67977: in bad weather a voter lost every reply of the master, back
		// from a restart with its data, while the master delivered the members' hellos to
		// it; it saw the master down and gave the vote that elected a leader fresh from a
		// cut, who promoted a replica without the master's last write.
		List<Member> members = threeMembersWithDownAfterOf3Seconds();
		this.cluster.loseReplies((command) -> command.node().equals(this.master.address()));
		this.cluster.run(15_000);
		assertNobodySawTheMasterDown(members);
	}

	/** Down-after 3 s, as in the strict seeds where bad weather took the replies. */
	private List<Member> threeMembersWithDownAfterOf3Seconds() {
		GroupConfig config = new GroupConfig("orders", List.of(NodeAddress.parse(SEEDS[0])), 2, Duration.ofSeconds(3),
				Duration.ofSeconds(10), 1, GroupConfig.Timing.defaults());
		for (int i = 0; i < 3; i++) {
			this.cluster.member("m" + i, config);
		}
		this.cluster.run(5000);
		return this.cluster.members;
	}

	private void assertNobodySawTheMasterDown(List<Member> members) {
		assertThat(members).allSatisfy((member) -> {
			assertThat(member.events(Type.SDOWN)).isEmpty();
			assertThat(member.events(Type.VOTE_FOR_LEADER)).isEmpty();
			assertThat(member.actions(Action.Promote.class)).isEmpty();
			assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.master.address());
		});
		assertThat(this.master.following()).isNull();
	}

	@Test
	void aReplicaWithPriorityZeroIsNeverPromoted() {
		this.replica2.setPriority(0);
		List<Member> members = members(3, 2);
		killMasterAhead(this.replica2, this.replica1);
		this.cluster.run(5000);
		assertThat(allPromotions(members)).extracting(Action.Promote::node).containsExactly(this.replica1.address());
	}

	@Test
	void withNoGoodReplicaTheFailoverIsAbortedAndRetriedLater() {
		this.replica1.setPriority(0);
		this.replica2.setPriority(0);
		List<Member> members = members(3, 2);
		this.master.kill();
		this.cluster.run(8000);
		assertThat(allPromotions(members)).isEmpty();
		List<ProtocolEvent> aborts = members.stream()
			.flatMap((m) -> m.events(Type.FAILOVER_ABORT_NO_GOOD_REPLICA).stream())
			.toList();
		assertThat(aborts).hasSizeGreaterThanOrEqualTo(2);
		assertThat(aborts).extracting(ProtocolEvent::epoch).doesNotHaveDuplicates();
		this.replica1.setPriority(100);
		this.cluster.run(8000);
		assertThat(allPromotions(members)).extracting(Action.Promote::node).containsExactly(this.replica1.address());
	}

	@Test
	void replicasAreRepointedAtMostParallelSyncsAtATime() {
		SimCluster.Node replica4 = this.cluster.replica("10.0.0.4:6379", this.master);
		SimCluster.Node replica5 = this.cluster.replica("10.0.0.5:6379", this.master);
		List<Member> members = members(3, 2);
		killMasterAhead(this.replica1, this.replica2, replica4, replica5);
		this.cluster.run(8000);
		Member leader = leader(members);
		int inFlight = 0;
		int sent = 0;
		for (ProtocolEvent event : leader.events) {
			if (event.type() == Type.REPLICA_RECONF_SENT) {
				inFlight++;
				sent++;
				assertThat(inFlight).isLessThanOrEqualTo(1);
			}
			else if (event.type() == Type.REPLICA_RECONF_DONE) {
				inFlight--;
			}
		}
		assertThat(sent).isEqualTo(3);
		assertThat(leader.events(Type.FAILOVER_END)).hasSize(1);
		assertThat(List.of("10.0.0.3:6379", "10.0.0.4:6379", "10.0.0.5:6379"))
			.allSatisfy((address) -> assertThat(this.cluster.node(NodeAddress.parse(address)).following())
				.isEqualTo(this.replica1.address()));
	}

	/**
	 * A replica that restarted and loads its data answers {@code LOADING} at once; the
	 * leader asks it again a PING period later, not right after each reply, which on real
	 * Redis would hammer the loading node with thousands of commands a second.
	 */
	@Test
	void aReplicaStillLoadingIsAskedAgainAPingPeriodLaterNotRightAfterItsReply() {
		List<Member> members = members(3, 2);
		this.replica2.setLoading(true);
		killMasterAhead(this.replica1, this.replica2);
		long pingEvery = Timers.of(SimCluster.config(2, SEEDS)).pingEvery();
		int mostInOneTick = 0;
		for (int i = 0; i < 80; i++) {
			int before = repointingsOf(members, this.replica2);
			this.cluster.run(TICK);
			mostInOneTick = Math.max(mostInOneTick, repointingsOf(members, this.replica2) - before);
		}
		assertThat(repointingsOf(members, this.replica2)).isPositive()
			.isLessThanOrEqualTo((int) (8000 / Math.max(pingEvery, TICK)) + 1);
		assertThat(mostInOneTick).isEqualTo(1);
		this.replica2.setLoading(false);
		this.cluster.run(3000);
		assertThat(this.replica2.following()).isEqualTo(this.replica1.address());
	}

	private static int repointingsOf(List<Member> members, SimCluster.Node node) {
		return (int) members.stream()
			.flatMap((member) -> member.actions(Action.Replicate.class).stream())
			.filter((replicate) -> replicate.node().equals(node.address()))
			.count();
	}

	@Test
	void aPromotionNeverConfirmedIsAbortedAfterTheFailoverTimeoutAndRetriedInALaterEpoch() {
		this.replica1.ignorePromotion(true);
		List<Member> members = members(3, 2);
		killMasterAhead(this.replica1, this.replica2);
		this.cluster.run(12_500);
		Member leader = leader(members);
		GroupSnapshot.FailoverSnapshot first = leader.coordinator.snapshot(this.cluster.now()).lastFailover();
		assertThat(first.result()).contains("no ROLE master");
		assertThat(first.endedAtMs() - first.startedAtMs()).isBetween(10_000L, 10_200L);
		this.replica1.ignorePromotion(false);
		this.cluster.run(10_000);
		List<Action.Promote> promotions = allPromotions(members);
		assertThat(promotions).hasSizeGreaterThanOrEqualTo(2);
		assertThat(promotions).extracting(Action.Promote::epoch).doesNotHaveDuplicates();
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.replica1.address()));
	}

	@Test
	void membersThatSaidGoodbyeStopCountingAtOnceVanishedOnesKeepCounting() {
		List<Member> members = members(3, 1);
		this.cluster.crash(members.get(1));
		this.cluster.crash(members.get(2));
		this.master.kill();
		this.cluster.run(10_000);
		assertThat(allPromotions(members)).isEmpty();
		assertThat(members.get(0).events(Type.FAILOVER_ABORT_NOT_ELECTED)).isNotEmpty();

		SimCluster other = new SimCluster(SimCluster.config(1, SEEDS));
		SimCluster.Node otherMaster = other.master("10.0.0.1:6379");
		other.replica("10.0.0.2:6379", otherMaster);
		for (int i = 0; i < 3; i++) {
			other.member("m" + i, SimCluster.config(1, SEEDS));
		}
		other.run(5000);
		other.stop(other.members.get(1));
		other.stop(other.members.get(2));
		otherMaster.kill();
		other.run(5000);
		assertThat(other.members.get(0).actions(Action.Promote.class)).hasSize(1);
	}

	@Test
	void votersThatVanishedKeepCountingHoweverLongSoTheRestNeverElects() {
		List<Member> members = membersExpiringAfter(3, java.time.Duration.ofSeconds(20));
		this.cluster.crash(members.get(1));
		this.cluster.crash(members.get(2));
		this.master.kill();
		this.cluster.run(60_000);
		// Expiry forgets them as members, but only a majority of the voters can change
		// the voters.
		assertThat(members.get(0).events(Type.MEMBER_LEFT)).hasSize(2);
		assertThat(allPromotions(members)).isEmpty();
		GroupSnapshot snapshot = members.get(0).coordinator.snapshot(this.cluster.now());
		assertThat(snapshot.electorate().voters()).containsExactly("m0", "m1", "m2");
		assertThat(snapshot.quorumCheck().electionReachable()).isFalse();
	}

	@Test
	void aVoterThatVanishedIsReplacedAfterMemberExpiryAndTheGroupStillFailsOver() {
		List<Member> members = membersExpiringAfter(3, java.time.Duration.ofSeconds(20));
		this.cluster.crash(members.get(2));
		Member newcomer = this.cluster.member("m3", expiringConfig(java.time.Duration.ofSeconds(20), SEEDS));
		this.cluster.run(30_000);
		assertThat(newcomer.coordinator.snapshot(this.cluster.now()).electorate().voters()).containsExactly("m0", "m1",
				"m3");
		this.master.kill();
		this.cluster.run(5000);
		assertThat(allPromotions(this.cluster.members)).singleElement()
			.satisfies((promote) -> assertThat(promote.node()).isIn(this.replica1.address(), this.replica2.address()));
	}

	@Test
	void aMemberRestartedInsideAMinorityNeverElectsHoweverLongTheCutLasts() {
		List<Member> members = membersExpiringAfter(5, java.time.Duration.ofSeconds(20));
		// {m0, m1, replica1} | {m2, m3, m4, master, replica2}
		for (Member member : members.subList(0, 2)) {
			member.cutOffFrom("10.0.0.1:6379", "10.0.0.3:6379");
		}
		for (Member member : members.subList(2, 5)) {
			member.cutOffFrom("10.0.0.2:6379");
		}
		this.cluster.crash(members.get(0));
		// It is given the replica it reaches as a seed too: hellos reach a member only on
		// the nodes it monitors.
		Member restarted = this.cluster.member("m0-again",
				expiringConfig(java.time.Duration.ofSeconds(20), SEEDS[0], "10.0.0.2:6379"));
		restarted.cutOffFrom("10.0.0.1:6379", "10.0.0.3:6379");
		this.cluster.run(120_000);
		// It learned the electorate from the replica's data: it is no voter, and m1 alone
		// is no majority.
		assertThat(restarted.coordinator.snapshot(this.cluster.now()).electorate().selfVotes()).isFalse();
		assertThat(allPromotions(this.cluster.members)).isEmpty();
		assertThat(this.master.following()).isNull();
		assertThat(this.replica2.following()).isEqualTo(this.master.address());
	}

	private List<Member> membersExpiringAfter(int count, java.time.Duration expiry) {
		for (int i = 0; i < count; i++) {
			this.cluster.member("m" + i, expiringConfig(expiry, SEEDS));
		}
		this.cluster.run(8000);
		return List.copyOf(this.cluster.members);
	}

	private static GroupConfig expiringConfig(java.time.Duration expiry, String... seeds) {
		GroupConfig.Timing defaults = GroupConfig.Timing.defaults();
		GroupConfig.Timing expiring = new GroupConfig.Timing(defaults.pingPeriod(), defaults.infoPeriod(),
				defaults.helloPeriod(), defaults.opinionValidity(), expiry, defaults.startupQuietPeriod(),
				defaults.tiltThreshold(), defaults.tiltDuration(), defaults.demoteAfter());
		return new GroupConfig("orders", List.of(seeds).stream().map(NodeAddress::parse).toList(), 2,
				java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(10), 1, expiring);
	}

	@Test
	void theGroupStateGoesThroughSdownOdownAndFailoverBackToOk() {
		this.replica1.setPriority(0);
		this.replica2.setPriority(0);
		List<Member> members = members(3, 2);
		Member watched = members.get(2);
		List<GroupState> seen = new java.util.ArrayList<>();
		java.util.function.Predicate<SimCluster> record = (cluster) -> {
			GroupState state = watched.coordinator.snapshot(cluster.now()).state();
			if (seen.isEmpty() || seen.get(seen.size() - 1) != state) {
				seen.add(state);
			}
			return false;
		};
		this.cluster.runUntil(500, record);
		// Only this member loses the master: down in its eyes, not by quorum.
		watched.cutOffFrom("10.0.0.1:6379");
		this.cluster.runUntil(3000, record);
		// Down for everyone, but no replica may be promoted: elections end with no good
		// replica.
		this.master.kill();
		this.cluster.runUntil(5000, record);
		this.replica1.setPriority(100);
		this.cluster.runUntil(10_000, (cluster) -> {
			record.test(cluster);
			return seen.get(seen.size() - 1) == GroupState.OK;
		});
		assertThat(seen).containsSubsequence(GroupState.OK, GroupState.SDOWN, GroupState.ODOWN, GroupState.FAILOVER,
				GroupState.OK);
		assertThat(watched.coordinator.snapshot(this.cluster.now()).master().address())
			.isEqualTo(this.replica1.address());
	}

	@Test
	void theOldMasterComingBackIsTurnedIntoAReplicaOfTheNewOne() {
		List<Member> members = members(3, 2);
		this.master.kill();
		this.cluster.run(5000);
		NodeAddress newMaster = members.get(0).coordinator.snapshot(this.cluster.now()).master().address();
		this.master.restart();
		this.cluster.run(2000);
		assertThat(this.master.following()).isNull();
		this.cluster.run(3000);
		assertThat(this.master.following()).isEqualTo(newMaster);
		assertThat(members.stream().flatMap((m) -> m.events(Type.CONVERT_TO_REPLICA).stream()))
			.extracting(ProtocolEvent::node)
			.contains(this.master.address());
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).replicas())
				.extracting(GroupSnapshot.NodeSnapshot::address)
				.contains(this.master.address()));
	}

	@Test
	void aReplicaDownDuringTheFailoverFollowsTheNewMasterWhenItReturns() {
		List<Member> members = members(3, 2);
		this.replica1.kill();
		killMasterAhead(this.replica2);
		this.cluster.run(6000);
		assertThat(leader(members).events(Type.FAILOVER_END)).hasSize(1);
		assertThat(this.replica1.following()).isEqualTo(this.master.address());
		this.replica1.restart();
		this.cluster.run(6000);
		assertThat(this.replica1.following()).isEqualTo(this.replica2.address());
	}

	@Test
	void whenTheLeaderDiesRightAfterPromotingAnotherMemberAdoptsThatReplicaInsteadOfPromotingASecond() {
		List<Member> members = members(3, 2);
		this.cluster.crashAt((action) -> action instanceof Action.Promote);
		killMasterAhead(this.replica2, this.replica1);
		this.cluster.run(20_000);
		List<Member> alive = members.stream().filter((m) -> m.running()).toList();
		assertThat(alive).hasSize(2);
		assertThat(allPromotions(alive)).isEmpty();
		assertThat(alive)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.replica2.address()));
		assertThat(this.replica1.following()).isEqualTo(this.replica2.address());
	}

	@Test
	void aPromotionWhoseAnswerIsLostIsConfirmedWithRoleAndItsFailoverCompletes() {
		List<Member> members = members(3, 2);
		AtomicBoolean lost = new AtomicBoolean();
		this.cluster.loseReplies((command) -> command instanceof Action.Promote && !lost.getAndSet(true));
		killMasterAhead(this.replica2, this.replica1);
		this.cluster.run(10_000);
		assertThat(lost).isTrue();
		assertThat(this.replica2.following()).isNull();
		// One election: a leader that ended its failover on the lost answer would leave
		// a master no configuration names until a later election adopted it.
		assertThat(members.stream().flatMap((m) -> m.events(Type.ELECTED_LEADER).stream())).hasSize(1);
		assertThat(leader(members).events(Type.FAILOVER_END)).singleElement()
			.satisfies((event) -> assertThat(event.detail()).isEqualTo("succeeded"));
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.replica2.address()));
	}

	@Test
	void aPromotionWhoseAnswerIsLostWhileTheOldMasterComesBackIsNotAdopted() {
		List<Member> members = members(3, 2);
		AtomicBoolean lost = new AtomicBoolean();
		this.cluster.loseReplies((command) -> command instanceof Action.Promote && !lost.getAndSet(true));
		// the promotion runs as the old master comes back with its data
		this.cluster.beforeCommand((command) -> {
			if (command instanceof Action.Promote) {
				this.master.restart();
			}
		});
		killMasterAhead(this.replica2, this.replica1);
		assertThat(this.cluster.runUntil(10_000, (cluster) -> aFailoverEnded(cluster, members))).isTrue();
		assertThat(leader(members).coordinator.snapshot(this.cluster.now()).lastFailover().result())
			.contains("answers again");
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.master.address()));
		// the node promoted beside it becomes its replica again
		assertThat(this.cluster.runUntil(20_000, (cluster) -> this.master.address().equals(this.replica2.following())))
			.isTrue();
	}

	@Test
	void theVotersOfALeaderThatGaveUpOnAPromotionThatLandedDoNotVouchForTheOldMaster() {
		List<Member> members = members(5, 2);
		Member l = members.get(0);
		Member a = members.get(1);
		Member b = members.get(2);
		Member c = members.get(3);
		Member d = members.get(4);
		String master = this.master.address().toString();
		String replica2 = this.replica2.address().toString();
		// Only the leader reaches the node it promotes, and only the two members that do
		// not vote reach the master.
		this.replica1.setPriority(0);
		List.of(l, a, b).forEach((member) -> member.cutOffFrom(master));
		List.of(a, b, c, d).forEach((member) -> member.cutOffFrom(replica2));
		this.master.cutOffFrom(this.replica2);
		// It freezes holding its promotion, and wakes in TILT to a master's ROLE: it
		// gives up on that failover, but the node it promoted stays a master.
		List.of(l, a, b).forEach((member) -> member.freezeAfter((action) -> action instanceof Action.Promote, 1200));
		// (a or b may lead first, and find no good replica)
		assertThat(this.cluster.runUntil(30_000, (cluster) -> aFailoverEnded(cluster, List.of(l)))).isTrue();
		assertThat(l.coordinator.snapshot(this.cluster.now()).lastFailover().result()).contains("in TILT");
		assertThat(this.replica2.following()).isNull();
		// Its voters reach the master again, and never see the node promoted beside it.
		List.of(a, b).forEach((member) -> member.reconnectTo(master));
		this.master.reconnectTo(this.replica2);
		// A later leader would adopt the promoted node as already promoted: what the old
		// master took meanwhile would be lost.
		Predicate<SimCluster> replicaAgainNoWritesMeanwhile = replica2FollowsTheMasterAgainWithNoWritesMeanwhile(
				members);
		assertThat(this.cluster.runUntil(5000, replicaAgainNoWritesMeanwhile))
			.as("only the leader sees it, and it does not reach the master")
			.isFalse();
		// the stray repair makes it a replica again, and the master takes writes
		l.reconnectTo(master);
		// (once out of TILT)
		assertThat(this.cluster.runUntil(40_000, replicaAgainNoWritesMeanwhile)).isTrue();
		assertThat(this.cluster.runUntil(10_000, (cluster) -> List.of(c, d)
			.stream()
			.allMatch((member) -> member.coordinator.snapshot(cluster.now()).fence().admitsWrites(cluster.now()))))
			.isTrue();
	}

	@Test
	void aPromotionWhoseFateIsUnknownWhenTheOldMasterComesBackKeepsTheOldMastersWritesFencedUntilTheNodeAnswers() {
		promotedNodeFallsSilentAsTheOldMasterComesBack(true, "answers again");
	}

	@Test
	void aPromotionAnsweredButNeverConfirmedKeepsTheOldMastersWritesFencedUntilTheNodeAnswers() {
		promotedNodeFallsSilentAsTheOldMasterComesBack(false, "within the failover timeout");
	}

	@Test
	void theLeaderChoosesOnInfoAskedSinceItsElectionNotOnANodePromotedBesideWhileAReplicasInfoIsStale() {
		List<Member> members = members(3, 2);
		// replica2 was promoted beside the master (a promotion that landed late); the
		// master took more writes since, which replica1 holds
		this.replica2.promote(1);
		this.master.write(1000);
		this.cluster.run(TICK);
		assertThat(this.replica1.offset()).isGreaterThan(this.replica2.offset());
		// replica1 answers PING, but nobody has had its INFO for a while when a leader is
		// elected
		this.cluster.loseReplies(
				(command) -> command instanceof Action.QueryInfo && command.node().equals(this.replica1.address())
						&& members.stream().allMatch((member) -> member.events(Type.ELECTED_LEADER).isEmpty()));
		this.master.kill();
		assertThat(this.cluster.runUntil(10_000, (cluster) -> !allPromotions(members).isEmpty() || members.stream()
			.anyMatch((member) -> !member.events(Type.SWITCH_MASTER).isEmpty()
					&& !this.master.address().equals(member.coordinator.snapshot(cluster.now()).master().address()))))
			.isTrue();
		this.cluster.run(5000);
		// replica2 holds none of the master's last writes: replica1 is the one to promote
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.replica1.address()));
	}

	@Test
	void aLeaderStillChoosingWhenTheOldMasterAnswersAgainEndsTheFailoverWithoutAPromotion() {
		List<Member> members = members(3, 2);
		// replica1, cut off from the master, falls behind it and stays a candidate when
		// the master comes back (it does not stream from it); its INFO is lost until
		// then, so the leader is still choosing
		this.replica1.cutOffFrom(this.master);
		this.master.write(1000);
		AtomicBoolean masterBack = new AtomicBoolean();
		this.cluster.loseReplies((command) -> !masterBack.get() && command instanceof Action.QueryInfo
				&& command.node().equals(this.replica1.address()));
		this.master.pause();
		assertThat(this.cluster.runUntil(10_000,
				(cluster) -> members.stream().anyMatch((member) -> !member.events(Type.ELECTED_LEADER).isEmpty())))
			.isTrue();
		Member leader = leader(members);
		this.master.resume();
		assertThat(this.cluster.runUntil(5000, (cluster) -> !leader.events(Type.SDOWN_CLEARED).isEmpty())).isTrue();
		masterBack.set(true);
		this.cluster.run(5000);
		// the master is back with its data, and takes writes: promoting replica1 would
		// lose them
		assertThat(allPromotions(members)).isEmpty();
		assertThat(leader.coordinator.snapshot(this.cluster.now()).lastFailover().result())
			.contains(this.master.address() + " answers again");
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.master.address()));
	}

	@Test
	void aNodeWhosePromotionWasNeverSettledWithholdsNoWordOnTheMasterOfALaterFailover() {
		List<Member> members = members(3, 2);
		AtomicBoolean lost = new AtomicBoolean();
		// the first promotion never reaches its node, which dies for good
		this.cluster.loseRequests((command) -> {
			if (command instanceof Action.Promote && !lost.getAndSet(true)) {
				this.cluster.node(command.node()).kill();
				return true;
			}
			return false;
		});
		this.master.kill();
		assertThat(this.cluster.runUntil(60_000,
				(cluster) -> members.stream()
					.map((member) -> member.coordinator.snapshot(cluster.now()).master().address())
					.allMatch((address) -> !address.equals(this.master.address()))))
			.isTrue();
		assertThat(allPromotions(members)).hasSize(2);
		// It was promoted from the replicas of the old master, not of the new one: no
		// later failover adopts it, and nobody keeps the new master's writes fenced for
		// it.
		assertThat(this.cluster.runUntil(10_000,
				(cluster) -> members.stream()
					.allMatch((member) -> member.coordinator.snapshot(cluster.now()).fence().votersWithMaster() == 3)))
			.isTrue();
	}

	/**
	 * The promotion runs as the old master comes back with its data; from then on nothing
	 * the promoted node says reaches any member ({@code replyLost}: not even the answer
	 * to the promotion), and the leader gives up on the failover.
	 */
	private void promotedNodeFallsSilentAsTheOldMasterComesBack(boolean replyLost, String aborted) {
		List<Member> members = members(3, 2);
		this.replica1.setPriority(0);
		AtomicBoolean silent = new AtomicBoolean();
		this.cluster.loseReplies((command) -> command.node().equals(this.replica2.address()) && silent.get()
				&& (replyLost || !(command instanceof Action.Promote)));
		this.cluster.beforeCommand((command) -> {
			if (command instanceof Action.Promote && !silent.getAndSet(true)) {
				this.master.restart();
			}
		});
		killMasterAhead(this.replica2, this.replica1);
		assertThat(this.cluster.runUntil(20_000, (cluster) -> aFailoverEnded(cluster, members))).isTrue();
		assertThat(leader(members).coordinator.snapshot(this.cluster.now()).lastFailover().result()).contains(aborted);
		assertThat(this.replica2.following()).isNull();
		// A later leader would adopt the node as already promoted: what the old master
		// took meanwhile would be lost.
		Predicate<SimCluster> replicaAgainNoWritesMeanwhile = replica2FollowsTheMasterAgainWithNoWritesMeanwhile(
				members);
		assertThat(this.cluster.runUntil(10_000, replicaAgainNoWritesMeanwhile)).as("nobody hears the node").isFalse();
		assertThat(leader(members).coordinator.snapshot(this.cluster.now()).fence().reason())
			.startsWith(this.replica2.address() + " was sent a promotion");
		// it answers: a master beside the old one, made a replica again by the stray
		// repair, and the old master takes writes
		silent.set(false);
		assertThat(this.cluster.runUntil(30_000, replicaAgainNoWritesMeanwhile)).isTrue();
		assertThat(this.cluster.runUntil(10_000, (cluster) -> members.stream()
			.allMatch((member) -> member.coordinator.snapshot(cluster.now()).fence().admitsWrites(cluster.now()))))
			.isTrue();
	}

	@Test
	void noMemberAdoptsThePromotedNodeBeforeItsDataHoldsTheNewConfiguration() {
		List<Member> members = members(3, 2);
		AtomicInteger lost = new AtomicInteger();
		this.cluster.loseRequests((command) -> command instanceof Action.StoreConfiguration store
				&& store.node().equals(this.replica2.address()) && lost.getAndIncrement() < 2);
		killMasterAhead(this.replica2, this.replica1);
		assertThat(
				this.cluster.runUntil(
						10_000, (
								cluster) -> members.stream()
									.anyMatch((member) -> this.replica2.address()
										.equals(member.coordinator.snapshot(cluster.now()).master().address()))))
			.isTrue();
		long epoch = allPromotions(members).get(0).epoch();
		// A configuration only in the leader's memory dies with it, and a restarted
		// member would then follow the old master's data: the write that it loses must
		// never have been admitted.
		assertThat(lost).hasValueGreaterThanOrEqualTo(2);
		assertThat(this.replica2.storedConfiguration()).isNotNull()
			.satisfies((stored) -> assertThat(stored.epoch()).isEqualTo(epoch))
			.satisfies((stored) -> assertThat(stored.master()).isEqualTo(this.replica2.address()));
		this.cluster.run(5000);
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.replica2.address()));
		assertThat(leader(members).events(Type.FAILOVER_END)).singleElement()
			.satisfies((event) -> assertThat(event.detail()).isEqualTo("succeeded"));
	}

	@Test
	void aFailoverWhoseConfigurationCannotBeStoredAbortsUnadoptedAndTheNextOneAdoptsThePromotedNode() {
		List<Member> members = members(3, 2);
		AtomicBoolean storesFail = new AtomicBoolean(true);
		this.cluster.loseRequests((command) -> command instanceof Action.StoreConfiguration store
				&& store.node().equals(this.replica2.address()) && storesFail.get());
		killMasterAhead(this.replica2, this.replica1);
		assertThat(this.cluster.runUntil(20_000, (cluster) -> aFailoverEnded(cluster, members))).isTrue();
		Member leader = leader(members);
		assertThat(leader.events(Type.FAILOVER_END)).isEmpty();
		assertThat(leader.coordinator.snapshot(this.cluster.now()).lastFailover().result())
			.contains("could not be stored");
		assertThat(this.replica2.following()).isNull();
		assertThat(members).allSatisfy((member) -> {
			assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.master.address());
		});
		storesFail.set(false);
		this.cluster.run(20_000);
		assertThat(allPromotions(members)).hasSize(1);
		assertThat(this.replica2.storedConfiguration()).isNotNull()
			.satisfies((stored) -> assertThat(stored.master()).isEqualTo(this.replica2.address()));
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.replica2.address()));
		assertThat(this.replica1.following()).isEqualTo(this.replica2.address());
	}

	@Test
	void theOldMasterTakesNoWritesWhileANodePromotedBesideItIsNotAReplicaAgain() {
		List<Member> members = members(3, 2);
		AtomicBoolean storesFail = new AtomicBoolean(true);
		this.cluster.loseRequests((command) -> command instanceof Action.StoreConfiguration store
				&& store.node().equals(this.replica2.address()) && storesFail.get());
		killMasterAhead(this.replica2, this.replica1);
		assertThat(this.cluster.runUntil(20_000, (cluster) -> aFailoverEnded(cluster, members))).isTrue();
		assertThat(this.replica2.following()).as("promoted, its failover aborted unadopted").isNull();
		// the old master comes back with its data: a majority of the voters reach it
		this.master.restart();
		assertThat(this.cluster.runUntil(5000,
				(cluster) -> members.stream()
					.map((member) -> member.coordinator.snapshot(cluster.now()).master())
					.allMatch((master) -> master.address().equals(this.master.address())
							&& master.status() == GroupSnapshot.NodeStatus.UP)))
			.isTrue();
		// A later leader would adopt the promoted node as already promoted: what the old
		// master took meanwhile would be lost.
		assertThat(members).allSatisfy((member) -> {
			GroupSnapshot.FenceSnapshot fence = member.coordinator.snapshot(this.cluster.now()).fence();
			assertThat(fence.admitsWrites(this.cluster.now())).isFalse();
			assertThat(fence.reason()).startsWith(this.replica2.address() + " answers as a master promoted");
		});
		// the stray repair makes it a replica again, and the master takes writes
		assertThat(this.cluster
			.runUntil(20_000, (cluster) -> this.master.address().equals(this.replica2.following()) && members.stream()
				.allMatch((member) -> member.coordinator.snapshot(cluster.now()).fence().admitsWrites(cluster.now()))))
			.isTrue();
	}

	@Test
	void aMemberThatMissedItsMastersFailoversAwayAndBackDoesNotAdoptTheNodeItsCurrentTenureReplaced() {
		// Simulation seed 239818.
		List<Member> members = members(3, 2);
		Member cutOff = members.get(0);
		String[] nodes = { this.master.address().toString(), this.replica1.address().toString(),
				this.replica2.address().toString() };
		cutOff.cutOffFrom(nodes);
		// Unseen by m0: a switchover hands the master over to replica1...
		CommandOutcome switchover = members.get(1).coordinator.requestSwitchover(this.cluster.now(),
				this.replica1.address(), 5000);
		this.cluster.deliver(members.get(1), switchover.actions());
		assertThat(this.cluster.runUntil(10_000,
				(cluster) -> this.replica1.following() == null
						&& this.replica1.address().equals(this.master.following())
						&& this.replica1.address().equals(this.replica2.following())))
			.isTrue();
		this.cluster.run(2000);
		// ... which is then cut off with writes replica2 lacks: the others promote the
		// old master back from replica1's history, and replica2 follows it
		this.replica2.stallStream();
		this.replica1.write(1000);
		this.cluster.run(TICK);
		this.replica1.cutOffFrom(this.master);
		this.replica1.cutOffFrom(this.replica2);
		members.get(1).cutOffFrom(nodes[1]);
		members.get(2).cutOffFrom(nodes[1]);
		this.replica2.resumeStream();
		assertThat(
				this.cluster.runUntil(20_000,
						(cluster) -> this.master.following() == null
								&& this.master.address().equals(this.replica2.following())
								&& aFailoverEnded(cluster, members.subList(1, 3))
								&& members.subList(1, 3)
									.stream()
									.allMatch((member) -> this.master.address()
										.equals(member.coordinator.snapshot(cluster.now()).master().address()))))
			.isTrue();
		this.cluster.run(2000);
		// The master dies as m0 comes back: it learns the configuration of the master's
		// new tenure, which names the very master it followed, and never reads the
		// master's INFO again. replica1 comes back too, a master still: it left the
		// history where m0 last saw the master, and holds none of what the master took
		// in its new tenure, which replica2 holds.
		this.master.kill();
		cutOff.reconnectTo(nodes);
		this.replica1.reconnectTo(this.master);
		this.replica1.reconnectTo(this.replica2);
		members.get(1).reconnectTo(nodes[1]);
		members.get(2).reconnectTo(nodes[1]);
		this.cluster.run(10_000);
		assertThat(cutOff.events(Type.ELECTED_LEADER)).as("the smallest id leads").isNotEmpty();
		assertThat(cutOff.events(Type.PROMOTED_REPLICA)).extracting(ProtocolEvent::node)
			.containsExactly(this.replica2.address());
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.replica2.address()));
		assertThat(this.replica1.following()).isEqualTo(this.replica2.address());
	}

	@Test
	void aPromotedNodeThatRestartsEmptyBeforeItsConfigurationIsRecordedIsNeverAdopted() {
		List<Member> members = members(3, 2);
		AtomicBoolean restarted = new AtomicBoolean();
		this.cluster.beforeCommand((command) -> {
			if (command instanceof Action.StoreConfiguration && command.node().equals(this.replica2.address())
					&& !restarted.getAndSet(true)) {
				this.replica2.restartEmpty();
			}
		});
		killMasterAhead(this.replica2, this.replica1);
		this.cluster.run(30_000);
		assertThat(restarted).isTrue();
		// The empty process refused the store meant for the one promoted.
		assertThat(leader(members).coordinator.snapshot(this.cluster.now()).history())
			.anySatisfy((failover) -> assertThat(failover.result()).contains("10.0.0.3:6379 restarted"));
		assertThat(members).allSatisfy((member) -> {
			assertThat(member.events(Type.SWITCH_MASTER)).extracting(ProtocolEvent::master)
				.doesNotContain(this.replica2.address());
			assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(this.replica1.address());
		});
		assertThat(this.replica2.following()).isEqualTo(this.replica1.address());
	}

	@Test
	void restartingEveryMemberNeverFailsOverNorPicksAnotherMaster() {
		List<Member> first = members(3, 2);
		this.master.kill();
		this.cluster.run(5000);
		NodeAddress current = first.get(0).coordinator.snapshot(this.cluster.now()).master().address();
		this.master.restart();
		first.forEach(this.cluster::stop);
		List<Member> restarted = startNewGeneration();
		assertThat(allPromotions(restarted)).isEmpty();
		assertThat(restarted).allSatisfy((member) -> {
			GroupSnapshot snapshot = member.coordinator.snapshot(this.cluster.now());
			assertThat(snapshot.master().address()).isEqualTo(current);
			assertThat(snapshot.state()).isEqualTo(GroupState.OK);
			assertThat(snapshot.electorate().voters()).containsExactly("restarted0", "restarted1", "restarted2");
		});
		assertThat(this.master.following()).isEqualTo(current);
	}

	@Test
	void everyMemberCrashedLeavesTheNewGenerationObservingWithTheMasterTheDataNames() {
		List<Member> first = members(3, 2);
		this.master.kill();
		this.cluster.run(5000);
		NodeAddress current = first.get(0).coordinator.snapshot(this.cluster.now()).master().address();
		first.forEach(this.cluster::crash);
		List<Member> restarted = startNewGeneration();
		assertThat(restarted).allSatisfy((member) -> {
			GroupSnapshot snapshot = member.coordinator.snapshot(this.cluster.now());
			assertThat(snapshot.master().address()).isEqualTo(current);
			assertThat(snapshot.electorate().selfVotes()).isFalse();
			assertThat(snapshot.quorumCheck().electionReachable()).isFalse();
		});
		this.cluster.node(current).kill();
		this.cluster.run(20_000);
		// The crashed voters may be alive behind a cut: the observers never elect without
		// them.
		assertThat(allPromotions(restarted)).isEmpty();
	}

	/** Three new processes, every node a seed, given 30 s to learn the group. */
	private List<Member> startNewGeneration() {
		int before = this.cluster.members.size();
		for (int i = 0; i < 3; i++) {
			this.cluster.member("restarted" + i,
					SimCluster.config(2, "10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"));
		}
		this.cluster.run(30_000);
		return this.cluster.members.subList(before, before + 3);
	}

	/**
	 * Whether replica2 follows the master again; until then, asserts that no member
	 * admits writes while it is a master beside the old one.
	 */
	private Predicate<SimCluster> replica2FollowsTheMasterAgainWithNoWritesMeanwhile(List<Member> members) {
		return (cluster) -> {
			if (this.replica2.following() == null) {
				assertThat(members).allSatisfy((member) -> assertThat(
						member.coordinator.snapshot(cluster.now()).fence().admitsWrites(cluster.now()))
					.as("m%d admits writes while %s is a master", members.indexOf(member), this.replica2.address())
					.isFalse());
			}
			return this.master.address().equals(this.replica2.following());
		};
	}

	/**
	 * Kills the master once {@code ahead} alone has its last writes: the streams of the
	 * replicas {@code behind} stall before them, and flow again once it is dead.
	 */
	private void killMasterAhead(SimCluster.Node ahead, SimCluster.Node... behind) {
		List.of(behind).forEach(SimCluster.Node::stallStream);
		this.master.write(1000);
		this.cluster.run(TICK);
		List.of(behind).forEach((replica) -> assertThat(replica.offset()).isLessThan(ahead.offset()));
		this.master.kill();
		List.of(behind).forEach(SimCluster.Node::resumeStream);
	}

	private static List<Action.Promote> allPromotions(List<Member> members) {
		return members.stream().flatMap((m) -> m.actions(Action.Promote.class).stream()).toList();
	}

	private static boolean aFailoverEnded(SimCluster cluster, List<Member> members) {
		return members.stream()
			.map((member) -> member.coordinator.snapshot(cluster.now()).lastFailover())
			.anyMatch((failover) -> failover != null && failover.endedAtMs() >= 0);
	}

	private static Member leader(List<Member> members) {
		return members.stream().filter((m) -> !m.events(Type.ELECTED_LEADER).isEmpty()).findFirst().orElseThrow();
	}

	@Test
	void aGenerationThatSucceedsOneThatStoppedElectsInLaterEpochs() {
		List<Member> first = members(2, 2);
		this.master.kill();
		this.cluster.run(5000);
		long oldEpoch = allPromotions(first).get(0).epoch();
		first.forEach(this.cluster::stop);
		for (int i = 0; i < 2; i++) {
			this.cluster.memberOnWallClock(new MemberIdentity("next" + i, "app"),
					SimCluster.config(2, "10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"));
		}
		this.cluster.run(8000);
		List<Member> next = this.cluster.members.subList(2, 4);
		assertThat(next)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).electorate().voters())
				.containsExactly("next0", "next1"));
		SimCluster.Node current = this.cluster
			.node(next.get(0).coordinator.snapshot(this.cluster.now()).master().address());
		current.kill();
		this.cluster.run(5000);
		assertThat(allPromotions(next)).singleElement().satisfies((promote) -> {
			assertThat(promote.epoch()).isGreaterThan(oldEpoch);
			assertThat(promote.node()).isNotEqualTo(current.address()).isNotEqualTo(this.master.address());
		});
	}

	@Test
	void aFailoverOfRedis4NodesPromotesAndRepointsWithSlaveof() {
		this.master.setVersion("4.0.14");
		this.replica1.setVersion("4.0.14");
		this.replica2.setVersion("4.0.14");
		List<Member> members = members(3, 2);
		this.master.kill();
		this.cluster.run(8000);
		List<Action.Promote> promotions = allPromotions(members);
		assertThat(promotions).singleElement()
			.satisfies((promote) -> assertThat(promote.command()).isEqualTo(RoleCommand.SLAVEOF));
		assertThat(members.stream().flatMap((m) -> m.actions(Action.Replicate.class).stream())).isNotEmpty()
			.allSatisfy((replicate) -> assertThat(replicate.command()).isEqualTo(RoleCommand.SLAVEOF));
		SimCluster.Node promoted = (promotions.get(0).node().equals(this.replica1.address())) ? this.replica1
				: this.replica2;
		SimCluster.Node other = (promoted == this.replica1) ? this.replica2 : this.replica1;
		assertThat(promoted.following()).isNull();
		assertThat(other.following()).isEqualTo(promoted.address());
	}

}
