package io.redisha.protocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.simulation.SimCluster;
import io.redisha.protocol.simulation.SimCluster.Member;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's {@code forget} of a member only drops it from the table of the member
 * asked (docs/operations.md, docs/protocol.md "Restarts, expiry, forget"): it never
 * changes the voters, so a mistaken forget of a live voter cannot shrink the electorate,
 * and a crashed voter still goes only through the change of voters a majority grants once
 * the voters have not heard from it for the member expiry.
 * <p>
 * Not covered here, as the protocol does not keep it yet: with an observer waiting, or
 * asked of a majority of the voters, a forget makes the group add the observer, or remove
 * the voter, at once rather than after the member expiry (docs/operations.md,
 * "Dead-member cleanup").
 */
class ForgetMemberTest {

	private static final String MASTER = "10.0.0.1:6379";

	private static final String R1 = "10.0.0.2:6379";

	private static final String R2 = "10.0.0.3:6379";

	private static final Duration MEMBER_EXPIRY = Duration.ofSeconds(20);

	private SimCluster cluster;

	private SimCluster.Node master;

	private SimCluster.Node replica1;

	private SimCluster.Node replica2;

	/** Three voters wanted, a member expiry of 20 s, down-after 1 s. */
	private static GroupConfig config(int quorum) {
		GroupConfig.Timing d = GroupConfig.Timing.defaults();
		GroupConfig.Timing timing = new GroupConfig.Timing(d.pingPeriod(), d.infoPeriod(), d.helloPeriod(),
				d.opinionValidity(), MEMBER_EXPIRY, d.startupQuietPeriod(), d.tiltThreshold(), d.tiltDuration(),
				d.demoteAfter());
		return new GroupConfig("orders", List.of(NodeAddress.parse(MASTER)), quorum, Duration.ofSeconds(1),
				Duration.ofSeconds(10), 1, timing, GroupConfig.DEFAULT_HISTORY_SIZE, 3);
	}

	/**
	 * A master with two replicas and the voters m0, m1 and m2, run until every one holds
	 * the committed electorate of three, and for longer than the member expiry since they
	 * started: a member that no longer has a voter in its table must not take it for
	 * silent since its own start.
	 */
	private List<Member> members(int quorum) {
		this.cluster = new SimCluster(config(quorum));
		this.master = this.cluster.master(MASTER);
		this.replica1 = this.cluster.replica(R1, this.master);
		this.replica2 = this.cluster.replica(R2, this.master);
		for (int i = 0; i < 3; i++) {
			this.cluster.member("m" + i, config(quorum));
		}
		assertThat(
				this.cluster.runUntil(60_000,
						(cluster) -> cluster.now() > MEMBER_EXPIRY.toMillis() + 5000
								&& cluster.members.stream()
									.allMatch((member) -> electorate(member) != null && electorate(member).committed()
											&& electorate(member).voters().equals(List.of("m0", "m1", "m2")))))
			.isTrue();
		return List.copyOf(this.cluster.members);
	}

	private GroupSnapshot.ElectorateSnapshot electorate(Member member) {
		return member.coordinator.snapshot(this.cluster.now()).electorate();
	}

	private static Map<Member, Configuration> held(List<Member> members) {
		Map<Member, Configuration> held = new HashMap<>();
		members.forEach((member) -> held.put(member, member.coordinator.configuration()));
		return held;
	}

	/** The operator's forget of {@code forgotten} on {@code asked}, carried out. */
	private void forget(Member asked, String forgotten) {
		CommandOutcome outcome = asked.coordinator.forgetMember(this.cluster.now(), forgotten);
		assertThat(outcome.status()).as(outcome.message()).isEqualTo(CommandOutcome.Status.DONE);
		this.cluster.deliver(asked, outcome.actions());
	}

	/**
	 * Every member holds the configuration it held before (epoch, version, voters), with
	 * no voter counted out as departed.
	 */
	private void assertElectorateUnchanged(Map<Member, Configuration> before) {
		before.forEach((member, config) -> {
			assertThat(member.coordinator.configuration()).as("configuration held by %s", member.id())
				.isEqualTo(config);
			GroupSnapshot.ElectorateSnapshot electorate = electorate(member);
			assertThat(electorate.configVersion()).isEqualTo(config.version());
			assertThat(electorate.voters()).isEqualTo(config.voters());
			assertThat(electorate.departed()).isEmpty();
		});
		assertThat(before.keySet()).allSatisfy((member) -> {
			assertThat(member.events(Type.VOTER_REMOVED)).isEmpty();
			assertThat(member.events(Type.VOTER_ADDED)).isEmpty();
		});
	}

