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

	/** The master followed; null while none is known. */
	@Nullable NodeAddress address() {
		return this.address;
	}

	/** When this member began to follow it; -1 while none is known. */
	long since() {
		return this.since;
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
	}

}
