package io.redisha.protocol;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.ReplicationInfo.Role;

/**
 * A switchover's hand-over, from the elected leader's choice of the target to the moment
 * the target may be promoted: pause the master's writes, wait until the target has the
 * paused offset, demote the master (it replicates itself and reports its final offset),
 * wait until the target has that final offset. Then no acknowledged write is lost by the
 * promotion and two masters never take writes, whatever the timing. Within the catch-up
 * timeout or not at all: otherwise the master keeps serving, or is made master again
 * after its demotion, with every write it acknowledged.
 * <p>
 * Each input returns what the failover does next; the actions to send go to {@code out}.
 */
final class SwitchoverHandOver {

	/** What the failover does after a step of the hand-over. */
	enum Next {

		/** Nothing yet: the hand-over waits for a reply or a tick. */
		WAIT,

		/** The target has every write the old master acknowledged: promote it. */
		PROMOTE_TARGET,

		/**
		 * The switchover gave up ({@link #abortReason()}); the old master serves, or is
		 * failed over.
		 */
		ABORTED

	}

	private enum Stage {

		PAUSING, CATCHING_UP, DEMOTING, CHECKING_DEMOTION, HANDING_OVER, RESTORING, ENDED

	}

	private final NodeAddress oldMaster;

	private final NodeAddress target;

	private final long epoch;

	/**
	 * How long the target may take to catch up with the paused master, and again with the
	 * final offset.
	 */
	private final long timeout;

	private final MinReplicas minReplicas;

	private final FailoverSteps steps;

	private Stage stage = Stage.PAUSING;

	/** When the master was asked to pause writes. */
	private long pauseSentAt = -1;

	/** The master's replication offset once its writes were paused; -1 before. */
	private long pausedOffset = -1;

	/**
	 * The demoted master's final offset and history, from the INFO of its demotion; -1
	 * and null before.
	 */
	private long finalOffset = -1;

	private @Nullable String finalReplicationId;

	/**
	 * When the demotion was confirmed: from then on the target has the timeout to reach
	 * the final offset.
	 */
	private long demotedAt = -1;

	/**
	 * The run id of the target's INFO that showed the final offset: the promotion is for
	 * that process only; null before.
	 */
	private @Nullable String targetRunId;

	/** The failure detector's down-after, as of {@link #start}. */
	private long downAfter;

	/** Whether the INFO that tells whether an unanswered demotion landed is in flight. */
	private boolean demotionQueried;

	private @Nullable String abortReason;

	SwitchoverHandOver(NodeAddress oldMaster, NodeAddress target, long epoch, long timeout, MinReplicas minReplicas,
			FailoverSteps steps) {
		this.oldMaster = oldMaster;
		this.target = target;
		this.epoch = epoch;
		this.timeout = timeout;
		this.minReplicas = minReplicas;
		this.steps = steps;
	}

	/**
	 * Pauses the master's writes for longer than the catch-up may take, so that as a rule
	 * no write slips in before the demotion; one that does is not lost either (see
	 * {@link #handOver}).
	 */
	void start(long now, long downAfter, List<Action> out) {
		this.pauseSentAt = now;
		this.downAfter = downAfter;
		out.add(new Action.PauseWrites(this.oldMaster, this.timeout + downAfter, this.epoch));
		this.steps.add("pause-writes-sent", now);
	}

	/** Whether the hand-over still runs: the target may not be promoted yet. */
	boolean running() {
		return this.stage != Stage.ENDED;
	}

	/** The demoted master's final offset; -1 before its demotion. */
	long finalOffset() {
		return this.finalOffset;
	}

	@Nullable String abortReason() {
		return this.abortReason;
	}

	/**
	 * The run id of the target's process that has the final offset, the only one to
	 * promote: restarted since (from an older RDB file, in the same history with less of
	 * it), it refuses the promotion. Null before {@link Next#PROMOTE_TARGET}.
	 */
	@Nullable String targetRunId() {
		return this.targetRunId;
	}

