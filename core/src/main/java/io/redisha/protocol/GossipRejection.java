package io.redisha.protocol;

import java.util.Locale;

/**
 * Why a gossip payload, or a node a node's INFO reported, was ignored. Every rejection is
 * counted under one of these.
 */
public enum GossipRejection {

	/**
	 * Longer than {@link GossipSeal#MAX_LENGTH}: dropped as it arrived, before being
	 * queued.
	 */
	OVERSIZED,
	/** Arrived while the group's inbound queue was full: dropped as it arrived. */
	QUEUE_FULL,
	/**
	 * Carries no MAC: from a member without the gossip secret, or not from a member at
	 * all.
	 */
	UNSIGNED,
	/** Its MAC matches none of the configured gossip secrets. */
	BAD_SIGNATURE,
	/**
	 * Signed more than {@link GossipSeal#MAX_AGE_MILLIS} away from this member's wall
	 * clock: a replay, or a clock off.
	 */
	STALE,
	/** Signed, but not a well-formed message (a bug, or another version). */
	MALFORMED,
	/** A well-formed message of another group. */
	FOREIGN_GROUP,
	/** From a new member while the member table is full. */
	MEMBER_TABLE_FULL,
	/**
	 * Holds a configuration whose master is neither a configured node nor reported by
	 * one's INFO: adopted only once the nodes report it (gossip never makes a member
	 * connect to a server, or send it credentials).
	 */
	UNKNOWN_MASTER,
	/**
	 * A node a master's INFO reports while {@link NodeTracker#MAX_NODES} nodes are
	 * monitored already.
	 */
	NODE_TABLE_FULL;

	/**
	 * The reason as shown on the endpoint and in metric tags, e.g. {@code bad-signature}.
	 */
	public String tag() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
