package io.redisha.protocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.ReplicationInfo.Role;

/**
 * The failover this member leads after winning an election: promote the chosen replica,
 * confirm with ROLE at once (and every tick until it answers master), then repoint the other
 * replicas, at most {@code parallelSyncs} resyncing at a time. Each step is recorded with its
 * time for the endpoint.
 */
final class FailoverProcess {

	/** What the process needs from the coordinator around it. */
	interface Host {

		void emit(Type type, long epoch, NodeAddress node, String detail, List<Action> out);

		/** The promoted node answered ROLE master: it is the master of config epoch {@code epoch}. */
		void promoted(long now, NodeAddress newMaster, long epoch, List<Action> out);

	}

	private enum Stage {

		HANDING_OVER, PROMOTING, CONFIRMING, RECONFIGURING, ENDED

	}

	private final Host host;

	private final String leader;

	private final long epoch;

	private final NodeAddress oldMaster;

	private final long startedAt;

	private final Timers timers;

	private final int parallelSyncs;

	private final GroupSnapshot.Trigger trigger;

	/** For a switchover: how long Redis may wait for the target to catch up; 0 otherwise. */
	private final long handOverTimeout;

	/** When confirming must have succeeded: a switchover's hand-over timeout, else the failover timeout. */
	private long confirmDeadline;

	private final List<FailoverSnapshot.Step> steps = new ArrayList<>();

	/** Replicas still to repoint, and those repointed with when. */
	private final Set<NodeAddress> pending = new LinkedHashSet<>();

	private final Map<NodeAddress, Long> sent = new LinkedHashMap<>();

	private Stage stage;

	private NodeAddress chosen;

	private boolean aborted;

	private long endedAt = -1;

	private String result = "in-progress";

	private long lastRoleQueryAt = -1;

	private long writesAtRisk = -1;

	/**
	 * @param handOverTimeout for a switchover, how long the master may wait for the target to
	 * catch up before it gives up and keeps serving; ignored otherwise
	 */
	FailoverProcess(Host host, String leader, Election election, long now, Timers timers, int parallelSyncs,
			long handOverTimeout) {
		this.host = host;
		this.trigger = election.trigger();
		this.handOverTimeout = handOverTimeout;
		this.leader = leader;
		this.epoch = election.epoch();
		this.oldMaster = election.failingMaster();
		this.startedAt = election.startedAt();
		this.confirmDeadline = this.startedAt + timers.failoverTimeout();
		this.timers = timers;
		this.parallelSyncs = parallelSyncs;
		step("try-failover", this.startedAt);
		step("elected-leader", now);
	}

	long epoch() {
		return this.epoch;
	}

	NodeAddress oldMaster() {
		return this.oldMaster;
	}

	boolean ended() {
		return this.stage == Stage.ENDED;
	}

	boolean aborted() {
		return this.aborted;
	}

	/**
	 * Starts with the selected replica, or ends at once when there is none.
	 * @param oldMasterOffset the replication offset the old master was last seen at; -1 when unknown
	 */
	void begin(long now, ReplicaSelector.Choice choice, long oldMasterOffset, List<Action> out) {
		if (choice == null) {
			this.host.emit(Type.FAILOVER_ABORT_NO_GOOD_REPLICA, this.epoch, this.oldMaster, null, out);
			abort(now, "no good replica");
			return;
		}
		this.chosen = choice.node().address();
		if (oldMasterOffset >= 0) {
			this.writesAtRisk = Math.max(0, oldMasterOffset - choice.node().info().offset());
		}
		step("selected-replica " + this.chosen, now);
		this.host.emit(Type.SELECTED_REPLICA, this.epoch, this.chosen, null, out);
		if (this.trigger == GroupSnapshot.Trigger.SWITCHOVER) {
			this.stage = Stage.HANDING_OVER;
			out.add(new Action.HandOver(this.oldMaster, this.chosen, this.handOverTimeout, this.epoch));
			step("handover-sent", now);
		}
		else if (choice.alreadyPromoted()) {
			step("already-promoted " + this.chosen, now);
			confirm(now, choice.node(), out);
		}
		else {
			this.stage = Stage.PROMOTING;
			out.add(new Action.Promote(this.chosen, this.epoch));
			step("promote-sent", now);
		}
	}

