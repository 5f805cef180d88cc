package io.redisha.protocol;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.ReplicationInfo.Role;

/**
 * One Redis node as this member sees it: when it last answered PING validly (or INFO),
 * what its latest INFO or ROLE said, when it restarted, and which commands to it are in
 * flight (at most one PING and one INFO).
 */
final class NodeState {

	private final NodeAddress address;

	private final long monitoredSince;

	private long lastValidReplyAt = -1;

	private long availableSince = -1;

	private long lastPingAt = -1;

	private boolean pingInFlight;

	private long lastInfoRequestAt = -1;

	private boolean infoInFlight;

	private boolean infoFailed;

	/**
	 * A PING was not answered PONG since its last INFO, or that INFO showed its master
	 * link down.
	 */
	private boolean unsettled;

	private boolean roleInFlight;

	/** When the ROLE request in flight, or the last one answered, was sent. */
	private long roleAskedAt = -1;

	/**
	 * When this member last sent it a promotion; -1 once it answered an INFO or ROLE
	 * asked after that promotion's reply, and when none was sent.
	 */
	private long promotionSentAt = -1;

	/**
	 * When the reply to that promotion came (its INFO, an error, or no answer at all); -1
	 * while it is awaited.
	 */
	private long promotionRepliedAt = -1;

	private @Nullable ReplicationInfo info;

	private long infoAt = -1;

	/**
	 * When the INFO request answered by {@link #info} was sent (at most one is in
	 * flight).
	 */
	private long infoAskedAt = -1;

	/** When the latest INFO request that failed was sent; -1 when none did. */
	private long failedInfoAskedAt = -1;

	/** When its run id last changed (a restart seen in INFO); -1 when never. */
	private long restartedAt = -1;

	/** Its INFO before that restart: what its data was before. */
	private @Nullable ReplicationInfo infoBeforeRestart;

	private @Nullable Role role;

	/**
	 * The role command it answered is unknown to it (since its last restart); null when
	 * none was refused.
	 */
	private @Nullable RoleCommand unknownRoleCommand;

	/** When INFO or ROLE last told its role. */
	private long roleAt = -1;

	private long roleSince = -1;

	private @Nullable NodeAddress following;

	/** The last master it followed as a replica: which group it belonged to. */
	private @Nullable NodeAddress lastFollowed;

	/** When INFO or ROLE last said it followed {@link #lastFollowed}; -1 never. */
	private long lastFollowedAt = -1;

	private long reconfiguredAt = -1;

	/**
	 * When the first PING since its last valid reply was sent; -1 when none is
	 * outstanding.
	 */
	private long firstUnansweredPingAt = -1;

	/** Whether its last PING got no answer at all; see {@link #lastPingFailed()}. */
	private boolean lastPingFailed;

	/** When it last passed on a gossip message of the group to this member; -1 never. */
	private long lastDeliveryAt = -1;

	/**
	 * The group's configuration stored in its data, from its latest INFO round trip; null
	 * before one.
	 */
	private @Nullable StoredConfiguration stored;

	/**
	 * Whether that configuration was older than the one this member held when it read it
	 * (or absent while it held one): the node's data was then not the group's.
	 */
	private boolean storedBehind;

	NodeState(NodeAddress address, long now) {
		this.address = address;
		this.monitoredSince = now;
	}

	NodeAddress address() {
		return this.address;
	}

	/**
	 * A PONG, LOADING or MASTERDOWN, or an INFO answered: the node is alive. It has been
	 * available since now if it was not up, as {@link #status(long, long, boolean)}
	 * judges it.
	 */
	void validReply(long now, long downAfter, boolean sparse) {
		if (status(now, downAfter, sparse) != NodeStatus.UP) {
			this.availableSince = now;
		}
		this.lastValidReplyAt = now;
		// a PING still in flight (an INFO answer overtook it) is unanswered from now on
		this.firstUnansweredPingAt = this.pingInFlight ? this.lastPingAt : -1;
		this.lastPingFailed = false;
	}

	/** Up: a valid reply within down-after; down: none for down-after. */
	NodeStatus status(long now, long downAfter) {
		if (this.lastValidReplyAt >= 0 && now - this.lastValidReplyAt <= downAfter) {
			return NodeStatus.UP;
		}
		return (now - Math.max(this.lastValidReplyAt, this.monitoredSince) > downAfter) ? NodeStatus.DOWN
				: NodeStatus.UNKNOWN;
	}