	private static void clearRecords(List<Member> members) {
		members.forEach((member) -> {
			member.actions.clear();
			member.events.clear();
		});
	}

	/**
	 * A live voter forgotten by mistake on another voter stays a voter for every member,
	 * counts as ever in their elections, and is back in that member's table with its next
	 * hello.
	 */
	@Test
	void aLiveVoterForgottenOnAnotherVoterStaysAVoter() {
		List<Member> members = members(2);
		Map<Member, Configuration> before = held(members);
		clearRecords(members);
		Member asked = members.get(0);
		forget(asked, "m2");
		assertThat(asked.coordinator.snapshot(this.cluster.now()).members())
			.extracting(GroupSnapshot.MemberSnapshot::id)
			.doesNotContain("m2");
		assertElectorateUnchanged(before);
		this.cluster.runUntil(10_000, (cluster) -> {
			assertElectorateUnchanged(before);
			return false;
		});
		assertThat(asked.events(Type.MEMBER_ADDED)).extracting(ProtocolEvent::detail).containsExactly("member m2");
		for (Member member : members) {
			GroupSnapshot.QuorumCheck check = member.coordinator.snapshot(this.cluster.now()).quorumCheck();
			assertThat(check.voters()).isEqualTo(3);
			assertThat(check.electionNeeded()).isEqualTo(2);
			assertThat(check.reachableMembers()).isEqualTo(3);
		}
	}

	/**
	 * Quorum 1: m0, cut off with a replica from the others and from the master, is told
	 * to forget m1 and m2, alive on the other side. Had the forget taken them out of the
	 * electorate (or counted them as departed), m0 would be a majority of one and fail
	 * the master over on its side; it still needs two votes of three, and only m1 and m2
	 * elect once the master dies.
	 */
	@Test
	void liveVotersForgottenInsideAMinorityStillCountSoTheMinorityNeverElects() {
		List<Member> members = members(1);
		Member lonely = members.get(0);
		Map<Member, Configuration> before = held(members);
		clearRecords(members);
		// {m0, R1} | {m1, m2, master, R2}: R1 passes nothing on between the sides.
		lonely.cutOffFrom(MASTER, R2);
		members.get(1).cutOffFrom(R1);
		members.get(2).cutOffFrom(R1);
		this.replica1.cutOffFrom(this.master);
		this.replica1.cutOffFrom(this.replica2);
		this.cluster.run(3000);
		forget(lonely, "m1");
		forget(lonely, "m2");
		assertThat(lonely.coordinator.snapshot(this.cluster.now()).members())
			.extracting(GroupSnapshot.MemberSnapshot::id)
			.containsExactly("m0");
		this.cluster.run(2000);
		assertElectorateUnchanged(before);
		this.master.kill();
		this.cluster.run(10_000);
		GroupSnapshot lonelyView = lonely.coordinator.snapshot(this.cluster.now());
		assertThat(lonelyView.electorate().voters()).containsExactly("m0", "m1", "m2");
		assertThat(lonelyView.electorate().departed()).isEmpty();
		assertThat(lonelyView.quorumCheck().voters()).isEqualTo(3);
		assertThat(lonelyView.quorumCheck().electionNeeded()).isEqualTo(2);
		assertThat(lonelyView.quorumCheck().electionReachable()).isFalse();
		assertThat(lonely.events(Type.ELECTED_LEADER)).isEmpty();
		assertThat(lonely.actions(Action.Promote.class)).isEmpty();
		assertThat(this.replica1.following()).isEqualTo(this.master.address());
		// The majority side elects with its two votes of three and promotes R2.
		List<Action.Promote> promotions = members.subList(1, 3)
			.stream()
			.flatMap((member) -> member.actions(Action.Promote.class).stream())
			.toList();
		assertThat(promotions).singleElement()
			.satisfies((promote) -> assertThat(promote.node()).isEqualTo(this.replica2.address()));
		assertThat(members.subList(1, 3)).allSatisfy(
				(member) -> assertThat(member.coordinator.configuration().voters()).containsExactly("m0", "m1", "m2"));
	}