	/** Asks ROLE at once, then at most once a tick until the node answers master. */
	private void confirm(long now, NodeState node, List<Action> out) {
		this.stage = Stage.CONFIRMING;
		if (node.roleQueryable() && (this.lastRoleQueryAt < 0 || now - this.lastRoleQueryAt >= Timers.TICK)) {
			this.lastRoleQueryAt = now;
			node.roleSent();
			out.add(new Action.QueryRole(node.address()));
		}
	}

	/** Handles a reply that belongs to this process; the coordinator has already recorded roles and INFO. */
	void onReply(long now, Action.NodeCommand command, Reply reply, NodeTracker nodes, List<Action> out) {
		if (this.stage == Stage.ENDED) {
			return;
		}
		if (command instanceof Action.HandOver handOver && handOver.epoch() == this.epoch
				&& this.stage == Stage.HANDING_OVER) {
			if (reply instanceof Reply.Text text && !text.error()) {
				step("handover-acknowledged", now);
				// Redis waits up to the timeout for the target to catch up, then swaps roles or gives up.
				this.confirmDeadline = now + this.handOverTimeout + this.timers.downAfter();
				confirm(now, nodes.get(this.chosen), out);
			}
			else {
				abort(now, "the master refused to hand over to " + this.chosen + ": " + describe(reply));
			}
		}
		else if (command instanceof Action.Promote promote && promote.epoch() == this.epoch
				&& this.stage == Stage.PROMOTING) {
			if (reply instanceof Reply.Text text && !text.error()) {
				step("promote-acknowledged", now);
				confirm(now, nodes.get(this.chosen), out);
			}
			else {
				abort(now, "promotion of " + this.chosen + " failed: " + describe(reply));
			}
		}
		else if (command instanceof Action.QueryRole && command.node().equals(this.chosen)
				&& this.stage == Stage.CONFIRMING && this.trigger == GroupSnapshot.Trigger.SWITCHOVER
				&& !(reply instanceof Reply.Role role && role.role().master()) && now <= this.confirmDeadline) {
			// Writes are paused on the master until the roles swap: ask again at once, not a tick later.
			this.lastRoleQueryAt = -1;
			confirm(now, nodes.get(this.chosen), out);
		}
		else if (command instanceof Action.QueryRole && command.node().equals(this.chosen)
				&& this.stage == Stage.CONFIRMING && reply instanceof Reply.Role role && role.role().master()) {
			step("promoted", now);
			if (this.trigger == GroupSnapshot.Trigger.SWITCHOVER) {
				// Redis handed over only once the target had every write: nothing acknowledged is lost.
				this.writesAtRisk = 0;
			}
			this.host.emit(Type.PROMOTED_REPLICA, this.epoch, this.chosen, null, out);
			this.host.promoted(now, this.chosen, this.epoch, out);
			startReconfiguration(now, nodes);
		}
		else if (command instanceof Action.Replicate replicate && replicate.epoch() == this.epoch
				&& this.sent.containsKey(command.node()) && !(reply instanceof Reply.Text text && !text.error())) {
			this.sent.remove(command.node());
			this.pending.add(command.node());
		}
	}

	private static String describe(Reply reply) {
		if (reply instanceof Reply.Failed failed) {
			return failed.reason();
		}
		return (reply instanceof Reply.Text text) ? text.text() : reply.toString();
	}

