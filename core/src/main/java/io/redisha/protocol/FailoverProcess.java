package io.redisha.protocol;

import java.util.List;
import java.util.Objects;
import java.util.function.LongPredicate;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.ProtocolEvent.Type;

/**
 * The failover this member leads after winning an election: choose a replica (waiting
 * briefly for fresh INFO when what it has is stale), promote it, confirm with ROLE at
 * once (and every tick until it answers master), store the new configuration in its data
 * (again every tick until stored), then repoint the other replicas, at most
 * {@code parallelSyncs} resyncing at a time. A switchover promotes its target only once
 * its {@link SwitchoverHandOver hand-over} says that the target has every write the old
 * master acknowledged. Each step is recorded with its time for the endpoint.
 */
final class FailoverProcess {

	/** What a step of the process came to, for the coordinator to act on. */
	enum Outcome {

		/** The process goes on. */
		GOING_ON,

		/**
		 * The chosen node answered ROLE master: the coordinator has it {@link #record
		 * record} the new configuration.
		 */
		PROMOTED,

		/**
		 * The promoted node's data holds the new configuration: it is the master of this
		 * failover's config epoch, for the coordinator to adopt.
		 */
		RECORDED,

		/** The process ended, succeeded or aborted. */
		ENDED

	}

	private enum Stage {

		SELECTING, HANDING_OVER, PROMOTING, CONFIRMING, RECORDING, RECONFIGURING, ENDED

	}

	private final Events events;

	private final ReplicaSelector selector;

	/** The master the coordinator follows, whose history a replica must continue. */
	private final MasterView master;

	/** Whether this member still sees the master it follows down. */
	private final LongPredicate masterSeenDown;

	private final String leader;

	private final long epoch;

	private final NodeAddress oldMaster;

	private final long startedAt;

	private final Timers timers;

	private final int parallelSyncs;

	/**
	 * The master-side fence: set on the node promoted, cleared on the nodes made
	 * replicas.
	 */
	private final MinReplicas minReplicas;

	private final Election election;

	/** The votes the election needed: as many must stand, fresh, for a promotion. */
	private final int votesNeeded;

	private final GroupSnapshot.Trigger trigger;

	/** When this member won the election. */
	private final long electedAt;

	/**
	 * For a switchover: how long the target may take to catch up with the paused master,
	 * and again with the demoted master's final offset; 0 otherwise.
	 */
	private final long handOverTimeout;

	private final FailoverSteps steps;

	/**
	 * A switchover's hand-over, from the choice of the target to its promotion; null
	 * otherwise.
	 */
	private @Nullable SwitchoverHandOver handOver;

	/**
	 * The repointing of the other nodes, once the chosen one is promoted; null before.
	 */
	private @Nullable ReplicaRepointing repointing;

	private @Nullable Stage stage;

	private @Nullable NodeAddress chosen;

	/**
	 * The offset the chosen node must hold once promoted: what it had when chosen, and
	 * for a switchover's target the demoted master's final offset. Promoted, it keeps its
	 * data, so a master answering below it is the node restarted without some of it, not
	 * our promotion.
	 */
	private long chosenOffset;

	/**
	 * The chosen node's run id, from its last INFO before the promotion or the
	 * promotion's reply: the configuration counts as recorded only in that incarnation's
	 * data.
	 */
	private @Nullable String chosenRunId;

	private boolean aborted;

	private long endedAt = -1;

	private String result = "in-progress";

	private long lastRoleQueryAt = -1;

	/**
	 * When the promotion went unanswered (a timeout, a lost connection); -1 when it was
	 * answered.
	 */
	private long promoteUnansweredAt = -1;

	/**
	 * The configuration naming the promoted node, to be stored in its data before any
	 * member adopts it; null before the promotion.
	 */
	private @Nullable Configuration recording;

	/**
	 * The store of {@link #recording}, or the INFO that checks it, awaiting its reply;
	 * null when none.
	 */
	private Action.@Nullable NodeCommand recordingAsked;

	/** When the store or its check was last sent; -1 before. */
	private long recordingAskedAt = -1;

	private long writesAtRisk = -1;

