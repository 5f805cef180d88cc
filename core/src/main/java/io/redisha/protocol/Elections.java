package io.redisha.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.ProtocolEvent.Type;

/**
 * This member standing as candidate: when to stand (in ODOWN after a small delay by rank,
 * for an operator, for a change of voters), asking for votes, counting them, and what a
 * won election starts.
 */
final class Elections {

	private final CoordinatorParts parts;

	private final Timers timers;

	/** The election this member stands in; null when none. */
	private @Nullable Election election;

	private long lastVoteRequestAt = -1;

	/**
	 * When this member may ask for votes (a small random delay after ODOWN); -1 when not
	 * scheduled.
	 */
	private long candidacyAt = -1;

	/**
	 * No candidacy before this: after voting for another member, or after a failed
	 * attempt.
	 */
	private long holdOffUntil = -1;

	/**
	 * How long the master may wait for the target of the switchover being elected for.
	 */
	private long handOverTimeout;

	Elections(CoordinatorParts parts) {
		this.parts = parts;
		this.timers = parts.timers;
	}

	/** The election this member stands in; null when none. */
	@Nullable Election current() {
		return this.election;
	}

	boolean running() {
		return this.election != null;
	}

	/** The epoch of the election this member stands in; 0 when none. */
	long epoch() {
		return (this.election != null) ? this.election.epoch() : 0;
	}

	long holdOffUntil() {
		return this.holdOffUntil;
	}

	/** No candidacy before {@code until}. */
	void holdOff(long until) {
		this.holdOffUntil = until;
	}

	/**
	 * In ODOWN, a voter, with nobody else acting: ask for votes after a small random
	 * delay.
	 */
	void considerCandidacy(long now, boolean tilted, List<Action> out) {
		CoordinatorParts parts = this.parts;
		if (!parts.detection.objectivelyDown() || tilted || parts.quiet(now) || now < this.holdOffUntil
				|| peerLeadsFailover(now) || parts.maintenance.paused() || !parts.electorate.selfVotes()
				|| parts.upkeep.changing() || !parts.voting.lastVoteSettled(now, null) || !mayWin(now)) {
			this.candidacyAt = -1;
			return;
		}
		if (this.candidacyAt < 0) {
			this.candidacyAt = now + candidacyRank(now) * this.timers.candidacyStep();
		}
		if (now < this.candidacyAt) {
			return;
		}
		begin(now, GroupSnapshot.Trigger.AUTOMATIC, null, null, out);
	}

	/**
	 * Stands for an operator's failover or switchover.
	 * @param handOverTimeout for a switchover, how long the master may wait for the
	 * target
	 * @return the epoch stood in
	 */
	long standForOperator(long now, GroupSnapshot.Trigger trigger, @Nullable NodeAddress target, long handOverTimeout,
			List<Action> out) {
		this.handOverTimeout = handOverTimeout;
		return begin(now, trigger, target, null, out);
	}

	/** Stands for a change of voters ({@link VoterChange}). */
	void standForChange(long now, String change, List<Action> out) {
		begin(now, GroupSnapshot.Trigger.AUTOMATIC, null, change, out);
	}

	/**
	 * Stands as candidate in a new epoch, for a failover ({@code change} null) or a
	 * change of voters.
	 */
	private long begin(long now, GroupSnapshot.Trigger trigger, @Nullable NodeAddress target, @Nullable String change,
			List<Action> out) {
		CoordinatorParts parts = this.parts;
		this.candidacyAt = -1;
		long epoch = parts.epochs.next();
		parts.emit(out, Type.NEW_EPOCH, null, null);
		parts.voteBook.grant(epoch, parts.self.id());
		this.election = new Election(parts.self.id(), epoch, Objects.requireNonNull(parts.electorate.config()), now,
				trigger, target, change);
		if (change == null) {
			// A change of voters is told by its outcome (+voter, -voter), not as a
			// failover.
			NodeAddress master = parts.master.address();
			parts.events.emit(out, Type.TRY_FAILOVER, epoch, master,
					(trigger == GroupSnapshot.Trigger.AUTOMATIC) ? null : trigger.name().toLowerCase(Locale.ROOT));
			parts.events.emit(out, Type.VOTE_FOR_LEADER, epoch, master, parts.self.id());
		}
		requestVotes(now, out);
		parts.gossip.hello(now, out);
		decide(now, out);
		return epoch;
	}

	/**
	 * Whether enough voters were heard from recently to win an automatic failover: asking
	 * without them would only burn epochs.
	 */
	private boolean mayWin(long now) {
		return quorumCheck(now).electionReachable();
	}

	/**
	 * Sentinel's CKQUORUM: the voters heard from within the opinion validity, against
	 * quorum and majority.
	 */
	GroupSnapshot.QuorumCheck quorumCheck(long now) {
		Electorate electorate = this.parts.electorate;
		int quorum = this.parts.config.quorum();
		Configuration held = electorate.config();
		if (held == null) {
			return new GroupSnapshot.QuorumCheck(0, 0, quorum, 1);
		}
		int reachable = electorate.selfVotes() ? 1 : 0;
		for (Peer peer : this.parts.members.peers()) {
			if (held.isVoter(peer.id()) && now - peer.lastSeenAt() <= this.timers.opinionValidity()) {
				reachable++;
			}
		}
		// as counted by the election this member would start next
		long epoch = this.parts.epochs.current() + 1;
		int majority = held.majority(electorate.departures(), epoch);
		return new GroupSnapshot.QuorumCheck(reachable, held.liveVoters(electorate.departures(), epoch).size(), quorum,
				Math.max(quorum, majority));
	}

