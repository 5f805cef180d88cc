package io.redisha.protocol;

import java.util.List;
import java.util.Objects;

import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.ReplicationInfo.Role;

/**
 * Whether the master is down: subjectively (SDOWN, this member's own view, from PINGs and
 * INFO) and objectively (ODOWN, with the quorum of the voters saying so); and this
 * member's own clock (TILT).
 */
final class FailureDetection {

	private final CoordinatorParts parts;

	private final Timers timers;

	private boolean masterDown;

	private boolean objectivelyDown;

	/** When this member last evaluated as an observer; -1 never. */
	private long observedAt = -1;

	FailureDetection(CoordinatorParts parts) {
		this.parts = parts;
		this.timers = parts.timers;
	}

	boolean masterDown() {
		return this.masterDown;
	}

	boolean objectivelyDown() {
		return this.objectivelyDown;
	}

	/** A new master: nothing is known against it yet. */
	void reset() {
		this.masterDown = false;
		this.objectivelyDown = false;
	}

	/** Time observed: a timer gap or time going backwards enters TILT. */
	void observeTime(long now, boolean tick, List<Action> out) {
		if (this.parts.tilt.observe(now, tick)) {
			this.parts.emit(out, Type.TILT, null, "timer gap or time going backwards");
			if (this.parts.elections.running()) {
				this.parts.elections.abort(now, "entered TILT", out);
			}
		}
		else if (this.parts.tilt.ended(now)) {
			this.parts.emit(out, Type.TILT_CLEARED, null, null);
		}
	}

	void pingAnswered(long now, NodeState node, Reply reply) {
		node.pingAnswered(reply instanceof Reply.Failed);
		if (reply instanceof Reply.Text text && isValidPingReply(text.text())) {
			node.validReply(now, this.timers.downAfter(), pingsSparsely(now));
		}
		if (!(reply instanceof Reply.Text text && text.text().startsWith("PONG"))) {
			node.missedPong();
		}
	}

	/**
	 * An INFO answered is as much a sign of life as a PONG: the node ran a command and
	 * said what it is. In bad weather a member may lose every PING reply of a master for
	 * down-after while the INFO replies that follow them arrive (strict seed 444022: two
	 * voters heard the live master answer INFO as master twice a second, saw it down on
	 * the lost PINGs, and helped a leader fail it over, losing what it had acknowledged).
	 */
	void infoAnswered(long now, NodeState node, Reply reply) {
		if (reply instanceof Reply.Info) {
			node.validReply(now, this.timers.downAfter(), pingsSparsely(now));
		}
	}

	private static boolean isValidPingReply(String text) {
		return text != null && (text.startsWith("PONG") || text.startsWith("LOADING") || text.startsWith("MASTERDOWN"));
	}

	/**
	 * INFO every PING period while the role is unknown or changing, around a failover,
	 * and for a master whose INFO predates its tenure (the switch to it, or a
	 * configuration of a later epoch naming it again): its history (replication id) is
	 * what a later failover must continue, the INFO it gave as a replica names its former
	 * master's, and an operator's failover chooses on INFO of its tenure. In calm times
	 * an observer reads it less often than a voter.
	 */
	long infoPeriod(NodeState node) {
		boolean staleMaster = node.address().equals(this.parts.master.address())
				&& node.infoAt() < this.parts.master.tenureSince();
		boolean urgent = node.role() == null || node.unsettled() || staleMaster || this.masterDown
				|| this.parts.failovers.running() || this.parts.elections.running()
				|| this.parts.fence.leansOnReplicas();
		if (urgent) {
			return this.timers.fastInfoEvery();
		}
		return this.parts.gossip.observing() ? this.timers.observerInfoEvery() : this.timers.infoEvery();
	}

	/**
	 * The node's status as this member's PING pace lets it judge it (see
	 * {@link #pingsSparsely(long)}).
	 */
	NodeStatus statusOf(NodeState node, long now) {
		return node.status(now, this.timers.downAfter(), pingsSparsely(now));
	}

	/**
	 * Whether this member's PINGs are an observer's, every down-after
	 * ({@link Timers#observerPingEvery()}): it observes, or it did within an observer's
	 * PING period (a voter just added has not had a reply to a PING of its own pace yet).
	 * Its silences are then judged as such (see
	 * {@link NodeState#status(long, long, boolean)}): later, never sooner.
	 */
	boolean pingsSparsely(long now) {
		return this.parts.gossip.observing()
				|| this.observedAt >= 0 && now - this.observedAt <= this.timers.observerPingEvery();
	}

	/** Re-derives SDOWN and ODOWN of the master, announcing a change at once. */
	void evaluate(long now, boolean tilted, List<Action> out) {
		if (this.parts.gossip.observing()) {
			this.observedAt = now;
		}
		NodeAddress master = this.parts.master.address();
		boolean down = !tilted && seesMasterDown(now);
		if (down != this.masterDown) {
			this.masterDown = down;
			this.parts.emit(out, down ? Type.SDOWN : Type.SDOWN_CLEARED, master, null);
			this.parts.gossip.announce(now, out);
			if (down) {
				this.parts.voting.masterSeenDown(now, out);
			}
		}
		int opinions = opinionsMasterDown(now);
		int quorum = this.parts.config.quorum();
		boolean odown = down && opinions >= quorum;
		if (odown != this.objectivelyDown) {
			this.objectivelyDown = odown;
			this.parts.emit(out, odown ? Type.ODOWN : Type.ODOWN_CLEARED, master, "#quorum " + opinions + "/" + quorum);
		}
	}

	/**
	 * No valid reply for down-after and no gossip passed on by it for as long (a master
	 * whose PING replies are lost but that delivers the members' hellos is alive), a
	 * master reporting itself a replica for that long, or a master restarted within
	 * master-reboot-down-after (it may have come back without its data).
	 */
	boolean seesMasterDown(long now) {
		NodeState node = Objects.requireNonNull(this.parts.nodes.get(this.parts.master.address()));
		long masterSince = this.parts.master.since();
		long downAfter = this.timers.downAfter();
		boolean silent = statusOf(node, now) == NodeStatus.DOWN && !node.deliveredWithin(now, downAfter);
		if (silent || node.restartedAt() > masterSince
				&& ReplicationLineage.restartedMaster(node, now, this.timers.masterRebootDownAfter())) {
			return true;
		}
		// only what the node said since it became this member's master counts: a promoted
		// replica's last INFO may well be from before its promotion
		return node.role() == Role.REPLICA && node.infoAt() > masterSince
				&& now - Math.max(node.roleSince(), masterSince) > downAfter;
	}

	/**
	 * This member (seeing it down) plus the voters whose fresh hello says this master is
	 * down.
	 */
	private int opinionsMasterDown(long now) {
		if (!this.masterDown) {
			return 0;
		}
		NodeAddress master = this.parts.master.required();
		int count = 1;
		for (Peer peer : this.parts.members.peers()) {
			if (this.parts.electorate.isVoter(peer.id()) && peer.seesDown(master, now, this.timers.opinionValidity())) {
				count++;
			}
		}
		return count;
	}

}
