package io.redisha.protocol;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * The master this member follows: the configuration's, or before one is known, the nodes'
 * own answer; and since when.
 */
final class MasterView {

	private @Nullable NodeAddress address;

	private long since = -1;

	private long tenureSince = -1;

	/** The master followed; null while none is known. */
	@Nullable NodeAddress address() {
		return this.address;
	}

	/** When this member began to follow it; -1 while none is known. */
	long since() {
		return this.since;
	}

	/**
	 * When this member began to follow the master's current tenure as far as it knows:
	 * when it began to follow the node, or later, when it adopted a configuration of a
	 * later epoch naming the same node (it may have missed failovers away from that node
	 * and back: a tenure of the node that began after what this member saw of it); -1
	 * while none is known.
	 */
	long tenureSince() {
		return this.tenureSince;
	}

	/**
	 * The master followed, where one is known: always once a configuration is held, which
	 * names it.
	 */
	NodeAddress required() {
		return Objects.requireNonNull(this.address, "no master is known");
	}

	boolean known() {
		return this.address != null;
	}

	void follow(NodeAddress address, long now) {
		this.address = address;
		this.since = now;
		this.tenureSince = now;
	}

	/**
	 * A configuration of a later epoch names the master followed: whatever this member
	 * saw of the node before may belong to an earlier tenure.
	 */
	void newTenure(long now) {
		this.tenureSince = now;
	}

}