	/** A reply; those that are not the hand-over's change nothing. */
	Next onReply(long now, Action.NodeCommand command, Reply reply, NodeTracker nodes, List<Action> out) {
		if (command instanceof Action.PauseWrites pause && pause.epoch() == this.epoch && this.stage == Stage.PAUSING) {
			return onPaused(now, reply, nodes, out);
		}
		if (command instanceof Action.QueryInfo && command.node().equals(this.target)
				&& this.stage == Stage.CATCHING_UP) {
			return catchUp(now, nodes.get(this.target), out);
		}
		if (command instanceof Action.Replicate demote && demote.epoch() == this.epoch
				&& demote.node().equals(this.oldMaster) && this.stage == Stage.DEMOTING) {
			if (reply instanceof Reply.Info info) {
				return onDemotion(now, info.info(), nodes, out);
			}
			// A timeout or a broken connection says nothing of whether the block ran: ask
			// the node.
			this.steps.add("demotion-unanswered (" + FailoverProcess.describe(reply) + ")", now);
			this.stage = Stage.CHECKING_DEMOTION;
			checkDemotion(now, nodes.get(this.oldMaster), out);
			return Next.WAIT;
		}
		if (command instanceof Action.QueryInfo && command.node().equals(this.oldMaster)
				&& this.stage == Stage.CHECKING_DEMOTION) {
			if (!this.demotionQueried) {
				// An INFO asked before ours answered: ours goes out now.
				checkDemotion(now, nodes.get(this.oldMaster), out);
			}
			else if (reply instanceof Reply.Info info) {
				return onDemotion(now, info.info(), nodes, out);
			}
			else {
				this.demotionQueried = false;
			}
			return Next.WAIT;
		}
		if (command instanceof Action.QueryInfo && command.node().equals(this.target)
				&& this.stage == Stage.HANDING_OVER) {
			return handOver(now, nodes.get(this.target), out);
		}
		if (command instanceof Action.Promote restore && restore.epoch() == this.epoch
				&& restore.node().equals(this.oldMaster) && this.stage == Stage.RESTORING) {
			return onRestored(now, reply);
		}
		return Next.WAIT;
	}

	/**
	 * Time passes: the catch-up's and the final offset's INFO, and the failover timeout
	 * for an unanswered pause, demotion or restore.
	 * @param timedOut whether the failover ran past its timeout
	 */
	Next advance(long now, NodeTracker nodes, boolean timedOut, List<Action> out) {
		return switch (this.stage) {
			case CATCHING_UP -> catchUp(now, nodes.get(this.target), out);
			case HANDING_OVER -> handOver(now, nodes.get(this.target), out);
			case PAUSING -> timedOut ? abortSwitchover(
					"no answer from " + this.oldMaster + " to the pause within the failover timeout", out) : Next.WAIT;
			case DEMOTING, CHECKING_DEMOTION -> {
				if (timedOut) {
					// If it did step down, it reports itself a replica: the other members
					// fail it over.
					yield abortSwitchover("no answer from " + this.oldMaster + " within the failover timeout: "
							+ "whether it stepped down is unknown", out);
				}
				if (this.stage == Stage.CHECKING_DEMOTION) {
					checkDemotion(now, nodes.get(this.oldMaster), out);
				}
				yield Next.WAIT;
			}
			case RESTORING ->
				timedOut ? abort("no answer to making " + this.oldMaster + " master again within the failover timeout")
						: Next.WAIT;
			case ENDED -> Next.WAIT;
		};
	}

	/**
	 * In TILT nothing is reconfigured. Before the demotion the master takes writes again
	 * at once; after it the group may have no master: the other members' automatic
	 * failover promotes the replica with the largest offset (on Redis 7 the target, which
	 * the demoted master keeps streaming to).
	 */
	Next abortTilted(long now, List<Action> out) {
		String demotion = switch (this.stage) {
			case DEMOTING, CHECKING_DEMOTION -> " (" + this.oldMaster + " may already have stepped down)";
			case HANDING_OVER, RESTORING -> " (" + this.oldMaster + " stepped down at offset " + this.finalOffset + ")";
			default -> "";
		};
		return abortSwitchover("entered TILT during the switchover" + demotion, out);
	}

	/**
	 * The master's INFO right after the pause holds its final offset; the target must
	 * reach it.
	 */
	private Next onPaused(long now, Reply reply, NodeTracker nodes, List<Action> out) {
		if (!(reply instanceof Reply.Info info)) {
			return abortSwitchover(
					"the master refused to pause writes (CLIENT PAUSE WRITE): " + FailoverProcess.describe(reply), out);
		}
		if (info.info().role() != Role.MASTER) {
			return abortSwitchover(this.oldMaster + " is no longer a master", out);
		}
		this.pausedOffset = info.info().offset();
		this.steps.add("writes-paused @" + this.pausedOffset, now);
		this.stage = Stage.CATCHING_UP;
		return catchUp(now, nodes.get(this.target), out);
	}

	/**
	 * Demotes the master once the target replicates it with the paused offset; otherwise
	 * asks the target's INFO again as soon as it answers, until the catch-up timeout.
	 */
	private Next catchUp(long now, @Nullable NodeState target, List<Action> out) {
		ReplicationInfo info = (target != null) ? target.info() : null;
		boolean caughtUp = info != null && target != null && target.infoAt() >= this.pauseSentAt
				&& info.role() == Role.REPLICA && this.oldMaster.equals(info.master()) && info.masterLinkUp()
				&& info.offset() >= this.pausedOffset;
		if (caughtUp) {
			this.steps.add("caught-up " + this.target + " @" + Objects.requireNonNull(info).offset(), now);
			this.stage = Stage.DEMOTING;
			// Not REPLICAOF the target: were the target behind (a write slipped in after
			// the pause expired), the old master would resync from it and drop those
			// writes, and so would the target from the old master (measured on Redis 6.2
			// and 7.0). Replicating itself, it resyncs nobody and keeps them.
			out.add(Action.Replicate.itself(this.oldMaster, this.epoch, this.minReplicas));
			this.steps.add("demote-sent " + this.oldMaster, now);
		}
		else if (now - this.pauseSentAt > this.timeout) {
			return abortSwitchover(
					this.target + " did not catch up within " + this.timeout + " ms: the old master keeps serving",
					out);
		}
		else if (target != null && target.infoDue(now, 1)) {
			// At most once a millisecond: the target usually has the offset at the first
			// or second answer.
			target.infoSent(now);
			out.add(new Action.QueryInfo(this.target));
		}
		return Next.WAIT;
	}