	/**
	 * The status as a member that PINGs {@code sparse}ly (every down-after, an observer)
	 * judges it: a node PINGed that seldom goes without a reply for down-after between
	 * two PINGs it answers, so silence counts only once a PING has also gone unanswered
	 * for half of down-after. Never sooner than {@link #status(long, long)}.
	 */
	NodeStatus status(long now, long downAfter, boolean sparse) {
		NodeStatus status = status(now, downAfter);
		if (!sparse || status == NodeStatus.UP
				|| this.firstUnansweredPingAt >= 0 && now - this.firstUnansweredPingAt > downAfter / 2) {
			return status;
		}
		return (this.lastValidReplyAt >= 0) ? NodeStatus.UP : NodeStatus.UNKNOWN;
	}

	/**
	 * Whether its last PING got no answer at all (a timeout, a lost connection) and no
	 * valid reply came since: the next is then due at a voter's pace, whatever this
	 * member's own. A node that answers PING with an error (NOAUTH, say) is not PINGed
	 * faster for it.
	 */
	boolean lastPingFailed() {
		return this.lastPingFailed;
	}

	/**
	 * Since when it has answered without a gap longer than down-after; -1 when it is not
	 * up.
	 */
	long upSince(long now, long downAfter) {
		return (status(now, downAfter) == NodeStatus.UP) ? this.availableSince : -1;
	}

	long lastValidReplyAt() {
		return this.lastValidReplyAt;
	}

	/**
	 * It passed on a gossip message of the group: its event loop runs. Not a reply: the
	 * message may have waited in this member's buffers, so it is no evidence for the
	 * write fence.
	 */
	void delivered(long now) {
		this.lastDeliveryAt = now;
	}

	/** Whether it passed on a gossip message within {@code millis}. */
	boolean deliveredWithin(long now, long millis) {
		return this.lastDeliveryAt >= 0 && now - this.lastDeliveryAt <= millis;
	}

	/** When it was last known alive, or when monitoring started if never. */
	long aliveAt() {
		return Math.max(this.lastValidReplyAt, this.monitoredSince);
	}

	boolean pingDue(long now, long period) {
		return !this.pingInFlight && (this.lastPingAt < 0 || now - this.lastPingAt >= period);
	}

	void pingSent(long now) {
		this.pingInFlight = true;
		this.lastPingAt = now;
		if (this.firstUnansweredPingAt < 0) {
			this.firstUnansweredPingAt = now;
		}
	}

	/** The PING's answer came, or it failed ({@code failed}: no answer at all). */
	void pingAnswered(boolean failed) {
		this.pingInFlight = false;
		this.lastPingFailed = failed;
	}

	/** A PING answered other than PONG (failed, LOADING...): it may have restarted. */
	void missedPong() {
		this.unsettled = true;
	}

	/**
	 * Whether its role or data may be changing: a PING was answered other than PONG since
	 * its last INFO (it may have restarted), or that INFO showed a replica without a
	 * working link to its master (it may be resyncing). Its INFO is then worth reading
	 * more often.
	 */
	boolean unsettled() {
		return this.unsettled;
	}

	boolean infoDue(long now, long period) {
		return !this.infoInFlight && (this.lastInfoRequestAt < 0 || now - this.lastInfoRequestAt >= period);
	}

	/**
	 * Whether an INFO asked at {@code since} or later was answered (another may be in
	 * flight already: INFO is read every PING period around a failover).
	 */
	boolean infoAnsweredSince(long since) {
		return this.infoAskedAt >= since;
	}

	/** Whether an INFO asked at {@code since} or later failed. */
	boolean infoFailedSince(long since) {
		return this.failedInfoAskedAt >= since;
	}

	void infoSent(long now) {
		this.infoInFlight = true;
		this.lastInfoRequestAt = now;
	}

	void infoAnswered(boolean answered) {
		this.infoInFlight = false;
		this.infoFailed = !answered;
		if (!answered) {
			this.failedInfoAskedAt = this.lastInfoRequestAt;
		}
	}

