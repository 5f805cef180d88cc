package io.redisha.protocol.simulation;

import io.redisha.protocol.NodeAddress;

/**
 * One stretch of replication history: what one master wrote under one replication id, on
 * top of the first {@code from} bytes of its parent's history. A node's data is a chain
 * of segments read up to its offset ({@link Lineage}). Replicas share their master's
 * segments, so a partial resync keeps the prefix and a full resync takes the master's
 * chain; a promotion or a restart as master starts a segment on top of the node's data, a
 * restart without persistence starts a chain of its own. Compared by identity: a
 * replication id is created once.
 */
final class Segment {

	/** The epoch of segments that no election created. */
	static final long NO_EPOCH = -1;

	private final String replid;

	private final long from;

	private final Segment parent;

	private final NodeAddress node;

	private final long createdAt;

	private final long epoch;

	private final String origin;

	private Segment(String replid, long from, Segment parent, NodeAddress node, long createdAt, long epoch,
			String origin) {
		this.replid = replid;
		this.from = from;
		this.parent = parent;
		this.node = node;
		this.createdAt = createdAt;
		this.epoch = epoch;
		this.origin = origin;
	}

	/** The start of a history: a new node, or a node restarted with no data. */
	static Segment root(String replid, NodeAddress node, long now, String origin) {
		return new Segment(replid, 0, null, node, now, NO_EPOCH, origin);
	}

	/**
	 * A new replication id on top of the node's data (a promotion, or a restart as
	 * master).
	 */
	static Segment on(Lineage data, String replid, NodeAddress node, long now, long epoch, String origin) {
		return new Segment(replid, data.offset(), data.head(), node, now, epoch, origin);
	}

	String replid() {
		return this.replid;
	}

	/** The offset at which this segment starts: its first byte is {@code from + 1}. */
	long from() {
		return this.from;
	}

	/** The history this one continues; null for a root. */
	Segment parent() {
		return this.parent;
	}

	/** The node that started it. */
	NodeAddress node() {
		return this.node;
	}

	long createdAt() {
		return this.createdAt;
	}

	/**
	 * The epoch of the promotion that started it; {@link #NO_EPOCH} for a restart or a
	 * new node.
	 */
	long epoch() {
		return this.epoch;
	}

	@Override
	public String toString() {
		return this.node + " " + this.origin + " at " + String.format("%.1fs", this.createdAt / 1000.0) + " (replid "
				+ this.replid.substring(0, 8) + " from offset " + this.from + ")";
	}

}
