package io.redisha.member;

import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.NodeAddress;

/**
 * What a member does besides the protocol events, for metrics: PING round trips, gossip
 * traffic, failovers entering the history. Called on the member's threads (a group's
 * thread or a Lettuce thread): implementations must be thread-safe and must not block.
 */
public interface MemberActivityListener {

	/**
	 * A node answered a PING (with any reply, also an error such as LOADING) after
	 * {@code nanos}.
	 */
	default void pingAnswered(String group, NodeAddress node, long nanos) {
	}

	/**
	 * This member published one gossip message (on every reachable node of the group).
	 */
	default void gossipSent(String group) {
	}

	/**
	 * A gossip payload arrived from one node (a message published on the master arrives
	 * once per node).
	 */
	default void gossipReceived(String group) {
	}

	/**
	 * Fencing the master as configured (min-replicas-to-write) failed: refused (an ACL
	 * without CONFIG SET) or unanswered. The node's problem says why, logged once.
	 */
	default void masterFenceFailed(String group, NodeAddress node) {
	}

	/**
	 * A failover or switchover, led by this member or learned from another, entered the
	 * history.
	 */
	default void failoverRecorded(String group, FailoverSnapshot failover) {
	}

}
