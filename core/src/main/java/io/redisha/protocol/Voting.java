package io.redisha.protocol;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GossipMessage.VoteRequest;
import io.redisha.protocol.ProtocolEvent.Type;

/**
 * This member's one vote per epoch for other candidates: to whom, and whether the
 * election it last voted in is over.
 */
final class Voting {

	private final CoordinatorParts parts;

	private final Timers timers;

	/**
	 * How many votes whose outcome is unknown are remembered; with that many open, the
	 * member casts no more.
	 */
	private static final int MAX_OPEN_VOTES = 1024;

	/**
	 * This member's latest vote for another member, until that election is known to be
	 * over.
	 */
	private @Nullable CastVote lastVote;

	/**
	 * This member's votes whose outcome it does not know yet: voting again once a
	 * failover timeout has passed must not forget one.
	 */
	private final OpenVotes<CastVote> openVotes = new OpenVotes<>(MAX_OPEN_VOTES);

	/**
	 * The latest vote request refused only because this member did not see the master
	 * down yet.
	 */
	private @Nullable VoteRequest deferredRequest;

	Voting(CoordinatorParts parts) {
		this.parts = parts;
		this.timers = parts.timers;
	}

	/** This member sees the master down now: a request deferred for that is answered. */
	void masterSeenDown(long now, List<Action> out) {
		if (this.deferredRequest != null) {
			onVoteRequest(now, this.deferredRequest, out);
		}
	}

	/**
	 * Grants this member's one vote of an epoch to the first candidate asking for it,
	 * when both are voters holding the very same configuration, this member is past its
	 * quiet period, not in TILT, not acting itself, the group is calm (see
	 * {@link #lastVoteSettled}) and the purpose holds from this member's own view: for an
	 * automatic failover it sees the master down itself (a member cut off from a healthy
	 * master cannot collect votes), for a change of voters the change is one it would
	 * make.
	 */
	void onVoteRequest(long now, VoteRequest request, List<Action> out) {
		CoordinatorParts parts = this.parts;
		long epoch = request.epoch();
		boolean latest = epoch >= parts.epochs.current();
		parts.epochs.observe(now, epoch, out);
		parts.elections.counted(epoch, request.sender(), false, request.sequence());
		if (parts.voteBook.votedFor(epoch, request.sender())) {
			if (request.purpose() != GossipMessage.Purpose.FAILOVER || parts.detection.masterDown()) {
				parts.gossip.vote(request, out);
			}
			return;
		}
		Configuration held = parts.electorate.config();
		boolean mayVote = latest && !parts.quiet(now) && !parts.tilt.tilted(now) && !parts.failovers.running()
				&& !parts.upkeep.changing() && parts.electorate.selfVotes() && held != null
				&& held.isVoter(request.sender()) && held.is(request.configEpoch(), request.configVersion())
				&& request.failingMaster().equals(parts.master.address()) && !parts.elections.peerLeadsFailover(now)
				&& lastVoteSettled(now, request.sender()) && purposeAllows(now, request)
				&& this.openVotes.hasRoom(this::over);
		boolean seesReason = request.purpose() != GossipMessage.Purpose.FAILOVER || parts.detection.masterDown();
		this.deferredRequest = (mayVote && !seesReason) ? request : null;
		if (mayVote && seesReason && parts.voteBook.grant(epoch, request.sender())) {
			if (request.purpose() != GossipMessage.Purpose.VOTERS) {
				parts.events.emit(out, Type.VOTE_FOR_LEADER, epoch, parts.master.address(), request.sender());
			}
			parts.gossip.vote(request, out);
			this.lastVote = new CastVote(epoch, request.sender(), request.sequence(), now,
					(request.purpose() == GossipMessage.Purpose.VOTERS) ? held : null);
			this.openVotes.add(this.lastVote);
			parts.elections.holdOff(Math.max(parts.elections.holdOffUntil(),
					now + this.timers.electionTimeout() + parts.random.nextLong(this.timers.helloEvery())));
			if (parts.elections.running()) {
				parts.elections.abort(now, "voted for " + request.sender() + " in a later epoch", out);
			}
		}
	}

	/**
	 * What each purpose needs besides the common rules: an automatic failover, that
	 * automatic failover is not paused; an operator's request, that this member is no
	 * candidate itself; a change of voters, that nobody is a candidate, the master is not
	 * objectively down (a failover goes first) and the change is one this member would
	 * make (a voter it has not heard from for the member expiry, or that stopped for
	 * good, is removed; a live member holding the same configuration is added).
	 */
	private boolean purposeAllows(long now, VoteRequest request) {
		return switch (request.purpose()) {
			case FAILOVER -> !this.parts.maintenance.paused();
			case OPERATOR -> !this.parts.elections.running();
			case VOTERS -> !this.parts.elections.running() && !this.parts.detection.objectivelyDown()
					&& this.parts.upkeep.acceptable(now, Objects.requireNonNull(request.change()));
		};
	}

	/**
	 * Whether the election this member last voted in is over as far as it can tell: the
	 * configuration of that epoch (or a later one) arrived, the candidate said in a later
	 * hello that it is neither candidate nor leader in that epoch any more, it stopped,
	 * it is the one asking again, or a whole failover timeout passed (a leader elected
	 * with this vote gives up by then whatever failover it did not finish). Voting for
	 * another candidate before that could let two leaders of two epochs promote two
	 * replicas of the same failed master.
	 */
	boolean lastVoteSettled(long now, @Nullable String asking) {
		CastVote vote = this.lastVote;
		if (vote == null || this.parts.configEpoch() >= vote.epoch() || vote.candidate().equals(asking)
				|| this.parts.electorate.hasDeparted(vote.candidate())
				|| now - vote.at() >= this.timers.failoverTimeout()) {
			return true;
		}
		Peer candidate = this.parts.members.get(vote.candidate());
		return candidate != null && candidate.doneWith(vote.epoch(), vote.requestSequence());
	}

	/**
	 * The epoch of the latest of this member's votes whose outcome it does not know yet
	 * and whose election may make a configuration naming another master than the one it
	 * holds; 0 when none: a vote for a change of master (automatic or forced failover,
	 * switchover), or for a change of voters made from another configuration than the one
	 * it holds now (it adopted an older one since, from elsewhere; the change's, of a
	 * later epoch, would supersede it). A vote is known to be over once the configuration
	 * of its epoch (or a later one) arrived, or its candidate said in a later hello that
	 * it is neither candidate nor leader in it and left no promoted node standing (see
	 * {@link Peer#settledFailover}). Unlike {@link #lastVoteSettled}, no timeout closes
	 * it, and a later vote does not replace it: a leader may have promoted a replica this
	 * member cannot see, and the master it follows may be deposed for good.
	 */
	long openVote() {
		Configuration held = this.parts.electorate.config();
		CastVote latest = this.openVotes.latest(this::over,
				(vote) -> vote.changedFrom() == null || !vote.changedFrom().equals(held));
		return (latest != null) ? latest.epoch() : 0;
	}

	/** Whether the vote's election is known to be over (see {@link #openVote}). */
	private boolean over(CastVote vote) {
		if (this.parts.configEpoch() >= vote.epoch()) {
			return true;
		}
		Peer candidate = this.parts.members.get(vote.candidate());
		return candidate != null && candidate.settledFailover(vote.epoch(), vote.requestSequence());
	}

	/**
	 * A vote this member gave another member, and the sequence number of the request it
	 * answered; for a change of voters, the configuration it changes.
	 */
	private record CastVote(long epoch, String candidate, long requestSequence, long at,
			@Nullable Configuration changedFrom) {
	}

}