	/**
	 * @param handOverTimeout for a switchover, how long the target may take to catch up
	 * with the paused master, and after the demotion with its final offset, before the
	 * switchover gives up and the master keeps serving; ignored otherwise
	 * @param minReplicas the master-side fence the promotion sets and a repointing clears
	 */
	FailoverProcess(Events events, ReplicaSelector selector, MasterView master, LongPredicate masterSeenDown,
			String leader, Election election, int votesNeeded, long now, Timers timers, int parallelSyncs,
			long handOverTimeout, MinReplicas minReplicas) {
		this.events = events;
		this.masterSeenDown = masterSeenDown;
		this.selector = selector;
		this.master = master;
		this.election = election;
		this.votesNeeded = votesNeeded;
		this.trigger = election.trigger();
		this.handOverTimeout = handOverTimeout;
		this.leader = leader;
		this.epoch = election.epoch();
		this.oldMaster = election.failingMaster();
		this.startedAt = election.startedAt();
		this.electedAt = now;
		this.timers = timers;
		this.parallelSyncs = parallelSyncs;
		this.minReplicas = minReplicas;
		this.steps = new FailoverSteps(this.startedAt);
		step("try-failover", this.startedAt);
		step("elected-leader", now);
	}

	long epoch() {
		return this.epoch;
	}

	NodeAddress oldMaster() {
		return this.oldMaster;
	}

	/** The node this failover promoted; null before it was chosen. */
	@Nullable NodeAddress promoted() {
		return this.chosen;
	}

	private Outcome outcome() {
		return (this.stage == Stage.ENDED) ? Outcome.ENDED : Outcome.GOING_ON;
	}

	boolean aborted() {
		return this.aborted;
	}

	Election election() {
		return this.election;
	}

	/** Whether no node is chosen yet. */
	boolean choosing() {
		return this.stage == Stage.SELECTING;
	}

	/**
	 * Asks every node but the old master for its INFO, and (but for a switchover) chooses
	 * once each has answered an INFO asked since the election or, not up, failed one: a
	 * leader's picture may be seconds old (it was cut off, or frozen, until its votes
	 * came in), and a replica whose INFO is stale would be passed over for a node
	 * promoted beside the master with less of its data (simulation seed 641638). It costs
	 * a round trip, and with a node that does not answer up to the command timeout; a
	 * node that answers PING but never INFO ends the failover at the failover timeout.
	 * When none is eligible then, fresh INFO is asked again and the choice is made again
	 * on each answer; the failover ends as having no good replica only when none is
	 * eligible after that. An automatic failover also ends, before a choice, once this
	 * member no longer sees the old master down.
	 */
	Outcome begin(long now, NodeTracker nodes, List<Action> out) {
		this.stage = Stage.SELECTING;
		for (NodeState node : nodes.all()) {
			if (!node.address().equals(this.oldMaster) && node.infoDue(now, 0)) {
				node.infoSent(now);
				out.add(new Action.QueryInfo(node.address()));
			}
		}
		select(now, nodes, out);
		return outcome();
	}

	/**
	 * A node but the old master that has neither answered an INFO asked since the
	 * election nor, not up, failed one (during a failover every node's INFO is asked
	 * every PING period); null when none.
	 */
	private @Nullable NodeAddress awaitingInfo(long now, NodeTracker nodes) {
		for (NodeState node : nodes.all()) {
			boolean given = node.infoAnsweredSince(this.electedAt) || node.infoFailedSince(this.electedAt)
					&& node.status(now, this.timers.downAfter()) != GroupSnapshot.NodeStatus.UP;
			if (!node.address().equals(this.oldMaster) && !given) {
				return node.address();
			}
		}
		return null;
	}

