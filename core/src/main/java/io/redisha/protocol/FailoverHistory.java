package io.redisha.protocol;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;

/** The failovers this member led, tried or learned of, for the snapshot. */
final class FailoverHistory {

	private final int size;

	private @Nullable FailoverSnapshot last;

	/** The last failovers, newest first, at most the configured history size. */
	private final Deque<FailoverSnapshot> recent = new ArrayDeque<>();

	private long recorded;

	FailoverHistory(int size) {
		this.size = size;
	}

	/**
	 * Keeps an ended failover (or one learned from a peer) as the last one and in the
	 * history.
	 */
	void record(FailoverSnapshot failover) {
		this.last = failover;
		this.recent.addFirst(failover);
		while (this.recent.size() > this.size) {
			this.recent.removeLast();
		}
		this.recorded++;
	}

	/** The last failover: the running one, else the last recorded; null when none. */
	@Nullable FailoverSnapshot last(@Nullable FailoverSnapshot running) {
		return (running != null) ? running : this.last;
	}

	/** The running failover, if any, then those recorded, newest first. */
	List<FailoverSnapshot> list(@Nullable FailoverSnapshot running) {
		List<FailoverSnapshot> list = new ArrayList<>(this.recent);
		if (running != null) {
			list.add(0, running);
		}
		return list;
	}

	long recorded() {
		return this.recorded;
	}

}
