package io.redisha.protocol;

import java.util.List;

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
 * @param rejectedMessages gossip messages ignored because malformed, oversized or foreign
 * @param lastFailover the last failover this member took part in or heard of; null when none
 */
public record GroupSnapshot(String name, GroupState state, long currentEpoch, long configEpoch, int quorum,
		NodeSnapshot master, List<NodeSnapshot> replicas, List<MemberSnapshot> members, long rejectedMessages,
		FailoverSnapshot lastFailover) {

	public GroupSnapshot {
		replicas = List.copyOf(replicas);
		members = List.copyOf(members);
	}

	/** Whether a node is answering. */
	public enum NodeStatus {

		UP, DOWN, UNKNOWN

	}

	/**
	 * One Redis node.
	 * @param address where it listens
	 * @param role {@code master} or {@code replica}, or {@code unknown} before the first INFO
	 * @param status up, down (no valid reply for down-after) or unknown (never reached)
	 * @param runId its run id; empty before the first INFO
	 * @param offset its replication offset
	 * @param lag for a replica, bytes behind its master; -1 when unknown
	 * @param linkStatus for a replica, {@code up} or {@code down}: its link to the master
	 * @param priority its replica-priority
	 * @param lastReplyAgeMs time since its last valid PING reply; -1 when never
	 */
	public record NodeSnapshot(NodeAddress address, String role, NodeStatus status, String runId, long offset,
			long lag, String linkStatus, int priority, long lastReplyAgeMs) {
	}

	/**
	 * One member (an application instance in this group).
	 * @param id its id, new at every process start
	 * @param application its application name
	 * @param self whether it is this member
	 * @param lastSeenMs time since its last message; 0 for this member
	 * @param epoch its current epoch
	 * @param master the master it believes in; null when none
	 * @param configEpoch its config epoch
	 * @param seesMasterDown whether it currently says the master is down
	 */
	public record MemberSnapshot(String id, String application, boolean self, long lastSeenMs, long epoch,
			NodeAddress master, long configEpoch, boolean seesMasterDown) {
	}

	/**
	 * A failover, finished or not.
	 * @param epoch its epoch
	 * @param leader the member that led it
	 * @param oldMaster the master it replaced
	 * @param newMaster the promoted replica; null before selection
	 * @param startedAtMs when it started, on the coordinator's monotonic clock (the endpoint shows wall-clock time)
	 * @param endedAtMs when it ended, on the same clock; -1 while under way
	 * @param result {@code in-progress}, {@code succeeded} or why it was aborted
	 * @param steps each step with its time offset from the start
	 */
	public record FailoverSnapshot(long epoch, String leader, NodeAddress oldMaster, NodeAddress newMaster,
			long startedAtMs, long endedAtMs, String result, List<Step> steps) {

		public FailoverSnapshot {
			steps = List.copyOf(steps);
		}

		/** One step of a failover and when it happened, in milliseconds since the start. */
		public record Step(String name, long atMs) {
		}

	}

}
