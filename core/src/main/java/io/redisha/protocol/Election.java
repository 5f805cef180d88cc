package io.redisha.protocol;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GossipMessage.Purpose;

/**
 * This member's candidacy in one epoch: the votes it received and the voters known to
 * have given their vote of this epoch to someone else (other candidates vote for
 * themselves). Only the voters of the configuration the candidate holds count, and a
 * voter grants its vote only holding that same configuration. It is won with a strict
 * majority of those voters (less the ones known to have departed before this epoch, see
 * {@link Configuration#liveVoters(Map, long)}) and, for an automatic failover, at least
 * {@code quorum} votes. A vote for an automatic failover stands only until its voter
 * says, in a later hello, that it sees the master answer again: it was granted because
 * the voter saw the master down, and a master that answers again keeps its latest writes.
 * A leader promotes a replica only while a majority of such votes is fresh: each voter
 * said (in its vote or a hello since) within {@link Timers#downWordValidity()} that it
 * sees the master down. A leader cut off from its voters hears neither their word that
 * the master answers again nor any fresh word that it is down.
 */
final class Election {

	private final String candidate;

	private final long epoch;

	private final Configuration config;

	private final long startedAt;

	private final GroupSnapshot.Trigger trigger;

	private final Purpose purpose;

	/** For a switchover: the replica asked for, or null to choose the best one. */
	private final @Nullable NodeAddress target;

	/** For a change of voters: {@code +id} or {@code -id}; else null. */
	private final @Nullable String change;

	/** Each vote for this candidate, with the sequence number of its latest message. */
	private final Map<String, Long> votes = new HashMap<>();

	/**
	 * For a failover: the sequence number of each voter's latest hello saying it sees the
	 * master answer. A vote sent before it no longer stands.
	 */
	private final Map<String, Long> answered = new HashMap<>();

	/**
	 * For a failover: when each voter last said it sees the master down (its vote, or a
	 * hello since), by this member's clock.
	 */
	private final Map<String, Long> saidDownAt = new HashMap<>();

	private final Set<String> against = new HashSet<>();

	Election(String self, long epoch, Configuration config, long startedAt, GroupSnapshot.Trigger trigger,
			@Nullable NodeAddress target, @Nullable String change) {
		this.candidate = self;
		this.trigger = trigger;
		this.target = target;
		this.change = change;
		this.purpose = (change != null) ? Purpose.VOTERS
				: (trigger == GroupSnapshot.Trigger.AUTOMATIC) ? Purpose.FAILOVER : Purpose.OPERATOR;
		this.epoch = epoch;
		this.config = config;
		this.startedAt = startedAt;
		vote(self, true, Long.MAX_VALUE);
	}

	long epoch() {
		return this.epoch;
	}

	/** The configuration this election replaces. */
	Configuration config() {
		return this.config;
	}

	/** The master the configuration names: the one a failover replaces. */
	NodeAddress failingMaster() {
		return this.config.master();
	}

	long startedAt() {
		return this.startedAt;
	}

	GroupSnapshot.Trigger trigger() {
		return this.trigger;
	}

	Purpose purpose() {
		return this.purpose;
	}

	@Nullable NodeAddress target() {
		return this.target;
	}

	@Nullable String change() {
		return this.change;
	}

	/**
	 * Asked for by an operator: a majority of voters suffices, nobody has to see the
	 * master down.
	 */
	boolean forced() {
		return this.purpose == Purpose.OPERATOR;
	}

	/**
	 * Records a vote of this epoch about this configuration, for this candidate or
	 * another, sent as the voter's message {@code sequence}: a vote repeated later stands
	 * again. Non-voters do not count. A vote carries no send time: its word that the
	 * master is down counts as of this election's start, the earliest it can have been
	 * given (a vote held in a frozen node's buffer is no fresher).
	 */
	void vote(String voter, boolean forMe, long sequence) {
		if (!this.config.isVoter(voter) || this.against.contains(voter)) {
			return;
		}
		if (forMe) {
			this.votes.merge(voter, sequence, Math::max);
			masterSeenDown(voter, this.startedAt);
		}
		else if (!this.votes.containsKey(voter)) {
			this.against.add(voter);
		}
	}

	/**
	 * The voter said, in its message {@code sequence}, that it sees the master answer.
	 */
	void masterAnswers(String voter, long sequence) {
		if (this.purpose == Purpose.FAILOVER) {
			this.answered.merge(voter, sequence, Math::max);
		}
	}

	/**
	 * The voter said, in a message sent at {@code at} on this member's clock, that it
	 * sees the master down.
	 */
	void masterSeenDown(String voter, long at) {
		if (this.purpose == Purpose.FAILOVER) {
			this.saidDownAt.merge(voter, at, Math::max);
		}
	}

	/** The votes that stand: not withdrawn by a later word that the master answers. */
	int votes() {
		return votesSaidDownSince(Long.MIN_VALUE);
	}

	/**
	 * The votes that stand and whose voters said within {@code validity} of {@code now}
	 * that they see the master down; the candidate's own counts as fresh (the leader
	 * checks its own view itself). Every vote but for an automatic failover.
	 */
	int freshVotes(long now, long validity) {
		return (this.purpose == Purpose.FAILOVER) ? votesSaidDownSince(now - validity) : votes();
	}

	private int votesSaidDownSince(long since) {
		int count = 0;
		for (Map.Entry<String, Long> vote : this.votes.entrySet()) {
			String voter = vote.getKey();
			if (vote.getValue() > this.answered.getOrDefault(voter, -1L)
					&& (voter.equals(this.candidate) || this.saidDownAt.getOrDefault(voter, Long.MIN_VALUE) >= since)) {
				count++;
			}
		}
		return count;
	}

	/**
	 * The votes needed: the quorum applies to automatic failovers only; the majority to
	 * every election.
	 */
	int needed(int quorum, Map<String, Configuration.Departure> departed) {
		int majority = this.config.majority(departed, this.epoch);
		return (this.purpose == Purpose.FAILOVER) ? Math.max(quorum, majority) : majority;
	}

	boolean won(int quorum, Map<String, Configuration.Departure> departed) {
		return votes() >= needed(quorum, departed);
	}

	/** Even every live voter's vote not yet given elsewhere would not be enough. */
	boolean lost(int quorum, Map<String, Configuration.Departure> departed) {
		return this.config.liveVoters(departed, this.epoch).size() - this.against.size() < needed(quorum, departed);
	}

}
