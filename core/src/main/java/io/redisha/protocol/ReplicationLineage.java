package io.redisha.protocol;

import java.util.Objects;
import java.util.function.BiPredicate;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.ReplicationInfo.Role;

/**
 * Which replication history holds the group's data, by Redis's replication ids, so that a
 * node is treated as the master only if its data continues that history. A node restarted
 * without its data (no persistence, a container started anew) comes back with a history
 * of its own: followed as master, it would make every replica resync to its empty data
 * set, whatever it was configured to follow before.
 */
final class ReplicationLineage {

	private ReplicationLineage() {
	}

	/**
	 * A replication history, by id, and how far this member saw the failed master have
	 * it.
	 *
	 * @param id the replication id; empty when unknown
	 * @param offset the failed master's offset in it as last seen
	 * @param seenBefore whether the failed master was last seen before this member
	 * followed it as master: as a replica, or as the master of an earlier tenure (demoted
	 * and promoted again since). It was promoted since, at an offset not known here, and
	 * left this history there for one of its own. A node further along this history went
	 * on without it (a stale branch), unless it is within what the failed master was seen
	 * to hold, and so did a replica of another node that left this history for another
	 * one
	 */
	record History(String id, long offset, boolean seenBefore) {

		History(String id, long offset) {
			this(id, offset, false);
		}

		/**
		 * Whether a node's data, in this history up to {@code nodeOffset}, may have
		 * branched off it.
		 */
		boolean branchedOff(String nodeReplicationId, long nodeOffset) {
			return this.seenBefore && this.id.equals(nodeReplicationId) && nodeOffset > this.offset;
		}

		/**
		 * Whether a node's data branched off this history in its current one or where it
		 * left it: a master promoted from this history further along it than the failed
		 * master was seen to hold was promoted from someone else's.
		 */
		boolean branchedOff(ReplicationInfo node) {
			return branchedOff(node.replicationId(), node.offset())
					|| branchedOff(node.secondReplicationId(), node.secondReplicationOffset() - 1);
		}

		/**
		 * Whether a replica's data left this history for another one that need not be the
		 * failed master's: when the failed master was last seen as a replica, its own new
		 * history is not known here, and only its replicas took it. A replica of some
		 * other node in another history (one that a master promoted elsewhere started) is
		 * a branch the failed master never had, lacking the writes the failed master took
		 * as master, whatever offset it left this history at.
		 */
		boolean leftFor(ReplicationInfo replica, NodeAddress failed) {
			return this.seenBefore && !this.id.equals(replica.replicationId()) && !failed.equals(replica.master());
		}

		/**
		 * The least offset a node must hold to have some of the data: none of a group
		 * that never took a write (a new group's offsets are 0 until its first write or
		 * replication PING).
		 */
		long someOfIt() {
			return Math.min(1, this.offset);
		}

	}

	/**
	 * The failed master's current tenure as this member knows it: since when it has
	 * followed it ({@link MasterView#tenureSince()}, -1 when unknown) and the epoch of
	 * the configuration it holds, which names it.
	 */
	record Tenure(long since, long epoch) {

		static final Tenure UNKNOWN = new Tenure(-1, 0);

	}

	/**
	 * The history of the failed master's data as this member last saw it: from its own
	 * latest INFO, but from the INFO before its restart while {@code rebootWindow} after
	 * a restart lasts (a master restarted without its data is failed over to replicas
	 * that still have it). When this member never read its INFO, or read it only before
	 * it followed the node as master ({@code masterSince}, -1 when unknown: such INFO
	 * tells a history the node may have left since, as a replica or demoted and promoted
	 * again), as its replicas report it (the most advanced one) whose data holds a
	 * configuration stored on it since that INFO: only that shows their data came from
	 * it. A replica naming it as its master may have been pointed at it and never synced
	 * (its link was up to another master then), and a history continued under a new id,
	 * which a promotion shows, is also what Redis 7 shows after a restart from RDB.
	 * Failing that, the old INFO, marked as {@link History#seenBefore seen before},
	 * unless its data then held an older configuration than this member's
	 * ({@link NodeState#storedBehind()}): then unknown.
	 */
	static History ofFailedMaster(NodeAddress failed, @Nullable NodeState failedNode, Iterable<NodeState> nodes,
			long now, long rebootWindow, Tenure tenure) {
		long masterSince = tenure.since();
		boolean seenBefore = failedNode != null && failedNode.info() != null && failedNode.infoAt() < masterSince;
		if (failedNode != null && failedNode.info() != null && !seenBefore) {
			ReplicationInfo seen = restartedMaster(failedNode, now, rebootWindow)
					? Objects.requireNonNull(failedNode.infoBeforeRestart()) : failedNode.answeredInfo();
			return new History(seen.replicationId(), seen.offset());
		}
		if (!seenBefore) {
			return reportedSinceSeen(failed, nodes, null, tenure.epoch());
		}
		// A replica whose data holds a configuration stored on the failed master after
		// this member saw it has its data from the failed master since: its history is
		// the failed master's, whatever the one it was seen in (it may have left that one
		// by a full resync, a stray on a branch of its own repointed to the group's
		// master, then promoted).
		History since = reportedSinceSeen(failed, nodes, Objects.requireNonNull(failedNode).stored(), tenure.epoch());
		if (!since.id().isEmpty()) {
			return since;
		}
		if (failedNode.storedBehind()) {
			// Seen with data behind the configuration this member held then: not the
			// group's data (a stray master on a branch of its own, say). To be promoted
			// since it had to resync from the group's master, in full if its branch was
			// not a prefix of that master's: what it was seen holding, and any replica
			// still holding that, tells nothing of its data now. Unknown: wait.
			return new History("", 0, true);
		}
		ReplicationInfo seen = failedNode.answeredInfo();
		return new History(seen.replicationId(), seen.offset(), true);
	}

