package io.redisha.protocol;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * An immutable picture of one group as one member sees it, for the endpoint, health and
 * metrics. Ages are in milliseconds before the moment the snapshot was taken.
 *
 * @param name the group's name
 * @param state the group's state
 * @param currentEpoch the highest epoch this member knows of
 * @param configEpoch the epoch of the configuration (master address) this member follows
 * @param quorum the configured quorum
 * @param master the master this member believes in; null when none is known
 * @param replicas the replicas of that master
 * @param members every member this member knows of, itself included
 * @param rejectedMessages gossip messages ignored: unsigned, forged, replayed, malformed,
 * oversized, foreign, dropped, or from one member too many
 * @param lastFailover the last failover this member took part in or heard of; null when
 * none
 * @param history the last failovers and switchovers this member led or heard of, newest
 * first
 * @param failoversRecorded how many failovers entered the history since this member
 * started (the history keeps only the last few)
 * @param quorumCheck whether quorum and an election majority are reachable right now;
 * null when unknown
 * @param pause the maintenance mode: who paused automatic failover and since when; null
 * when not paused
 * @param startingUp whether this member is still in its start-up quiet period: it neither
 * votes nor starts a failover, and refuses operator commands
 * @param electorate the voters of the configuration this member holds; null before it
 * holds one
 * @param fence whether this member lets its application write, and why
 * @param rejections the ignored gossip messages by reason, and why the last one was
 * ignored
 */