	/**
	 * How many voters heard from recently have a smaller id: the first asks for votes at
	 * once, the others a step later each, by which time they have its request and vote
	 * for it instead of splitting the vote. Every live voter counts, not only those that
	 * already say the master is down: a smaller id that reaches ODOWN a moment later
	 * would otherwise ask at once too.
	 */
	int candidacyRank(long now) {
		int rank = 0;
		for (Peer peer : this.parts.members.peers()) {
			if (this.parts.electorate.isVoter(peer.id()) && now - peer.lastSeenAt() <= this.timers.opinionValidity()
					&& peer.id().compareTo(this.parts.self.id()) < 0) {
				rank++;
			}
		}
		return rank;
	}

	boolean peerLeadsFailover(long now) {
		for (Peer peer : this.parts.members.peers()) {
			if (peer.leadsFailover(now, this.timers.opinionValidity()) > 0) {
				return true;
			}
		}
		return false;
	}

	/**
	 * A vote (or a request, which is no vote for this member) in {@code epoch}, the
	 * voter's message {@code sequence}.
	 */
	void counted(long epoch, String voter, boolean forThisMember, long sequence) {
		for (Election counting : counting()) {
			if (counting.epoch() == epoch) {
				counting.vote(voter, forThisMember, sequence);
			}
		}
	}

	/**
	 * The elections that still count votes and word on the master: the one this member
	 * stands in, and the one whose failover it leads until it chooses (a vote that
	 * arrives after the win may be needed fresh then).
	 */
	private List<Election> counting() {
		List<Election> counting = new ArrayList<>(2);
		if (this.election != null) {
			counting.add(this.election);
		}
		Election leading = this.parts.failovers.election();
		if (leading != null) {
			counting.add(leading);
		}
		return counting;
	}

	/**
	 * A voter's hello, its message {@code sequence}, says whether it sees the master
	 * down, sent at {@code saidDownAt} on this member's clock (-1 when unknown): for the
	 * election this member stands in, and for the one whose failover it leads, until it
	 * chooses (a vote stands only until its voter sees the master answer, and lets the
	 * leader promote only while its word is fresh).
	 */
	void opinion(String voter, @Nullable NodeAddress master, boolean masterDown, long sequence, long saidDownAt) {
		for (Election election : counting()) {
			if (!election.failingMaster().equals(master)) {
				continue;
			}
			if (!masterDown) {
				election.masterAnswers(voter, sequence);
			}
			else if (saidDownAt >= 0) {
				election.masterSeenDown(voter, saidDownAt);
			}
		}
	}

	private void requestVotes(long now, List<Action> out) {
		this.lastVoteRequestAt = now;
		this.parts.gossip.voteRequest(Objects.requireNonNull(this.election), out);
	}

	/**
	 * Won, lost, aborted or still open: a won failover election starts the failover, a
	 * won change of voters the change.
	 */
	void decide(long now, List<Action> out) {
		int quorum = this.parts.config.quorum();
		Map<String, Configuration.Departure> departed = this.parts.electorate.departures();
		Election election = Objects.requireNonNull(this.election);
		GossipMessage.Purpose purpose = election.purpose();
		if (!election.config().equals(this.parts.electorate.config())) {
			abort(now, "the configuration changed", out);
		}
		else if (election.won(quorum, departed)) {
			Election won = election;
			this.election = null;
			if (purpose == GossipMessage.Purpose.VOTERS) {
				this.parts.upkeep.elected(now, won, out);
				return;
			}
			this.parts.events.emit(out, Type.ELECTED_LEADER, won.epoch(), this.parts.master.address(),
					won.votes() + " of " + won.config().liveVoters(departed, won.epoch()).size() + " votes, needed "
							+ won.needed(quorum, departed));
			this.parts.failovers.start(now, won, this.handOverTimeout, out);
		}
		else if (purpose == GossipMessage.Purpose.FAILOVER && !this.parts.detection.masterDown()) {
			abort(now, "the master answers again", out);
		}
		else if (election.lost(quorum, departed)) {
			abort(now, "votes went to other candidates", out);
		}
		else if (now - election.startedAt() >= this.timers.electionTimeout()) {
			abort(now, "not elected within " + this.timers.electionTimeout() + " ms", out);
		}
		else if (now - this.lastVoteRequestAt >= Timers.TICK) {
			requestVotes(now, out);
		}
	}

	void abort(long now, String reason, List<Action> out) {
		Election election = Objects.requireNonNull(this.election);
		if (election.purpose() != GossipMessage.Purpose.VOTERS) {
			this.parts.events.emit(out, Type.FAILOVER_ABORT_NOT_ELECTED, election.epoch(), election.failingMaster(),
					reason);
		}
		if (election.forced()) {
			// The operator asked for it: the history says why nothing happened.
			this.parts.history.record(
					new FailoverSnapshot(election.epoch(), this.parts.self.id(), election.failingMaster(), null,
							election.startedAt(), now, "not elected: " + reason,
							List.of(new FailoverSnapshot.Step("try-failover", 0),
									new FailoverSnapshot.Step("end", now - election.startedAt())),
							election.trigger(), -1));
		}
		this.election = null;
		this.holdOffUntil = now + Timers.TICK + this.parts.random.nextLong(this.timers.helloEvery());
		// The voters wait for word that this election is over before they vote for anyone
		// else.
		this.parts.gossip.hello(now, out);
	}

}