	/**
	 * The failed master's history as the most advanced of its replicas in sync with it
	 * reports it, among those whose data holds a configuration naming the failed master
	 * newer than the one its own data held when this member last saw it ({@code seen},
	 * null when not read); unknown when none does. A configuration is stored on the
	 * master it names only, so such a replica received the failed master's data after
	 * that: the history it reports is the one the failed master took since, not one from
	 * elsewhere, even if it does not hold the history the failed master was seen in (the
	 * failed master resynced in full since: seen as a stray master on a branch of its
	 * own, then repointed to the group's master and promoted from its data). A replica
	 * cut off from it (link down) counts only with a configuration of the current
	 * tenure's epoch or later: one of an earlier tenure of the failed master is on a
	 * replica that may have missed the current one. One streaming from it (link up) has
	 * its current history, whatever configuration its data holds yet (the newest one may
	 * still be on its way, right after a change of voters).
	 */
	private static History reportedSinceSeen(NodeAddress failed, Iterable<NodeState> nodes,
			@Nullable StoredConfiguration seen, long tenureEpoch) {
		Configuration seenConfig = (seen != null) ? seen.config() : null;
		return mostAdvancedReplica(failed, nodes, (node, info) -> {
			StoredConfiguration stored = node.stored();
			Configuration config = (stored != null) ? stored.config() : null;
			return config != null && failed.equals(config.master()) && config.newerThan(seenConfig)
					&& (info.masterLinkUp() || config.epoch() >= tenureEpoch);
		});
	}

	/**
	 * The history the most advanced replica of the failed master in sync with it reports,
	 * among those its test lets {@code tell}; unknown when none does.
	 */
	private static History mostAdvancedReplica(NodeAddress failed, Iterable<NodeState> nodes,
			BiPredicate<NodeState, ReplicationInfo> tell) {
		ReplicationInfo mostAdvanced = null;
		for (NodeState node : nodes) {
			ReplicationInfo info = node.info();
			if (info != null && info.role() == Role.REPLICA && failed.equals(info.master()) && !info.neverSynced()
					&& !info.syncInProgress() && tell.test(node, info)
					&& (mostAdvanced == null || info.offset() > mostAdvanced.offset())) {
				mostAdvanced = info;
			}
		}
		return (mostAdvanced != null) ? new History(mostAdvanced.replicationId(), mostAdvanced.offset())
				: new History("", 0);
	}

	/**
	 * Whether the node restarted as a master within the window, after answering as a
	 * master before.
	 */
	static boolean restartedMaster(NodeState node, long now, long rebootWindow) {
		return rebootWindow > 0 && node.restartedAt() >= 0 && now - node.restartedAt() < rebootWindow
				&& node.answeredInfo().role() == Role.MASTER
				&& Objects.requireNonNull(node.infoBeforeRestart()).role() == Role.MASTER;
	}

	/**
	 * How far a node answering master may be taken for the group's master without an
	 * election although no replica follows it: it must hold the data of every replica
	 * stranded by a master that no longer answers (up to that replica's offset). Waiting,
	 * for that master or a failover, is better than following a node started empty
	 * meanwhile.
	 * @return how many stranded replicas it holds the data of; -1 when it lacks one's
	 */
	static int strandedDataHeld(NodeState master, NodeTracker nodes) {
		int held = 0;
		for (NodeState node : nodes.all()) {
			ReplicationInfo info = node.info();
			if (info == null || node.infoFailed() || info.role() != Role.REPLICA || info.neverSynced()
					|| info.offset() <= 0) {
				continue;
			}
			NodeState followed = nodes.get(info.master());
			boolean stranded = followed == null || followed.infoFailed();
			if (stranded && !master.answeredInfo().holds(info.replicationId(), info.offset())) {
				return -1;
			}
			held += stranded ? 1 : 0;
		}
		return held;
	}

}