	/**
	 * Sends the INFO that tells whether an unanswered demotion landed, unless one is in
	 * flight.
	 */
	private void checkDemotion(long now, @Nullable NodeState node, List<Action> out) {
		if (!this.demotionQueried && node != null && node.infoDue(now, 0)) {
			// On the connection the demotion went out on, behind it: the answer comes
			// after the block ran, if ever it does.
			this.demotionQueried = true;
			node.infoSent(now);
			out.add(new Action.QueryInfo(this.oldMaster));
		}
	}

	/**
	 * What the old master says after its demotion: replicating itself at its final offset
	 * (the target must then reach that offset), or still a master (the demotion never
	 * ran: writes resume, nothing changed).
	 */
	private Next onDemotion(long now, ReplicationInfo info, NodeTracker nodes, List<Action> out) {
		if (info.role() == Role.MASTER) {
			return abortSwitchover(this.oldMaster + " did not step down: it keeps serving", out);
		}
		if (!this.oldMaster.equals(info.master())) {
			return abortSwitchover(
					this.oldMaster + " replicates " + info.master() + ", not itself: someone else " + "reconfigured it",
					out);
		}
		this.finalOffset = info.offset();
		this.finalReplicationId = info.replicationId();
		this.demotedAt = now;
		this.steps.add("demoted " + this.oldMaster + " @" + this.finalOffset, now);
		// Its paused writers were disconnected by the demotion; later ones get READONLY
		// at once.
		out.add(new Action.ResumeWrites(this.oldMaster));
		this.stage = Stage.HANDING_OVER;
		return handOver(now, nodes.get(this.target), out);
	}

	/**
	 * The target may be promoted once it has every write the old master acknowledged: it
	 * replicates the old master, in its history, at its final offset or beyond. The old
	 * master resyncs nobody, so what the target has only grows: its INFO from the
	 * catch-up counts, and Redis 7 keeps streaming the rest to it. Not within the
	 * catch-up timeout (Redis 6.2 drops the replicas of a demoted master; the target may
	 * be down): the old master is made master again, with every write it acknowledged.
	 */
	private Next handOver(long now, @Nullable NodeState target, List<Action> out) {
		ReplicationInfo info = (target != null) ? target.info() : null;
		long offset = (info != null && info.role() == Role.REPLICA && this.oldMaster.equals(info.master())
				&& Objects.requireNonNull(this.finalReplicationId).equals(info.replicationId())) ? info.offset() : -1;
		// INFO read before the demotion may tell the final offset already (writes were
		// paused): the target must still answer, or the old master is restored.
		if (offset >= this.finalOffset
				&& Objects.requireNonNull(target).status(now, this.downAfter) == GroupSnapshot.NodeStatus.UP) {
			this.steps.add("has-final-offset " + this.target + " @" + offset, now);
			String runId = Objects.requireNonNull(info).runId();
			this.targetRunId = runId.isEmpty() ? null : runId;
			this.stage = Stage.ENDED;
			return Next.PROMOTE_TARGET;
		}
		if (now - this.demotedAt > this.timeout) {
			this.stage = Stage.RESTORING;
			out.add(new Action.Promote(this.oldMaster, this.epoch, this.minReplicas));
			this.steps.add(
					"restore-sent " + this.oldMaster + ": " + this.target + " @" + offset + " of " + this.finalOffset,
					now);
		}
		else if (target != null && target.infoDue(now, 1)) {
			target.infoSent(now);
			out.add(new Action.QueryInfo(this.target));
		}
		return Next.WAIT;
	}

	private Next onRestored(long now, Reply reply) {
		String reason = this.target + " did not reach the final offset " + this.finalOffset + " of " + this.oldMaster
				+ " within " + this.timeout + " ms";
		if (reply instanceof Reply.Info info && info.info().role() == Role.MASTER) {
			this.steps.add("restored " + this.oldMaster, now);
			return abort(reason + ": " + this.oldMaster + " is the master again");
		}
		return abort(reason + ", and " + this.oldMaster + " could not be made master again ("
				+ FailoverProcess.describe(reply) + "): the other members fail it over");
	}

	/** Gives up before the target was promoted: the master takes writes again at once. */
	private Next abortSwitchover(String reason, List<Action> out) {
		out.add(new Action.ResumeWrites(this.oldMaster));
		return abort(reason);
	}

	private Next abort(String reason) {
		this.stage = Stage.ENDED;
		this.abortReason = reason;
		return Next.ABORTED;
	}

}
