package io.redisha.protocol;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import io.redisha.protocol.simulation.SimCluster;
import io.redisha.protocol.simulation.SimCluster.Member;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Members beyond the group's voters observe: they listen to the voters' announcements
 * alone, say hello only to show they are there (or every hello period while the group
 * wants them as a voter), and still follow every switch, fence their writes on the
 * voters' word, and take a stopped voter's place.
 */
class ObserverTest {

	private static final String[] SEEDS = { "10.0.0.1:6379" };

	private static final int VOTERS = 3;

	private static final GroupConfig CONFIG = new GroupConfig("orders",
			List.of(SEEDS).stream().map(NodeAddress::parse).toList(), 2, Duration.ofSeconds(1), Duration.ofSeconds(10),
			1, GroupConfig.Timing.defaults(), GroupConfig.DEFAULT_HISTORY_SIZE, VOTERS);

	private final SimCluster cluster = new SimCluster(CONFIG);

	private final SimCluster.Node master = this.cluster.master("10.0.0.1:6379");

	@BeforeEach
	void replicas() {
		this.cluster.replica("10.0.0.2:6379", this.master);
		this.cluster.replica("10.0.0.3:6379", this.master);
	}

	private List<Member> members(int count) {
		return members(count, false);
	}

	/**
	 * Members m0, m1, ... whose epochs start at 0, or at their hosts' wall clocks as the
	 * runtime's do.
	 */
	private List<Member> members(int count, boolean onWallClock) {
		for (int i = 0; i < count; i++) {
			MemberIdentity identity = new MemberIdentity("m" + i, "app-m" + i);
			if (onWallClock) {
				this.cluster.memberOnWallClock(identity, CONFIG);
			}
			else {
				this.cluster.member(identity, CONFIG);
			}
		}
		// Long enough for the electorate to grow to its target one voter at a time.
		this.cluster.runUntil(60_000,
				(cluster) -> cluster.members.stream()
					.allMatch((member) -> electorate(member) != null && electorate(member).committed()
							&& electorate(member).voters().size() == VOTERS));
		return this.cluster.members;
	}

	private GroupSnapshot.ElectorateSnapshot electorate(Member member) {
		return member.coordinator.snapshot(this.cluster.now()).electorate();
	}

	private List<Member> observers(List<Member> members) {
		return members.stream().filter((member) -> member.running() && !electorate(member).selfVotes()).toList();
	}

	private List<Member> voters(List<Member> members) {
		return members.stream().filter((member) -> member.running() && electorate(member).selfVotes()).toList();
	}

	@Test
	void anObserverRefusesToLeadAFailoverOrSwitchoverAndNamesTheVoters() {
		List<Member> members = members(5);
		Member observer = observers(members).get(0);
		List<String> voterIds = electorate(observer).voters();
		String refusal = "this member is not a voter of group orders: ask one of " + voterIds;
		CommandOutcome switchover = observer.coordinator.requestSwitchover(this.cluster.now(), null, 5000);
		CommandOutcome failover = observer.coordinator.requestFailover(this.cluster.now());
		assertThat(List.of(switchover, failover)).allSatisfy((outcome) -> {
			assertThat(outcome.status()).isEqualTo(CommandOutcome.Status.REFUSED);
			assertThat(outcome.message()).isEqualTo(refusal);
			assertThat(outcome.actions()).isEmpty();
		});
		Member voter = voters(members).get(0);
		CommandOutcome asked = voter.coordinator.requestSwitchover(this.cluster.now(), null, 5000);
		assertThat(asked.status()).as(asked.message()).isEqualTo(CommandOutcome.Status.STARTED);
	}