public record GroupSnapshot(String name, GroupState state, long currentEpoch, long configEpoch, int quorum,
		@Nullable NodeSnapshot master, List<NodeSnapshot> replicas, List<MemberSnapshot> members, long rejectedMessages,
		@Nullable FailoverSnapshot lastFailover, List<FailoverSnapshot> history, long failoversRecorded,
		@Nullable QuorumCheck quorumCheck, @Nullable PauseSnapshot pause, boolean startingUp,
		@Nullable ElectorateSnapshot electorate, FenceSnapshot fence, RejectionsSnapshot rejections) {

	public GroupSnapshot {
		replicas = List.copyOf(replicas);
		members = List.copyOf(members);
		history = List.copyOf(history);
		Objects.requireNonNull(fence, "fence");
		Objects.requireNonNull(rejections, "rejections");
	}

	/**
	 * Whether this member lets its application write at {@code nowMs} (the coordinator's
	 * clock).
	 */
	public boolean admitsWrites(long nowMs) {
		return this.fence.admitsWrites(nowMs);
	}

	/** A snapshot without history and quorum check. */
	public GroupSnapshot(String name, GroupState state, long currentEpoch, long configEpoch, int quorum,
			@Nullable NodeSnapshot master, List<NodeSnapshot> replicas, List<MemberSnapshot> members,
			long rejectedMessages, @Nullable FailoverSnapshot lastFailover) {
		this(name, state, currentEpoch, configEpoch, quorum, master, replicas, members, rejectedMessages, lastFailover,
				(lastFailover != null) ? List.of(lastFailover) : List.of(), 0, null, null, false, null,
				FenceSnapshot.OPEN, RejectionsSnapshot.NONE);
	}

	/**
	 * The gossip messages this member ignored.
	 *
	 * @param byReason how many, by reason; reasons never seen are absent
	 * @param last why the last one was ignored; null when none was
	 */
	public record RejectionsSnapshot(Map<GossipRejection, Long> byReason, @Nullable String last) {

		/** Nothing ignored. */
		public static final RejectionsSnapshot NONE = new RejectionsSnapshot(Map.of(), null);

		public RejectionsSnapshot {
			byReason = byReason.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(byReason));
		}

		/** How many were ignored for this reason. */
		public long count(GossipRejection reason) {
			return this.byReason.getOrDefault(reason, 0L);
		}

	}

	/**
	 * Automatic failover is paused for maintenance.
	 *
	 * @param by the member that paused it
	 * @param sinceMs when this member learned of it, on the coordinator's monotonic clock
	 */
	public record PauseSnapshot(String by, long sinceMs) {
	}

	/**
	 * Who elects: the voters of the configuration this member holds.
	 *
	 * @param configVersion the configuration's number within its epoch
	 * @param voters the voters' member ids
	 * @param departed the voters known to have stopped for good holding this
	 * configuration or an older one: they no longer count, and are replaced next (a voter
	 * that stopped holding a later configuration, which this member does not hold, still
	 * counts here, as a crashed voter does, and is not listed)
	 * @param selfVotes whether this member is one of the voters
	 * @param committed whether a majority of the voters that may still vote hold this
	 * configuration
	 * @param target how many voters the group wants
	 */
	public record ElectorateSnapshot(int configVersion, List<String> voters, List<String> departed, boolean selfVotes,
			boolean committed, int target) {

		public ElectorateSnapshot {
			voters = List.copyOf(voters);
			departed = List.copyOf(departed);
		}

	}

	/**
	 * The partition fence (see {@link PartitionMode}). The application's write path
	 * compares its own clock with {@code leaseUntilMs} at every write, so a member that
	 * was frozen past its lease refuses writes before it has processed anything it
	 * missed.
	 *
	 * @param mode the configured partition mode
	 * @param leaseUntilMs until when, on the coordinator's monotonic clock, writes are
	 * admitted ({@link Long#MAX_VALUE} in available mode or while no electorate exists)
	 * @param fenced whether writes were refused when the snapshot was taken
	 * @param reason why writes are admitted or refused, for people
	 * @param sinceMs when the current fence began, on the coordinator's clock; -1 when
	 * not fenced
	 * @param votersWithMaster the voters (this member included) known to reach the master
	 * within fence-after
	 * @param votersNeeded how many of them admit writes: a majority of the voters that
	 * may still vote
	 * @param replicasAttached whether every replica was last seen streaming from the
	 * master, which keeps any of them from being promoted (see docs/protocol.md)
	 */
	public record FenceSnapshot(PartitionMode mode, long leaseUntilMs, boolean fenced, String reason, long sinceMs,
			int votersWithMaster, int votersNeeded, boolean replicasAttached) {

		/** Never fenced: for snapshots of scripted protocols. */
		public static final FenceSnapshot OPEN = new FenceSnapshot(PartitionMode.AVAILABLE, Long.MAX_VALUE, false,
				"available mode", -1, 0, 0, false);

		public FenceSnapshot {
			Objects.requireNonNull(mode, "mode");
			Objects.requireNonNull(reason, "reason");
		}

		/** Whether a write at {@code nowMs} (the coordinator's clock) is admitted. */
		public boolean admitsWrites(long nowMs) {
			return nowMs < this.leaseUntilMs;
		}

	}

	/**
	 * Sentinel's {@code CKQUORUM}: how many members (this one included) were heard from
	 * recently, out of how many voters, and whether that is enough to declare the master
	 * down and to elect a leader.
	 *
	 * @param reachableMembers this member plus the members heard from within the opinion
	 * validity
	 * @param voters the members that count in an election (see docs/protocol.md)
	 * @param quorum the configured quorum
	 * @param electionNeeded the votes a candidate needs:
	 * {@code max(quorum, voters / 2 + 1)}
	 */
	public record QuorumCheck(int reachableMembers, int voters, int quorum, int electionNeeded) {

		/** Whether enough members are reachable to agree that the master is down. */
		public boolean quorumReachable() {
			return this.reachableMembers >= this.quorum;
		}

		/** Whether enough members are reachable to elect a leader. */
		public boolean electionReachable() {
			return this.reachableMembers >= this.electionNeeded;
		}

	}

	/** Whether a node is answering. */
	public enum NodeStatus {

		UP, DOWN, UNKNOWN

	}

	/**
	 * One Redis node.
	 *
	 * @param address where it listens
	 * @param role {@code master} or {@code replica}, or {@code unknown} before the first
	 * INFO
	 * @param status up, down (no valid reply for down-after) or unknown (never reached)
	 * @param runId its run id; empty before the first INFO
	 * @param offset its replication offset
	 * @param lag for a replica, bytes behind its master; -1 when unknown
	 * @param linkStatus for a replica, {@code up} or {@code down}: its link to the master
	 * it follows
	 * @param following for a replica, the master its INFO names, which is not the group's
	 * master while it is being repointed; null for a master or before the first INFO
	 * @param priority its replica-priority
	 * @param lastReplyAgeMs time since its last valid reply (PING or INFO), or for an
	 * observer since it last passed gossip on if that is later; -1 when never
	 */
	public record NodeSnapshot(NodeAddress address, String role, NodeStatus status, String runId, long offset, long lag,
			@Nullable String linkStatus, @Nullable NodeAddress following, int priority, long lastReplyAgeMs) {

		/**
		 * Whether it is a replica up, with its link up to the given master: one that
		 * holds that master's writes as they come.
		 */
		public boolean streamsFrom(NodeAddress master) {
			return "replica".equals(this.role) && this.status == NodeStatus.UP && "up".equals(this.linkStatus)
					&& master.equals(this.following);
		}

	}

	/**
	 * One member (an application instance in this group).
	 *
	 * @param id its id, new at every process start
	 * @param application its application name
	 * @param self whether it is this member
	 * @param lastSeenMs time since its last message; 0 for this member
	 * @param epoch its current epoch
	 * @param master the master it believes in; null when none
	 * @param configEpoch its config epoch
	 * @param seesMasterDown whether it currently says the master is down
	 * @param endpoint where its Sentinel-protocol endpoint listens; null when it serves
	 * none
	 */
	public record MemberSnapshot(String id, String application, boolean self, long lastSeenMs, long epoch,
			@Nullable NodeAddress master, long configEpoch, boolean seesMasterDown, @Nullable NodeAddress endpoint) {
	}

	/** What started a failover. */
	public enum Trigger {

		/** The master was objectively down and this member won the election. */
		AUTOMATIC,
		/** An operator forced it, like {@code SENTINEL FAILOVER}. */
		FORCED,
		/**
		 * An operator asked for a planned change of master without losing acknowledged
		 * writes.
		 */
		SWITCHOVER,
		/**
		 * Learned from another member's announcement: what triggered it is not known
		 * here.
		 */
		OBSERVED

	}

	/**
	 * A failover, finished or not.
	 *
	 * @param epoch its epoch
	 * @param leader the member that led it
	 * @param oldMaster the master it replaced
	 * @param newMaster the promoted replica; null before selection
	 * @param startedAtMs when it started, on the coordinator's monotonic clock (the
	 * endpoint shows wall-clock time)
	 * @param endedAtMs when it ended, on the same clock; -1 while under way
	 * @param result {@code in-progress}, {@code succeeded} or why it was aborted
	 * @param steps each step with its time offset from the start
	 * @param trigger what started it
	 * @param writesAtRiskBytes the replication offset the old master was last seen at
	 * minus the promoted replica's offset when it was selected: an estimate of the
	 * acknowledged writes lost, in bytes of replication stream; -1 when unknown
	 */
	public record FailoverSnapshot(long epoch, String leader, NodeAddress oldMaster, @Nullable NodeAddress newMaster,
			long startedAtMs, long endedAtMs, String result, List<Step> steps, Trigger trigger,
			long writesAtRiskBytes) {

		public FailoverSnapshot {
			steps = List.copyOf(steps);
		}

		/** An automatic failover whose writes at risk are unknown. */
		public FailoverSnapshot(long epoch, String leader, NodeAddress oldMaster, @Nullable NodeAddress newMaster,
				long startedAtMs, long endedAtMs, String result, List<Step> steps) {
			this(epoch, leader, oldMaster, newMaster, startedAtMs, endedAtMs, result, steps, Trigger.AUTOMATIC, -1);
		}

		/** Whether it ended with the new master in place. */
		public boolean succeeded() {
			return this.endedAtMs >= 0 && this.result.startsWith("succeeded");
		}

		/**
		 * One step of a failover and when it happened, in milliseconds since the start.
		 */
		public record Step(String name, long atMs) {
		}

	}

}