	private void select(long now, NodeTracker nodes, List<Action> out) {
		if (this.trigger == GroupSnapshot.Trigger.AUTOMATIC && this.oldMaster.equals(this.master.address())
				&& !this.masterSeenDown.test(now)) {
			// Nothing was done yet: a replica cut off from the master (or frozen since
			// before it failed) would be promoted over the writes it takes again.
			abort(now, this.oldMaster + " answers again: no replica was chosen");
			return;
		}
		// A switchover's target catches up with the demoted master before it is promoted:
		// no picture of the other nodes decides what it holds.
		NodeAddress awaited = (this.trigger != GroupSnapshot.Trigger.SWITCHOVER) ? awaitingInfo(now, nodes) : null;
		if (awaited != null) {
			if (now - this.electedAt >= this.timers.failoverTimeout()) {
				abort(now, "no INFO from " + awaited + " since the election");
			}
			return;
		}
		ReplicaSelector.Choice choice = this.selector.choose(this.election, nodes, this.master, now).orElse(null);
		if (choice != null && !choice.alreadyPromoted() && !votesStand(now)) {
			return;
		}
		if (choice == null) {
			if (now - this.electedAt >= ReplicaSelector.maxInfoAge(this.timers)) {
				this.events.emit(out, Type.FAILOVER_ABORT_NO_GOOD_REPLICA, this.epoch, this.oldMaster, null);
				abort(now, "no good replica");
			}
			return;
		}
		this.chosen = choice.node().address();
		this.chosenOffset = choice.node().answeredInfo().offset();
		this.chosenRunId = choice.node().answeredInfo().runId();
		long oldMasterOffset = nodes.lastMasterOffset(this.oldMaster);
		if (oldMasterOffset >= 0) {
			this.writesAtRisk = Math.max(0, oldMasterOffset - choice.node().answeredInfo().offset());
		}
		step("selected-replica " + this.chosen, now);
		this.events.emit(out, Type.SELECTED_REPLICA, this.epoch, this.chosen, null);
		if (this.trigger == GroupSnapshot.Trigger.SWITCHOVER) {
			this.stage = Stage.HANDING_OVER;
			this.handOver = new SwitchoverHandOver(this.oldMaster, this.chosen, this.epoch, this.handOverTimeout,
					this.minReplicas, this.steps);
			this.handOver.start(now, this.timers.downAfter(), out);
		}
		else if (choice.alreadyPromoted()) {
			step("already-promoted " + this.chosen, now);
			confirm(now, choice.node(), out);
		}
		else {
			promote(now, choice.refuseStreamingSeconds(), null, out);
		}
	}

	/**
	 * For an automatic failover, whether enough votes stand, fresh, to promote a replica
	 * now: a vote was given on the voter's view that the master is down, and a leader cut
	 * off from its voters since (strict seeds 15158542, 17068158) would otherwise promote
	 * a lagging replica over the master's last writes seconds after they saw it answer
	 * again. Aborts when withdrawn votes leave too few, or at the failover timeout.
	 */
	private boolean votesStand(long now) {
		if (this.trigger != GroupSnapshot.Trigger.AUTOMATIC) {
			return true;
		}
		if (this.election.votes() < this.votesNeeded) {
			abort(now, "voters see " + this.oldMaster + " answer again: no replica was chosen");
			return false;
		}
		if (this.election.freshVotes(now, this.timers.downWordValidity()) < this.votesNeeded) {
			if (now - this.electedAt >= this.timers.failoverTimeout()) {
				abort(now, "no fresh word from " + this.votesNeeded + " voters that " + this.oldMaster
						+ " is down within the failover timeout");
			}
			return false;
		}
		return true;
	}

	/**
	 * @param runId the only process of the chosen node to promote; null for whichever
	 * runs
	 */
	private void promote(long now, long refuseStreamingSeconds, @Nullable String runId, List<Action> out) {
		this.stage = Stage.PROMOTING;
		out.add(new Action.Promote(Objects.requireNonNull(this.chosen), this.epoch, this.minReplicas,
				RoleCommand.REPLICAOF, refuseStreamingSeconds, runId));
		step("promote-sent", now);
	}

	/** Asks ROLE at once, then at most once a tick until the node answers master. */
	private void confirm(long now, @Nullable NodeState node, List<Action> out) {
		this.stage = Stage.CONFIRMING;
		if (Objects.requireNonNull(node).roleQueryable()
				&& (this.lastRoleQueryAt < 0 || now - this.lastRoleQueryAt >= Timers.TICK)) {
			this.lastRoleQueryAt = now;
			node.roleSent(now);
			out.add(new Action.QueryRole(node.address()));
		}
	}