	@Test
	void observersListenToTheAnnouncementsAndSayHelloOnlyEveryQuarterOfTheMemberExpiryAndPingLess() {
		List<Member> members = members(7);
		assertThat(voters(members)).hasSize(VOTERS);
		assertThat(observers(members)).hasSize(4);
		members.forEach((member) -> member.actions.clear());
		members.forEach((member) -> member.events.clear());
		for (int i = 0; i < 120; i++) {
			this.cluster.run(500);
			// PINGed every down-after, a healthy node is never silent long enough to
			// look down between two PINGs
			assertThat(members).allSatisfy((member) -> {
				GroupSnapshot snapshot = member.coordinator.snapshot(this.cluster.now());
				assertThat(snapshot.master().status()).isEqualTo(GroupSnapshot.NodeStatus.UP);
				assertThat(snapshot.replicas()).extracting(GroupSnapshot.NodeSnapshot::status)
					.containsOnly(GroupSnapshot.NodeStatus.UP);
			});
		}
		assertThat(members).allSatisfy((member) -> assertThat(member.events(ProtocolEvent.Type.SDOWN)).isEmpty());
		NodeAddress masterAddress = this.master.address();
		for (Member observer : observers(members)) {
			assertThat(observer.actions(Action.Publish.class)).isEmpty();
			// The presence goes to the voters' channel, on the master only: every 11 to
			// 15 s.
			assertThat(observer.actions(Action.PublishOn.class)).hasSizeBetween(4, 6).allSatisfy((publish) -> {
				assertThat(publish.node()).isEqualTo(masterAddress);
				assertThat(publish.channel()).isEqualTo(GroupCoordinator.GOSSIP_CHANNEL);
			});
		}
		// Each observer's period is its own, by member id: observers started together
		// drift apart.
		assertThat(observers(members).stream().map((observer) -> {
			List<Long> sent = observer.actions(Action.PublishOn.class)
				.stream()
				.map((publish) -> ((GossipMessage.Hello) GossipCodec.decode(publish.payload())).sentAt())
				.toList();
			return sent.get(1) - sent.get(0);
		}).distinct()).hasSizeGreaterThan(1);
		for (Member observer : observers(members)) {
			// An observer PINGs a node only once it passed no gossip on for down-after:
			// here every node passes the voters' hellos on to every observer (the runtime
			// subscribes an observer on one node, and it PINGs the others every
			// down-after).
			assertThat(observer.actions(Action.Ping.class)).isEmpty();
		}
		for (Member voter : voters(members)) {
			assertThat(voter.actions(Action.Ping.class).stream().filter((ping) -> ping.node().equals(masterAddress)))
				.hasSizeGreaterThan(280);
			// A hello every second on every node, and the same on the master's
			// announcement channel.
			assertThat(voter.actions(Action.Publish.class)).hasSizeGreaterThanOrEqualTo(60);
			assertThat(voter.actions(Action.PublishOn.class)).hasSameSizeAs(voter.actions(Action.Publish.class))
				.allSatisfy((publish) -> {
					assertThat(publish.node()).isEqualTo(masterAddress);
					assertThat(publish.channel()).isEqualTo(GroupCoordinator.ANNOUNCE_CHANNEL);
				});
		}
	}

	@Test
	void inCalmTimesAnObserverReadsEachNodesInfoEveryThirtySecondsAndAVoterEveryTen() {
		// Down-after 5 s, the default; no write fence, which reads the replicas at the
		// PING period while the voters' evidence is about to lapse.
		GroupConfig config = new GroupConfig("orders", List.of(NodeAddress.parse(SEEDS[0])), 2, Duration.ofSeconds(5),
				Duration.ofSeconds(10), 1, GroupConfig.Timing.defaults(), GroupConfig.DEFAULT_HISTORY_SIZE, VOTERS,
				new GroupConfig.Fencing(PartitionMode.AVAILABLE, null));
		SimCluster cluster = new SimCluster(config);
		SimCluster.Node master = cluster.master("10.0.0.1:6379");
		cluster.replica("10.0.0.2:6379", master);
		for (int i = 0; i < 5; i++) {
			cluster.member("m" + i, config);
		}
		assertThat(cluster.runUntil(60_000,
				(world) -> world.members.stream()
					.map((member) -> member.coordinator.snapshot(world.now()).electorate())
					.allMatch((electorate) -> electorate != null && electorate.committed()
							&& electorate.voters().size() == VOTERS)))
			.isTrue();
		cluster.run(10_000);
		cluster.members.forEach((member) -> member.actions.clear());
		cluster.run(120_000);
		for (Member member : cluster.members) {
			boolean voter = member.coordinator.snapshot(cluster.now()).electorate().selfVotes();
			for (String node : List.of("10.0.0.1:6379", "10.0.0.2:6379")) {
				assertThat(member.actions(Action.QueryInfo.class)
					.stream()
					.filter((info) -> info.node().equals(NodeAddress.parse(node))))
					.hasSizeBetween(voter ? 12 : 4, voter ? 13 : 5);
			}
		}
	}