	/**
	 * A crashed voter forgotten on another voter: the electorate stays as it was until
	 * the voters have not heard from it for the member expiry; then, and only then, a
	 * change of voters granted by a majority takes it out.
	 */
	@Test
	void aCrashedVoterForgottenOnAnotherVoterIsRemovedOnlyByAMajorityAfterTheMemberExpiry() {
		List<Member> members = members(2);
		Member crashed = members.get(2);
		List<Member> live = members.stream().filter((member) -> member != crashed).toList();
		Map<Member, Configuration> before = held(live);
		clearRecords(live);
		long lastHeard = live.stream().mapToLong((member) -> lastHeard(member, "m2")).min().orElseThrow();
		this.cluster.crash(crashed);
		long crashedAt = this.cluster.now();
		this.cluster.run(1000);
		forget(members.get(0), "m2");
		assertElectorateUnchanged(before);
		// Until the member expiry since the voters last heard m2, it stays a voter.
		this.cluster.runUntil(lastHeard + MEMBER_EXPIRY.toMillis() - this.cluster.now(), (cluster) -> {
			assertElectorateUnchanged(before);
			return false;
		});
		for (Member member : live) {
			GroupSnapshot.QuorumCheck check = member.coordinator.snapshot(this.cluster.now()).quorumCheck();
			assertThat(check.voters()).isEqualTo(3);
			assertThat(check.electionNeeded()).isEqualTo(2);
		}
		// Then the group replaces it, each change by an election.
		List<String> after = List.of("m0", "m1");
		long[] removedAt = { -1 };
		assertThat(this.cluster.runUntil(30_000, (cluster) -> {
			if (removedAt[0] < 0
					&& live.stream().anyMatch((member) -> !member.coordinator.configuration().isVoter("m2"))) {
				removedAt[0] = cluster.now();
			}
			return live.stream()
				.allMatch((member) -> electorate(member).committed() && electorate(member).voters().equals(after));
		})).isTrue();
		assertThat(removedAt[0])
			.as("removed at %d, m2 crashed at %d, last heard at %d", removedAt[0], crashedAt, lastHeard)
			.isGreaterThan(lastHeard + MEMBER_EXPIRY.toMillis());
		assertThat(live.stream().flatMap((member) -> member.events(Type.VOTER_REMOVED).stream()))
			.extracting(ProtocolEvent::detail)
			.containsOnly("member m2");
		// The leader of the change asked for votes to remove m2, and a majority of the
		// three voters (itself and one more) granted them in the epoch of the removal.
		long removalEpoch = live.get(0).coordinator.configuration().epoch();
		assertThat(votesFor(live, "-m2")).containsKey(removalEpoch);
		assertThat(votesFor(live, "-m2").get(removalEpoch)).hasSizeGreaterThanOrEqualTo(2);
	}

	/** When {@code member} last heard from {@code id}, as its table says. */
	private long lastHeard(Member member, String id) {
		long now = this.cluster.now();
		return now - member.coordinator.snapshot(now)
			.members()
			.stream()
			.filter((peer) -> peer.id().equals(id))
			.findFirst()
			.orElseThrow()
			.lastSeenMs();
	}

	/**
	 * Per epoch of a vote request for {@code change}, the voters that voted for its
	 * candidate (the candidate included).
	 */
	private static Map<Long, Set<String>> votesFor(List<Member> members, String change) {
		Map<Long, String> candidates = new HashMap<>();
		List<GossipMessage> sent = members.stream().flatMap((member) -> gossip(member).stream()).toList();
		for (GossipMessage message : sent) {
			if (message instanceof GossipMessage.VoteRequest request && change.equals(request.change())) {
				candidates.put(request.epoch(), request.sender());
			}
		}
		Map<Long, Set<String>> votes = new HashMap<>();
		candidates.forEach((epoch, candidate) -> votes.computeIfAbsent(epoch, (e) -> new TreeSet<>()).add(candidate));
		for (GossipMessage message : sent) {
			if (message instanceof GossipMessage.Vote vote && vote.candidate().equals(candidates.get(vote.epoch()))) {
				votes.get(vote.epoch()).add(vote.sender());
			}
		}
		return votes;
	}

	/** The gossip messages the member published. */
	private static List<GossipMessage> gossip(Member member) {
		List<GossipMessage> sent = new ArrayList<>();
		for (Action action : member.actions) {
			if (action instanceof Action.Publish publish && publish.channel().equals(GroupCoordinator.GOSSIP_CHANNEL)) {
				sent.add(GossipCodec.decode(publish.payload()));
			}
			else if (action instanceof Action.PublishOn publish
					&& publish.channel().equals(GroupCoordinator.GOSSIP_CHANNEL)) {
				sent.add(GossipCodec.decode(publish.payload()));
			}
		}
		return sent;
	}

}