	/**
	 * Handles a reply that belongs to this process; the coordinator has already recorded
	 * roles and INFO. {@link Outcome#PROMOTED} once the chosen node answers master: the
	 * coordinator then adopts the new configuration.
	 */
	Outcome onReply(long now, Action.NodeCommand command, Reply reply, NodeTracker nodes, boolean tilted,
			List<Action> out) {
		if (this.stage == Stage.ENDED) {
			return Outcome.ENDED;
		}
		if (this.stage == Stage.HANDING_OVER) {
			SwitchoverHandOver handOver = Objects.requireNonNull(this.handOver);
			follow(tilted ? handOver.abortTilted(now, out) : handOver.onReply(now, command, reply, nodes, out), now,
					out);
			return outcome();
		}
		String unansweredPromotionEnd = unansweredPromotionEnd(now, command, reply, nodes, tilted);
		if (command instanceof Action.Promote promote && promote.epoch() == this.epoch
				&& this.stage == Stage.PROMOTING) {
			if (reply instanceof Reply.Info info) {
				this.chosenRunId = info.info().runId();
				step("promote-acknowledged", now);
				confirm(now, nodes.get(this.chosen), out);
			}
			else if (reply instanceof Reply.Failed) {
				// No answer is no refusal: the promotion may have run, or may still (a
				// request held up). Ending the failover here would leave a master that no
				// configuration names, which a later leader adopts over the writes the
				// old master takes meanwhile. ROLE tells.
				this.promoteUnansweredAt = now;
				step("promote-unanswered", now);
				confirm(now, nodes.get(this.chosen), out);
			}
			else {
				abort(now, "promotion of " + this.chosen + " failed: " + describe(reply));
			}
		}
		else if (unansweredPromotionEnd != null) {
			abort(now, unansweredPromotionEnd);
		}
		else if (command instanceof Action.QueryRole && command.node().equals(this.chosen)
				&& this.stage == Stage.CONFIRMING && this.trigger == GroupSnapshot.Trigger.SWITCHOVER
				&& !(reply instanceof Reply.Role role && role.role().master())) {
			// The group has no writable master until the target answers: ask again at
			// once, not a tick later.
			if (now > this.lastRoleQueryAt) {
				this.lastRoleQueryAt = -1;
			}
			confirm(now, nodes.get(this.chosen), out);
		}
		else if (command instanceof Action.QueryRole && command.node().equals(this.chosen)
				&& this.stage == Stage.CONFIRMING && reply instanceof Reply.Role role && role.role().master()
				&& role.role().offset() < this.chosenOffset) {
			abort(now, this.chosen + " answers as a master at offset " + role.role().offset() + ", below the "
					+ this.chosenOffset + " it must hold: it restarted without some of its data");
		}
		else if (command instanceof Action.QueryRole && command.node().equals(this.chosen)
				&& this.stage == Stage.CONFIRMING && reply instanceof Reply.Role role && role.role().master()) {
			step("promoted", now);
			if (this.trigger == GroupSnapshot.Trigger.SWITCHOVER) {
				// The target had the demoted master's final offset: nothing acknowledged
				// is lost.
				this.writesAtRisk = 0;
			}
			this.events.emit(out, Type.PROMOTED_REPLICA, this.epoch, this.chosen, null);
			this.stage = Stage.RECORDING;
			return Outcome.PROMOTED;
		}
		else if (this.stage == Stage.RECORDING && command.node().equals(this.chosen)) {
			Outcome outcome = recordingAnswered(now, command, reply, out);
			if (outcome == Outcome.RECORDED) {
				startReconfiguration(now, nodes);
			}
			return outcome;
		}
		else if (this.repointing != null) {
			this.repointing.onReply(now, command, reply);
		}
		return outcome();
	}

	/**
	 * Stores the configuration naming the promoted node in its data. Until that store
	 * succeeds no member adopts the node, so no client writes to it: a configuration held
	 * only in this member's memory would die with it, and members started later would
	 * follow the old master that the data still names, losing those writes.
	 */
	void record(long now, Configuration next, List<Action> out) {
		this.recording = next;
		askRecording(now, store(next), out);
	}

	private Action.StoreConfiguration store(Configuration next) {
		return new Action.StoreConfiguration(next.master(), next, Objects.requireNonNull(this.chosenRunId));
	}

	/** The configuration naming the promoted node; null before the promotion. */
	@Nullable Configuration recording() {
		return this.recording;
	}