	/** Whether its latest INFO request failed (unreachable, refused, timed out). */
	boolean infoFailed() {
		return this.infoFailed;
	}

	boolean roleQueryable() {
		return !this.roleInFlight;
	}

	void roleSent(long now) {
		this.roleInFlight = true;
		this.roleAskedAt = now;
	}

	void roleAnswered() {
		this.roleInFlight = false;
	}

	/**
	 * Records an INFO reply.
	 * @return whether it shows a restart: a run id other than the one of its previous
	 * INFO
	 */
	boolean info(long now, ReplicationInfo info) {
		boolean restarted = this.info != null && !this.info.runId().isEmpty()
				&& !this.info.runId().equals(info.runId());
		if (restarted) {
			this.restartedAt = now;
			this.infoBeforeRestart = this.info;
			this.unknownRoleCommand = null;
		}
		this.info = info;
		this.infoAt = now;
		this.infoAskedAt = this.lastInfoRequestAt;
		settlePromotion(this.infoAskedAt);
		this.unsettled = info.role() == Role.REPLICA && !info.masterLinkUp();
		role(now, info.role(), info.master());
		return restarted;
	}

	/** Records a ROLE reply. */
	void role(long now, RoleInfo role) {
		settlePromotion(this.roleAskedAt);
		role(now, role.master() ? Role.MASTER : Role.REPLICA, role.following());
	}

	/** This member sent it a promotion. */
	void promotionSent(long now) {
		this.promotionSentAt = now;
		this.promotionRepliedAt = -1;
	}

	/** The reply to the promotion came, whatever it said. */
	void promotionReplied(long now) {
		if (this.promotionSentAt >= 0) {
			this.promotionRepliedAt = now;
		}
	}

	/**
	 * An answer to an INFO or ROLE asked at {@code askedAt}, after the promotion's reply,
	 * tells what the promotion did (from then on its role tells).
	 */
	private void settlePromotion(long askedAt) {
		if (this.promotionRepliedAt >= 0 && askedAt >= this.promotionRepliedAt) {
			this.promotionSentAt = -1;
			this.promotionRepliedAt = -1;
		}
	}

	/**
	 * Whether this member sent it a promotion at {@code since} or later and has not heard
	 * since what it did: an answer to INFO or ROLE asked after the promotion's reply.
	 * Until then it may be a master: the promotion may have run however it was answered
	 * (no answer at all, its INFO with no ROLE answered after it, an error after the
	 * transaction ran), or may run still.
	 */
	boolean promotionUnsettled(long since) {
		return this.promotionSentAt >= 0 && this.promotionSentAt >= since;
	}

	private void role(long now, Role role, @Nullable NodeAddress following) {
		this.roleAt = now;
		if (role != this.role || (role == Role.REPLICA && !Objects.equals(following, this.following))) {
			this.roleSince = now;
		}
		this.role = role;
		this.following = following;
		if (role == Role.REPLICA) {
			this.lastFollowed = following;
			this.lastFollowedAt = now;
		}
	}

	@Nullable ReplicationInfo info() {
		return this.info;
	}

	/**
	 * The command to change its role with: the one the version in its latest INFO calls
	 * for, {@code REPLICAOF} while no INFO says (the command of every Redis since 5, and
	 * the one the documented ACL grants), and the other one once it answered that this
	 * one is unknown to it.
	 */
	RoleCommand roleCommand() {
		RoleCommand byVersion = (this.info != null) ? RoleCommand.forVersion(this.info.version()) : null;
		RoleCommand chosen = (byVersion != null) ? byVersion : RoleCommand.REPLICAOF;
		return (chosen == this.unknownRoleCommand) ? chosen.other() : chosen;
	}

	/** Records the reply to a role change sent with {@code command}. */
	void roleChangeAnswered(RoleCommand command, Reply reply) {
		if (command.unknownIn(reply)) {
			this.unknownRoleCommand = command;
		}
	}

	/** Its INFO, of a node known to have answered one. */
	ReplicationInfo answeredInfo() {
		return Objects.requireNonNull(this.info, "no INFO yet");
	}

	void stored(StoredConfiguration stored, boolean behind) {
		this.stored = stored;
		this.storedBehind = behind;
	}

