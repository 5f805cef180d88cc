package io.redisha.protocol;

import java.util.Comparator;
import java.util.Optional;

import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.ReplicationInfo.Role;

/**
 * Chooses the replica to promote in place of a failed master. A node that already answers as a
 * master and either was a replica of the failed master (promoted by an earlier leader that then
 * failed) or is the node the failed master itself now replicates from, is adopted rather than
 * promoting a second one. Otherwise candidates must be up, with fresh INFO, a
 * non-zero priority, a master link not down for too long, and must still replicate this
 * group's history (its master is the failed master, or its replication id is the group's):
 * a recycled address now serving another cluster is never promoted. Best first: lower
 * priority, larger offset (less data lost), smaller run id.
 */
final class ReplicaSelector {

	private static final Comparator<NodeState> PREFERENCE = Comparator
		.comparingInt((NodeState node) -> node.info().priority())
		.thenComparing(Comparator.comparingLong((NodeState node) -> node.info().offset()).reversed())
		.thenComparing((NodeState node) -> node.info().runId());

	private final Timers timers;

	ReplicaSelector(Timers timers) {
		this.timers = timers;
	}

	/** The choice: which node, and whether it is already a master (no promotion needed). */
	record Choice(NodeState node, boolean alreadyPromoted) {
	}

	/**
	 * @param failed the failed master
	 * @param groupReplicationId the replication id last seen on the group's master; empty when unknown
	 */
	Optional<Choice> select(Iterable<NodeState> nodes, NodeAddress failed, String groupReplicationId, long now) {
		return select(nodes, failed, groupReplicationId, now, maxInfoAge(this.timers));
	}

	/**
	 * @param maxInfoAge INFO older than this is stale (an operator's failover of a healthy
	 * master accepts INFO of the calm-time period)
	 */
	Optional<Choice> select(Iterable<NodeState> nodes, NodeAddress failed, String groupReplicationId, long now,
			long maxInfoAge) {
		NodeState failedNode = null;
		for (NodeState node : nodes) {
			if (node.address().equals(failed)) {
				failedNode = node;
			}
		}
		long masterDownFor = (failedNode != null) ? now - failedNode.aliveAt() : 0;
		NodeState promoted = null;
		NodeState best = null;
		for (NodeState node : nodes) {
			if (node.address().equals(failed) || node.status(now, this.timers.downAfter()) != NodeStatus.UP
					|| node.info() == null) {
				continue;
			}
			if (node.role() == Role.MASTER && (failed.equals(node.lastFollowed())
					|| failedNode != null && failedNode.role() == Role.REPLICA
							&& node.address().equals(failedNode.following()))) {
				promoted = (promoted == null || node.info().offset() > promoted.info().offset()) ? node : promoted;
			}
			else if (eligible(node, failed, groupReplicationId, masterDownFor, now, maxInfoAge)
					&& (best == null || PREFERENCE.compare(node, best) < 0)) {
				best = node;
			}
		}
		if (promoted != null) {
			return Optional.of(new Choice(promoted, true));
		}
		return Optional.ofNullable(best).map((node) -> new Choice(node, false));
	}

	private boolean eligible(NodeState node, NodeAddress failed, String groupReplicationId, long masterDownFor,
			long now, long maxInfoAge) {
		ReplicationInfo info = node.info();
		if (node.role() != Role.REPLICA || info.priority() == 0 || now - node.infoAt() > maxInfoAge) {
			return false;
		}
		boolean ours = failed.equals(info.master())
				|| !groupReplicationId.isEmpty() && groupReplicationId.equals(info.replicationId());
		if (!ours) {
			return false;
		}
		long linkDownMillis = info.masterLinkUp() ? 0 : Math.max(0, info.masterLinkDownSeconds()) * 1000;
		return linkDownMillis <= masterDownFor + 10 * this.timers.downAfter();
	}

	/** INFO older than this is stale: during a failover INFO is read every PING period. */
	static long maxInfoAge(Timers timers) {
		return Math.max(3 * timers.fastInfoEvery(), 3 * Timers.TICK);
	}

}