	private void askRecording(long now, Action.NodeCommand command, List<Action> out) {
		this.recordingAsked = command;
		this.recordingAskedAt = now;
		out.add(command);
	}

	/**
	 * The store's reply: stored, only in the process promoted (a node restarted empty in
	 * between refuses it, where it would otherwise make the empty data the group's); any
	 * other answer (the hash held this configuration, from a store whose reply was lost,
	 * or a newer one; another run id) is settled by the node's INFO. A failed store is
	 * sent again at the next tick.
	 */
	private Outcome recordingAnswered(long now, Action.NodeCommand command, Reply reply, List<Action> out) {
		Configuration next = Objects.requireNonNull(this.recording);
		if (!command.equals(this.recordingAsked)) {
			return outcome();
		}
		this.recordingAsked = null;
		if (command instanceof Action.StoreConfiguration && reply instanceof Reply.Text text && !text.error()) {
			if ("1".equals(text.text())) {
				return recorded(now);
			}
			askRecording(now, new Action.QueryInfo(next.master()), out);
		}
		else if (command instanceof Action.QueryInfo && reply instanceof Reply.Info info) {
			return recordingChecked(now, next, info);
		}
		return outcome();
	}

	private Outcome recorded(long now) {
		step("configuration-stored", now);
		this.stage = Stage.RECONFIGURING;
		return Outcome.RECORDED;
	}

	private Outcome recordingChecked(long now, Configuration next, Reply.Info info) {
		ReplicationInfo node = info.info();
		Configuration held = info.stored().config();
		if (!node.runId().equals(this.chosenRunId) || node.offset() < this.chosenOffset) {
			abort(now, this.chosen + " restarted (run id " + node.runId() + ", offset " + node.offset()
					+ ") before the new configuration was recorded in its data");
		}
		else if (next.equals(held)) {
			return recorded(now);
		}
		else if (held != null && held.newerThan(next)) {
			abort(now, "a newer configuration (epoch " + held.epoch() + ") is stored on " + next.master());
		}
		return outcome();
	}

	/**
	 * Why the failover ends on this ROLE answer of the chosen node after its promotion
	 * went unanswered: it answers as a replica; or, outside a switchover, this member is
	 * in TILT or the old master answers again. The promotion may then have landed after
	 * the old master came back, with writes since (a member in TILT cannot tell: it was
	 * frozen, or its clock jumped): the node it made a master is left to the stray repair
	 * (while it is one, the voters do not vouch for the old master), not adopted over
	 * them. Null when the failover goes on.
	 */
	private @Nullable String unansweredPromotionEnd(long now, Action.NodeCommand command, Reply reply,
			NodeTracker nodes, boolean tilted) {
		if (this.promoteUnansweredAt < 0 || this.stage != Stage.CONFIRMING || !(command instanceof Action.QueryRole)
				|| !command.node().equals(this.chosen)) {
			return null;
		}
		String unanswered = "the promotion of " + this.chosen + " went unanswered and ";
		if (reply instanceof Reply.Role role && !role.role().master()) {
			return unanswered + "it answers as a replica";
		}
		if (this.trigger == GroupSnapshot.Trigger.SWITCHOVER) {
			return null;
		}
		if (tilted) {
			return unanswered + "this member is in TILT";
		}
		NodeState old = nodes.get(this.oldMaster);
		return (old != null && old.status(now, this.timers.downAfter()) == GroupSnapshot.NodeStatus.UP)
				? unanswered + this.oldMaster + " answers again" : null;
	}

	/** Goes on as the switchover's hand-over says. */
	private void follow(SwitchoverHandOver.Next next, long now, List<Action> out) {
		if (next == SwitchoverHandOver.Next.PROMOTE_TARGET) {
			// Promoted, it must hold the final offset, not only what it had when chosen:
			// a target restarted from an older RDB file in between lacks writes the old
			// master acknowledged.
			this.chosenOffset = Math.max(this.chosenOffset, Objects.requireNonNull(this.handOver).finalOffset());
			// Only the process whose INFO showed the final offset: the target may have
			// restarted since, from an older RDB file, with the same history and less of
			// it (strict seed 30268326). The target streams from the master it caught up
			// with, demoted just before.
			String targetRunId = this.handOver.targetRunId();
			this.chosenRunId = (targetRunId != null) ? targetRunId : "";
			promote(now, -1, targetRunId, out);
		}
		else if (next == SwitchoverHandOver.Next.ABORTED) {
			abort(now, Objects.requireNonNull(Objects.requireNonNull(this.handOver).abortReason()));
		}
	}