	/**
	 * Whether its data, as last read, held an older configuration than the one this
	 * member held then, or none while it held one.
	 */
	boolean storedBehind() {
		return this.storedBehind;
	}

	/** The configuration stored in its data as last read; null before its first INFO. */
	@Nullable StoredConfiguration stored() {
		return this.stored;
	}

	/**
	 * Whether this node, answering as the master that {@code held} names, holds none of
	 * the group's data: its data holds neither that configuration nor a later one (each
	 * is stored on the master it names before anyone adopts it, and travels with the
	 * data), and nothing of any replication history (offset 0: a process started without
	 * data, that no replica has synced from since; an application's {@code FLUSHALL} also
	 * drops the configuration, but keeps the offset once a replica has synced). Redis
	 * also reports 0 on a master with its data that no replica has synced from since its
	 * start: the check then errs towards waiting. An electorate founded there would make
	 * it the group's master, and the stray repair would then turn the nodes that still
	 * have the data into its replicas: a full resync to nothing (strict seed 30269170, an
	 * operator's replacement of the voters; the same with a succession).
	 */
	boolean holdsNoneOfTheDataOf(Configuration held) {
		ReplicationInfo info = this.info;
		StoredConfiguration stored = this.stored;
		return info != null && stored != null && held.newerThan(stored.config()) && info.offset() == 0;
	}

	long infoAt() {
		return this.infoAt;
	}

	/** When the request of its latest INFO was sent: what it says was true after that. */
	long infoAskedAt() {
		return this.infoAskedAt;
	}

	/** When its run id last changed; -1 when it never did while monitored. */
	long restartedAt() {
		return this.restartedAt;
	}

	/** Its INFO before its last restart; null when none was seen. */
	@Nullable ReplicationInfo infoBeforeRestart() {
		return this.infoBeforeRestart;
	}

	/** Its role; null before the first INFO or ROLE reply. */
	@Nullable Role role() {
		return this.role;
	}

	/**
	 * Since when it has reported its current role (and, for a replica, the same master).
	 */
	long roleSince() {
		return this.roleSince;
	}

	/** When INFO or ROLE last reported its role; -1 when never. */
	long roleAt() {
		return this.roleAt;
	}

	/** For a replica, the master it follows; null otherwise. */
	@Nullable NodeAddress following() {
		return this.following;
	}

	@Nullable NodeAddress lastFollowed() {
		return this.lastFollowed;
	}

	long lastFollowedAt() {
		return this.lastFollowedAt;
	}

	/**
	 * Whether this member sent it a REPLICAOF to fix its role within the last
	 * {@code period}.
	 */
	boolean recentlyReconfigured(long now, long period) {
		return this.reconfiguredAt >= 0 && now - this.reconfiguredAt < period;
	}

	void reconfigured(long now) {
		this.reconfiguredAt = now;
	}

	GroupSnapshot.NodeSnapshot snapshot(long now, long downAfter, boolean sparse, long masterOffset) {
		String roleName = (this.role == null) ? "unknown" : (this.role == Role.MASTER) ? "master" : "replica";
		long offset = (this.info != null) ? this.info.offset() : 0;
		boolean replica = this.role == Role.REPLICA && this.info != null;
		long lag = (replica && masterOffset >= 0) ? Math.max(0, masterOffset - offset) : -1;
		ReplicationInfo info = this.info;
		String link = (this.role == Role.REPLICA && info != null) ? (info.masterLinkUp() ? "up" : "down") : null;
		return new GroupSnapshot.NodeSnapshot(this.address, roleName, status(now, downAfter, sparse),
				(this.info != null) ? this.info.runId() : "", offset, lag, link, replica ? this.following : null,
				(this.info != null) ? this.info.priority() : 0, lastSignOfLifeAge(now, sparse));
	}

	/**
	 * Since its last valid reply; for a member that PINGs {@code sparse}ly, and so not at
	 * all a node that passes gossip on, since either that or its last delivery. -1 when
	 * neither.
	 */
	private long lastSignOfLifeAge(long now, boolean sparse) {
		long at = sparse ? Math.max(this.lastValidReplyAt, this.lastDeliveryAt) : this.lastValidReplyAt;
		return (at >= 0) ? now - at : -1;
	}

}
