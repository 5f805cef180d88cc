package io.redisha.member;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.redisha.protocol.GossipRejection;
import io.redisha.protocol.GossipSeal;
import io.redisha.protocol.GroupCoordinator;

/**
 * Bounds the gossip waiting for a group's thread: on the Lettuce thread a payload is
 * refused when longer than {@link GossipSeal#MAX_LENGTH}, or when {@value #CAPACITY}
 * payloads are already waiting. Refusals are counted here, where they happen, and handed
 * to the coordinator on the group's thread.
 */
final class GossipInbox {

	/** The most gossip payloads that may wait for the group's thread. */
	static final int CAPACITY = 1_000;

	private final AtomicInteger waiting = new AtomicInteger();

	private final AtomicLong oversized = new AtomicLong();

	private final AtomicLong overflowed = new AtomicLong();

	/**
	 * Called on the Lettuce thread for each payload received.
	 * @return whether to queue it; then {@link #taken()} must follow once the group's
	 * thread has it
	 */
	boolean admit(String payload) {
		if (payload.length() > GossipSeal.MAX_LENGTH) {
			this.oversized.incrementAndGet();
			return false;
		}
		if (this.waiting.incrementAndGet() > CAPACITY) {
			this.waiting.decrementAndGet();
			this.overflowed.incrementAndGet();
			return false;
		}
		return true;
	}

	/** A queued payload reached the group's thread. */
	void taken() {
		this.waiting.decrementAndGet();
	}

	/**
	 * On the group's thread: tells the coordinator of the payloads refused since the last
	 * call.
	 */
	void report(GroupCoordinator coordinator) {
		long tooLong = this.oversized.getAndSet(0);
		if (tooLong > 0) {
			coordinator.rejected(GossipRejection.OVERSIZED, tooLong, tooLong + " payload(s) longer than "
					+ GossipSeal.MAX_LENGTH + " characters dropped as they arrived");
		}
		long dropped = this.overflowed.getAndSet(0);
		if (dropped > 0) {
			coordinator.rejected(GossipRejection.QUEUE_FULL, dropped,
					dropped + " payload(s) dropped: " + CAPACITY + " were waiting already");
		}
	}

}