	/**
	 * Lists what to repoint: the other replicas; after a forced failover or a switchover also the
	 * old master, which is alive and must stop taking writes at once (after an automatic failover
	 * it is down and the stray node repair turns it into a replica when it comes back). The
	 * coordinator's next {@link #advance} (right after this reply, unless in TILT) sends them.
	 */
	private void startReconfiguration(long now, NodeTracker nodes) {
		this.stage = Stage.RECONFIGURING;
		boolean forced = this.trigger != GroupSnapshot.Trigger.AUTOMATIC;
		for (NodeState node : nodes.all()) {
			NodeAddress address = node.address();
			boolean otherReplica = !address.equals(this.oldMaster) && node.role() == Role.REPLICA;
			boolean liveOldMaster = forced && address.equals(this.oldMaster);
			if (!address.equals(this.chosen) && (otherReplica || liveOldMaster) && reachable(node, now)) {
				this.pending.add(address);
			}
		}
	}

	/** Timeouts, the ROLE re-query, and the next replicas to repoint; nothing but confirming while in TILT. */
	void advance(long now, NodeTracker nodes, boolean tilted, List<Action> out) {
		if (this.stage == Stage.ENDED) {
			return;
		}
		boolean timedOut = now - this.startedAt > this.timers.failoverTimeout();
		if (this.stage == Stage.CONFIRMING) {
			if (now > this.confirmDeadline) {
				abort(now, (this.trigger == GroupSnapshot.Trigger.SWITCHOVER)
						? this.chosen + " did not catch up within " + this.handOverTimeout
								+ " ms: the old master keeps serving"
						: "no ROLE master from " + this.chosen + " within the failover timeout");
			}
			else {
				confirm(now, nodes.get(this.chosen), out);
			}
			return;
		}
		if (this.stage == Stage.PROMOTING || this.stage == Stage.HANDING_OVER) {
			if (timedOut) {
				abort(now, "no answer to the promotion of " + this.chosen + " within the failover timeout");
			}
			return;
		}
		if (tilted) {
			return;
		}
		recordResynced(now, nodes, out);
		for (NodeAddress address : List.copyOf(this.pending)) {
			if (!reachable(nodes.get(address), now)) {
				this.pending.remove(address);
				step("reconf-skipped-down " + address, now);
			}
			else if (timedOut || this.sent.size() < this.parallelSyncs) {
				this.pending.remove(address);
				this.sent.put(address, now);
				out.add(new Action.Replicate(address, this.chosen, this.epoch));
				step("reconf-sent " + address, now);
				this.host.emit(Type.REPLICA_RECONF_SENT, this.epoch, address, null, out);
			}
		}
		if (timedOut || this.pending.isEmpty() && this.sent.isEmpty()) {
			end(now, timedOut ? "succeeded, some replicas not confirmed" : "succeeded");
			this.host.emit(Type.FAILOVER_END, this.epoch, this.chosen, this.result, out);
		}
	}

	/** Down replicas are left out: they are repointed when they come back (see the coordinator's stray node repair). */
	private boolean reachable(NodeState node, long now) {
		return node != null && node.status(now, this.timers.downAfter()) == NodeStatus.UP;
	}

	private void recordResynced(long now, NodeTracker nodes, List<Action> out) {
		for (Map.Entry<NodeAddress, Long> entry : List.copyOf(this.sent.entrySet())) {
			NodeState node = nodes.get(entry.getKey());
			if (!reachable(node, now)) {
				this.sent.remove(entry.getKey());
				step("reconf-skipped-down " + entry.getKey(), now);
				continue;
			}
			boolean following = node != null && node.infoAt() > entry.getValue() && node.role() == Role.REPLICA
					&& this.chosen.equals(node.following()) && node.info().masterLinkUp();
			if (following) {
				this.sent.remove(entry.getKey());
				step("reconf-done " + entry.getKey(), now);
				this.host.emit(Type.REPLICA_RECONF_DONE, this.epoch, entry.getKey(), null, out);
			}
		}
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
		this.steps.add(new FailoverSnapshot.Step(name, at - this.startedAt));
	}

	FailoverSnapshot snapshot() {
		return new FailoverSnapshot(this.epoch, this.leader, this.oldMaster, this.chosen, this.startedAt, this.endedAt,
				this.result, this.steps, this.trigger, this.writesAtRisk);
	}

}