	static String describe(Reply reply) {
		if (reply instanceof Reply.Failed failed) {
			return failed.reason();
		}
		return (reply instanceof Reply.Text text) ? text.text() : reply.toString();
	}

	private void startReconfiguration(long now, NodeTracker nodes) {
		this.stage = Stage.RECONFIGURING;
		this.repointing = new ReplicaRepointing(this.events, this.steps, this.epoch,
				Objects.requireNonNull(this.chosen), this.timers, this.parallelSyncs, this.minReplicas);
		this.repointing.list(now, nodes, this.oldMaster, this.trigger != GroupSnapshot.Trigger.AUTOMATIC);
	}

	/**
	 * The choice of a replica, the catch-up of a switchover's target, timeouts, the ROLE
	 * re-query and the next replicas to repoint; in TILT no replica is chosen nor
	 * repointed.
	 */
	Outcome advance(long now, NodeTracker nodes, boolean tilted, List<Action> out) {
		if (this.stage == Stage.ENDED) {
			return Outcome.ENDED;
		}
		boolean timedOut = now - this.startedAt > this.timers.failoverTimeout();
		if (this.stage == Stage.SELECTING) {
			if (tilted) {
				abort(now, "entered TILT while choosing a replica");
			}
			else {
				select(now, nodes, out);
			}
			return outcome();
		}
		if (this.stage == Stage.HANDING_OVER) {
			SwitchoverHandOver handOver = Objects.requireNonNull(this.handOver);
			follow(tilted ? handOver.abortTilted(now, out) : handOver.advance(now, nodes, timedOut, out), now, out);
			return outcome();
		}
		if (this.stage == Stage.CONFIRMING) {
			if (timedOut) {
				abort(now, "no ROLE master from " + this.chosen + " within the failover timeout");
			}
			else if (this.promoteUnansweredAt >= 0 && now - this.promoteUnansweredAt > this.timers.downAfter()) {
				abort(now, "the promotion of " + this.chosen + " went unanswered and " + this.chosen
						+ " has not answered ROLE for down-after since");
			}
			else {
				confirm(now, nodes.get(this.chosen), out);
			}
			return outcome();
		}
		if (this.stage == Stage.PROMOTING) {
			if (timedOut) {
				abort(now, "no answer to the promotion of " + this.chosen + " within the failover timeout");
			}
			return outcome();
		}
		if (this.stage == Stage.RECORDING) {
			Configuration next = Objects.requireNonNull(this.recording);
			if (timedOut) {
				abort(now, "the new configuration could not be stored on " + this.chosen
						+ " within the failover timeout: no member adopted it");
			}
			else if (this.recordingAsked == null && now - this.recordingAskedAt >= Timers.TICK) {
				askRecording(now, store(next), out);
			}
			return outcome();
		}
		if (tilted) {
			return outcome();
		}
		if (Objects.requireNonNull(this.repointing).advance(now, nodes, timedOut, out)) {
			end(now, timedOut ? "succeeded, some replicas not confirmed" : "succeeded");
			// Named as Sentinel names it: the master the failover was about, by its old
			// address.
			this.events.emit(out, Type.FAILOVER_END, this.epoch, this.oldMaster, this.result);
		}
		return outcome();
	}

	void abort(long now, String reason) {
		this.aborted = true;
		end(now, reason);
	}

	private void end(long now, String result) {
		this.stage = Stage.ENDED;
		this.result = result;
		this.endedAt = now;
		step("end", now);
	}

	private void step(String name, long at) {
		this.steps.add(name, at);
	}

	FailoverSnapshot snapshot() {
		return new FailoverSnapshot(this.epoch, this.leader, this.oldMaster, this.chosen, this.startedAt, this.endedAt,
				this.result, this.steps.list(), this.trigger, this.writesAtRisk);
	}

}