	@Test
	void eachMemberListensToTheChannelOfItsRole() {
		List<Member> members = members(5);
		for (Member observer : observers(members)) {
			assertThat(observer.listening()).isEqualTo(GroupCoordinator.ANNOUNCE_CHANNEL);
		}
		for (Member voter : voters(members)) {
			assertThat(voter.listening()).isEqualTo(GroupCoordinator.GOSSIP_CHANNEL);
		}
	}

	@Test
	void observersFollowAFailoverAndAdmitWritesOnTheVotersWord() {
		List<Member> members = members(7);
		for (Member observer : observers(members)) {
			GroupSnapshot.FenceSnapshot fence = observer.coordinator.snapshot(this.cluster.now()).fence();
			assertThat(fence.fenced()).isFalse();
			assertThat(fence.votersWithMaster()).isEqualTo(VOTERS);
		}
		this.master.kill();
		this.cluster.run(5000);
		NodeAddress promoted = members.stream()
			.flatMap((member) -> member.actions(Action.Promote.class).stream())
			.map(Action.Promote::node)
			.findFirst()
			.orElseThrow();
		assertThat(members)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(promoted));
		for (Member observer : observers(members)) {
			assertThat(observer.actions(Action.Promote.class)).isEmpty();
			assertThat(observer.events(ProtocolEvent.Type.VOTE_FOR_LEADER)).isEmpty();
		}
	}

	@Test
	void anObserverSeesANodeThatPassedItsGossipOnDieWithinOneAndAHalfDownAfterWithoutPingingItBefore() {
		List<Member> members = members(7);
		Member observer = observers(members).get(0);
		NodeAddress replica = NodeAddress.parse("10.0.0.2:6379");
		observer.actions.clear();
		this.cluster.run(10_000);
		assertThat(observer.actions(Action.Ping.class)).isEmpty();
		this.cluster.node(replica).kill();
		long killedAt = this.cluster.now();
		assertThat(this.cluster.runUntil(3000, (cluster) -> observer.coordinator.snapshot(cluster.now())
			.replicas()
			.stream()
			.anyMatch((node) -> node.address().equals(replica) && node.status() == GroupSnapshot.NodeStatus.DOWN)))
			.isTrue();
		// silent since the kill: PINGed a down-after later, down once that PING went
		// unanswered for half of down-after
		assertThat(this.cluster.now() - killedAt).isLessThanOrEqualTo(1500 + 2 * GroupCoordinator.TICK_MILLIS);
		assertThat(observer.actions(Action.Ping.class)).extracting(Action.Ping::node).containsOnly(replica);
	}

	@Test
	void aVoterThatStopsIsReplacedByAnObserverAndTheGroupStillFailsOver() {
		List<Member> members = members(5);
		Member leaving = voters(members).get(0);
		String leavingId = leaving.id();
		List<Member> observersBefore = observers(members);
		List<Member> others = members.stream().filter((member) -> member != leaving).toList();
		others.forEach((member) -> member.actions.clear());
		this.cluster.stop(leaving);
		assertThat(this.cluster
			.runUntil(10_000, (cluster) -> voters(members).size() == VOTERS && voters(members).stream()
				.allMatch((voter) -> electorate(voter).committed() && !electorate(voter).voters().contains(leavingId))))
			.isTrue();
		assertThat(observers(members)).hasSize(1);
		assertThat(others).as("the voter's own record of its departure landed: nobody writes it again")
			.allSatisfy((member) -> assertThat(member.actions(Action.RecordDeparture.class)).isEmpty());
		// The observer taken said hello as soon as the group wanted a voter, not at its
		// next presence.
		Member added = observersBefore.stream()
			.filter((member) -> electorate(member).selfVotes())
			.findFirst()
			.orElseThrow();
		assertThat(added.actions(Action.PublishOn.class)
			.stream()
			.filter((publish) -> publish.channel().equals(GroupCoordinator.GOSSIP_CHANNEL))
			.map((publish) -> (GossipMessage.Hello) GossipCodec.decode(publish.payload()))
			.filter((hello) -> !hello.config().voters().contains(leavingId))).isNotEmpty();
		assertThat(added.events(ProtocolEvent.Type.SDOWN))
			.as("its last replies, to PINGs of an observer's pace, do not make it see a node down as a voter")
			.isEmpty();
		assertThat(observers(members).get(0).listening()).isEqualTo(GroupCoordinator.ANNOUNCE_CHANNEL);
		assertThat(voters(members))
			.allSatisfy((voter) -> assertThat(voter.listening()).isEqualTo(GroupCoordinator.GOSSIP_CHANNEL));
		this.master.kill();
		this.cluster.run(5000);
		List<Member> running = members.stream().filter((member) -> member.running()).toList();
		NodeAddress promoted = running.stream()
			.flatMap((member) -> member.actions(Action.Promote.class).stream())
			.map(Action.Promote::node)
			.findFirst()
			.orElseThrow();
		assertThat(running)
			.allSatisfy((member) -> assertThat(member.coordinator.snapshot(this.cluster.now()).master().address())
				.isEqualTo(promoted));
	}

	@Test
	void aDepartureWhoseRecordWasLostIsRecordedAgainSoTheVoterThatMissedTheGoodbyesGoesOnAlone() {
		List<Member> members = members(5);
		List<Member> voters = voters(members);
		Member remaining = voters.get(0);
		Member leaving1 = voters.get(1);
		Member leaving2 = voters.get(2);
		List<String> leavingIds = List.of(leaving1.id(), leaving2.id());
		List<Member> observersBefore = observers(members);
		String[] nodes = { "10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379" };
		// The remaining voter misses both goodbyes, and the master loses both voters' own
		// records of their departure (it was loading): only the observers know.
		remaining.cutOffFrom(nodes);
		this.cluster.run(1000);
		boolean[] losing = { true };
		this.cluster.loseRequests((command) -> losing[0] && command instanceof Action.RecordDeparture);
		this.cluster.stop(leaving1);
		this.cluster.stop(leaving2);
		losing[0] = false;
		this.cluster.run(1000);
		remaining.reconnectTo(nodes);
		// Without the record, it counts the two as crashed voters, a majority of three:
		// it could neither change the voters nor repair nodes until an operator replaced
		// them. With it, it is the one voter that may still vote, and a majority alone.
		assertThat(this.cluster.runUntil(30_000,
				(cluster) -> electorate(remaining).committed()
						&& electorate(remaining).voters().stream().noneMatch(leavingIds::contains)
						&& electorate(remaining).voters().size() == VOTERS))
			.isTrue();
		assertThat(observersBefore.stream()
			.flatMap((observer) -> observer.actions(Action.RecordDeparture.class).stream())
			.map(Action.RecordDeparture::member)).containsAll(leavingIds);
		assertThat(observers(members)).isEmpty();
	}

	/**
	 * The operator's replace-voters is refused wherever it is asked while a majority of
	 * the voters answer, on an observer too (it counted only on a voter before, and an
	 * observer replaced live voters).
	 */
	@Test
	void replaceVotersIsRefusedOnAnObserverThatHearsAMajorityOfTheVoters() {
		List<Member> members = members(VOTERS + 2);
		Member observer = observers(members).get(0);
		Configuration before = observer.coordinator.configuration();
		CommandOutcome outcome = observer.coordinator.replaceVoters(this.cluster.now());
		assertThat(outcome.status()).isEqualTo(CommandOutcome.Status.REFUSED);
		assertThat(outcome.message()).contains("answers: nothing to replace");
		assertThat(outcome.actions()).isEmpty();
		assertThat(observer.coordinator.configuration()).isEqualTo(before);
	}

	/**
	 * Strict seed 30269170: the master of the configuration the live members hold was
	 * killed and came back without its data (a new replication id at offset 0, no
	 * configuration in its data) while the voters that had followed it crashed; its
	 * replicas, cut off from it, still had the data. The operator's replace-voters, asked
	 * of the one live member, founded the new electorate on the empty master, and the
	 * stray repair then made the node that had the data resync from it: every write lost.
	 * Founding there is refused, and nothing is stored on it.
	 */
	@Test
	void replaceVotersIsRefusedWhileTheMasterAnswersWithNoneOfTheGroupsData() {
		List<Member> members = members(VOTERS + 1);
		Member observer = observers(members).get(0);
		Configuration held = observer.coordinator.configuration();
		SimCluster.Node replica = writtenAndCutOffFromTheReplicas();
		assertThat(replica.offset()).isGreaterThan(0);
		voters(members).forEach(this.cluster::crash);
		this.master.restartEmpty();
		this.cluster.run(40_000);
		assertThat(this.master.offset()).isZero();
		assertThat(this.master.storedConfiguration()).isNull();
		assertThat(observer.coordinator.configuration()).isEqualTo(held);
		CommandOutcome outcome = observer.coordinator.replaceVoters(this.cluster.now());
		assertThat(outcome.status()).isEqualTo(CommandOutcome.Status.REFUSED);
		assertThat(outcome.message()).contains("answers with none of the group's data");
		assertThat(outcome.actions()).isEmpty();
		this.cluster.run(30_000);
		assertThat(observer.coordinator.configuration()).isEqualTo(held);
		assertThat(this.master.storedConfiguration()).isNull();
		assertThat(replica.offset()).as("the data is still on the replicas").isGreaterThan(50_000);
	}

	/**
	 * The check before a replacement reads the member's latest INFO of the master: a
	 * master restarted without its data since then (its replicas cut off from it with the
	 * data) must not take the replacement. The store names the process that INFO came
	 * from, and the new one refuses it.
	 */
	@Test
	void aReplacementIsStoredOnlyOnTheProcessWhoseInfoShowedTheGroupsData() {
		List<Member> members = members(VOTERS + 1);
		Member observer = observers(members).get(0);
		Configuration held = observer.coordinator.configuration();
		SimCluster.Node replica = writtenAndCutOffFromTheReplicas();
		voters(members).forEach(this.cluster::crash);
		this.cluster.run(40_000);
		// Its INFO replies lost from here: the member decides on the one before.
		boolean[] losing = { true };
		this.cluster.loseRequests((command) -> losing[0] && command instanceof Action.QueryInfo
				&& command.node().equals(this.master.address()));
		this.master.restartEmpty();
		this.cluster.run(1_000);
		CommandOutcome outcome = observer.coordinator.replaceVoters(this.cluster.now());
		assertThat(outcome.status()).as("decided on the INFO of the process before")
			.isEqualTo(CommandOutcome.Status.DONE);
		this.cluster.deliver(observer, outcome.actions());
		this.cluster.run(1_000);
		losing[0] = false;
		this.cluster.run(30_000);
		assertThat(this.master.storedConfiguration()).isNull();
		assertThat(observer.coordinator.configuration()).isEqualTo(held);
		assertThat(replica.offset()).as("the data is still on the replicas").isGreaterThan(50_000);
	}

	/**
	 * The same master restarted without its data, its replicas cut off from it with the
	 * data, while every voter stops gracefully (a deploy): the observers that heard the
	 * goodbyes do not succeed the electorate on that master, where it would make the
	 * nodes holding the data resync to nothing.
	 */
	@Test
	void noElectorateSucceedsOnAMasterThatAnswersWithNoneOfTheGroupsData() {
		List<Member> members = members(VOTERS + 1);
		List<Member> observers = observers(members);
		Configuration held = observers.get(0).coordinator.configuration();
		SimCluster.Node replica = writtenAndCutOffFromTheReplicas();
		this.master.restartEmpty();
		this.cluster.run(2_000);
		voters(members).forEach(this.cluster::stop);
		this.cluster.run(40_000);
		assertThat(observers).allSatisfy((observer) -> assertThat(observer.coordinator.configuration())
			.as("no electorate founded on the empty master")
			.isEqualTo(held));
		assertThat(this.master.storedConfiguration()).isNull();
		assertThat(replica.offset()).as("the data is still on the replicas").isGreaterThan(50_000);
	}

	/**
	 * The master takes writes that its replicas get, and is then cut off from them.
	 * @return the replica 10.0.0.2, which holds the writes
	 */
	private SimCluster.Node writtenAndCutOffFromTheReplicas() {
		this.master.write(50_000);
		this.cluster.run(1_000);
		SimCluster.Node replica = this.cluster.node(NodeAddress.parse("10.0.0.2:6379"));
		this.master.cutOffFrom(replica);
		this.master.cutOffFrom(this.cluster.node(NodeAddress.parse("10.0.0.3:6379")));
		return replica;
	}

	/**
	 * Epochs start at the host's wall clock: a member started while the replacing member
	 * was cut off brings the crashed voters' epochs to its clock, far above anything the
	 * replacing member knows. Their last configuration, made in such an epoch and held by
	 * a live observer alone, must still be older than the replacement; founded a few
	 * epochs above what the replacing member knew, the replacement lost to it (the
	 * observer's hello undid it), or later shared its number (strict seed 29074094).
	 */
	@Test
	void aReplacementIsNewerThanWhatTheCrashedVotersMadeInTheEpochOfAMemberStartedWhileItWasCutOff() {
		List<Member> voters = members(VOTERS, true);
		assertThat(voters).allSatisfy((member) -> {
			assertThat(electorate(member).voters()).hasSize(VOTERS);
			assertThat(electorate(member).committed()).isTrue();
		});
		Member observer = this.cluster.memberOnWallClock(new MemberIdentity("k", "app-k"), CONFIG);
		this.cluster.run(5_000);
		Member replacing = this.cluster.members.get(2);
		String[] nodes = { "10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379" };
		replacing.cutOffFrom(nodes);
		this.cluster.run(15_000);
		Member late = this.cluster.memberOnWallClock(new MemberIdentity("late", "app-late"), CONFIG);
		long lateStart = late.coordinator.snapshot(this.cluster.now()).currentEpoch();
		// The voters replace the silent one with the observer, in epochs above the late
		// member's clock; their stores are lost (the nodes died, or restarted from older
		// files, in the seed): those configurations live in the members' memory alone.
		boolean[] losing = { true };
		this.cluster.loseRequests((command) -> losing[0] && command instanceof Action.StoreConfiguration store
				&& store.config().epoch() >= lateStart);
		Member first = this.cluster.members.get(0);
		Member second = this.cluster.members.get(1);
		assertThat(this.cluster.runUntil(90_000, (cluster) -> {
			Configuration held = late.coordinator.configuration();
			return held != null && held.voters().equals(List.of("k", "m0", "m1"))
					&& held.equals(first.coordinator.configuration());
		})).isTrue();
		Configuration crashedVotersLast = late.coordinator.configuration();
		assertThat(crashedVotersLast.epoch()).isGreaterThan(lateStart);
		this.cluster.crash(observer);
		this.cluster.crash(first);
		this.cluster.crash(second);
		losing[0] = false;
		replacing.reconnectTo(nodes);
		this.cluster.run(2_000);
		Configuration known = replacing.coordinator.configuration();
		assertThat(crashedVotersLast.newerThan(known)).as("the replacing member never heard of it").isTrue();
		CommandOutcome replaced = replacing.coordinator.replaceVoters(this.cluster.now());
		assertThat(replaced.status()).isEqualTo(CommandOutcome.Status.DONE);
		this.cluster.deliver(replacing, replaced.actions());
		this.cluster.run(30_000);
		Configuration replacement = replacing.coordinator.configuration();
		assertThat(replacement.voters()).as("the replacement stands").doesNotContain("k", "m0", "m1");
		assertThat(replacement.voters()).as("the live members are added as voters").containsExactly("late", "m2");
		assertThat(replacement.newerThan(crashedVotersLast)).isTrue();
		assertThat(late.coordinator.configuration()).as("the observer follows the replacement").isEqualTo(replacement);
	}

	/**
	 * Strict seed 793128: of the voters m1.1 and m3.1, m1.1 led a change of voters, made
	 * version 0 of its epoch, could not store it (the master was loading) and, cut off
	 * from m3.1, stopped, recording that it departed holding that configuration. Nobody
	 * else ever held it: m1.1 departed after the configuration m3.1 holds, so it still
	 * counts there, as a crashed voter (its departure does not show that it never helped
	 * commit a later one), and m3.1, half of two, could neither change the voters nor
	 * repair a stray empty master. Only the operator's replace-voters ends it, and the
	 * endpoint listed m1.1 as departed: the simulation's operator saw a majority left and
	 * did nothing. A voter is listed departed only when its departure counts for the
	 * configuration held.
	 */
	@Test
	void aVoterThatStoppedHoldingAConfigurationNobodyElseHoldsStillCountsUntilTheOperatorReplacesIt() {
		Member leader = this.cluster.member("m0", CONFIG);
		Member survivor = this.cluster.member("m1", CONFIG);
		assertThat(this.cluster.runUntil(60_000,
				(cluster) -> electorate(leader) != null && electorate(survivor) != null
						&& electorate(leader).voters().size() == 2 && electorate(survivor).voters().size() == 2
						&& electorate(leader).committed() && electorate(survivor).committed()))
			.isTrue();
		Configuration before = survivor.coordinator.configuration();
		String leaderId = leader.id();
		String[] nodes = { "10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379" };
		// A third member joins: the leader stands to add it and makes version 0 of its
		// epoch; its store is lost, and the survivor is cut off before it hears of it.
		Predicate<Action.NodeCommand> newEpoch = (command) -> command instanceof Action.StoreConfiguration store
				&& store.config().epoch() > before.epoch() && store.config().voters().equals(before.voters());
		boolean[] cut = { false };
		this.cluster.loseRequests((command) -> {
			if (!newEpoch.test(command)) {
				return false;
			}
			if (!cut[0]) {
				cut[0] = true;
				survivor.cutOffFrom(nodes);
			}
			return true;
		});
		Member joining = this.cluster.member("m2", CONFIG);
		assertThat(this.cluster.runUntil(30_000, (cluster) -> cut[0])).isTrue();
		joining.cutOffFrom(nodes);
		this.cluster.run(200);
		Configuration held = leader.coordinator.configuration();
		assertThat(held.epoch()).isGreaterThan(before.epoch());
		this.cluster.stop(leader);
		this.cluster.crash(joining);
		this.cluster.run(1000);
		survivor.reconnectTo(nodes);
		this.cluster.node(NodeAddress.parse("10.0.0.3:6379")).restartEmpty();
		this.cluster.run(15_000);
		// The survivor knows of the departure, made holding a later configuration than
		// its own: the leader still counts, and the survivor is half of two.
		assertThat(survivor.coordinator.configuration()).isEqualTo(before);
		GroupSnapshot snapshot = survivor.coordinator.snapshot(this.cluster.now());
		assertThat(snapshot.electorate().voters()).contains(leaderId);
		assertThat(snapshot.electorate().departed()).as("a departure that does not count is not listed").isEmpty();
		assertThat(snapshot.quorumCheck().electionReachable()).isFalse();
		assertThat(survivor.events(ProtocolEvent.Type.CONVERT_TO_REPLICA)).isEmpty();
		// The operator, seeing a voter that counts and is dead, replaces it.
		CommandOutcome replaced = survivor.coordinator.replaceVoters(this.cluster.now());
		assertThat(replaced.status()).isEqualTo(CommandOutcome.Status.DONE);
		this.cluster.deliver(survivor, replaced.actions());
		assertThat(this.cluster.runUntil(20_000,
				(cluster) -> cluster.node(NodeAddress.parse("10.0.0.3:6379")).following() != null))
			.isTrue();
		assertThat(survivor.coordinator.configuration().epoch())
			.as("clear of the epoch of the configuration the crashed leader made, which nobody alive heard of")
			.isGreaterThanOrEqualTo(held.epoch() + OperatorCommands.REPLACEMENT_EPOCH_GAP - 1);
	}

}
