package io.redisha.protocol;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;

/**
 * The failover this member leads once elected ({@link FailoverProcess}), and what its
 * outcomes mean for the member: a promotion is the new configuration, an end goes into
 * the history.
 */
final class Failovers {

	private final CoordinatorParts parts;

	/** The failover this member leads; null when none. */
	private @Nullable FailoverProcess failover;

	Failovers(CoordinatorParts parts) {
		this.parts = parts;
	}

	boolean running() {
		return this.failover != null;
	}

	/** The epoch of the failover this member leads; 0 when none. */
	long epoch() {
		return (this.failover != null) ? this.failover.epoch() : 0;
	}

	/**
	 * The election whose failover this member leads, while it has not chosen a node yet;
	 * null otherwise.
	 */
	@Nullable Election election() {
		return (this.failover != null && this.failover.choosing()) ? this.failover.election() : null;
	}

	/** The failover this member leads, as it stands; null when none. */
	@Nullable FailoverSnapshot snapshot() {
		return (this.failover != null) ? this.failover.snapshot() : null;
	}

	void start(long now, Election won, long handOverTimeout, List<Action> out) {
		CoordinatorParts parts = this.parts;
		this.failover = new FailoverProcess(parts.events, parts.selector, parts.master, parts.detection::seesMasterDown,
				parts.self.id(), won, won.needed(parts.config.quorum(), parts.electorate.departures()), now,
				parts.timers, parts.config.parallelSyncs(), handOverTimeout, parts.config.minReplicas());
		FailoverProcess.Outcome outcome = this.failover.begin(now, parts.nodes, out);
		parts.gossip.hello(now, out);
		if (outcome == FailoverProcess.Outcome.ENDED) {
			end(now, out);
		}
	}

	void onReply(long now, Action.NodeCommand command, Reply reply, List<Action> out) {
		FailoverProcess failover = this.failover;
		if (failover == null) {
			return;
		}
		FailoverProcess.Outcome outcome = failover.onReply(now, command, reply, this.parts.nodes,
				this.parts.tilt.tilted(now), out);
		if (outcome == FailoverProcess.Outcome.PROMOTED) {
			failover.record(now, Objects.requireNonNull(this.parts.electorate.config())
				.withMaster(failover.epoch(), Objects.requireNonNull(failover.promoted())), out);
		}
		else if (outcome == FailoverProcess.Outcome.RECORDED) {
			recorded(now, failover, out);
		}
	}

	void advance(long now, boolean tilted, List<Action> out) {
		FailoverProcess failover = Objects.requireNonNull(this.failover);
		if (failover.advance(now, this.parts.nodes, tilted, out) == FailoverProcess.Outcome.ENDED) {
			end(now, out);
		}
	}

	/**
	 * The promoted node's data holds the new configuration: it is the master of the
	 * failover's config epoch, and a member starting now learns it from any node of the
	 * new master's data.
	 */
	private void recorded(long now, FailoverProcess failover, List<Action> out) {
		Configuration next = Objects.requireNonNull(failover.recording());
		this.parts.following.adopt(now, next, "this member", false, out);
		this.parts.demotedClients.promoted(now, failover.oldMaster(), next.master(),
				this.parts.timers.failoverTimeout(), out);
	}

	/** A newer configuration of another epoch ends the failover this member leads. */
	void supersede(long now, long epoch, String reason, List<Action> out) {
		if (this.failover != null && this.failover.epoch() != epoch) {
			this.failover.abort(now, reason);
			end(now, out);
		}
	}

	private void end(long now, List<Action> out) {
		FailoverProcess failover = Objects.requireNonNull(this.failover);
		this.parts.history.record(failover.snapshot());
		if (failover.aborted()) {
			long downAfter = this.parts.timers.downAfter();
			this.parts.elections.holdOff(now + downAfter + this.parts.random.nextLong(downAfter));
		}
		this.failover = null;
		this.parts.gossip.hello(now, out);
	}

}
