package io.redisha.protocol;

/**
 * The sequence numbers already received from one sender: the highest one and which of the
 * {@value #WIDTH} below it were seen. A publish reaches a member once per node it is
 * subscribed to, possibly out of order; anything older than the window is treated as
 * seen.
 */
final class SequenceWindow {

	static final int WIDTH = 64;

	private long highest = -1;

	/** Bit i set: {@code highest - 1 - i} was seen. */
	private long below;

	/**
	 * Records the sequence number; returns false when it was seen before (or is too old
	 * to tell).
	 */
	boolean accept(long sequence) {
		if (sequence > this.highest) {
			long shift = sequence - this.highest;
			this.below = (shift > WIDTH) ? 0
					: (shift == WIDTH) ? 1L << (WIDTH - 1) : (this.below << shift) | (1L << (shift - 1));
			if (this.highest < 0) {
				this.below = 0;
			}
			this.highest = sequence;
			return true;
		}
		long distance = this.highest - sequence;
		if (distance == 0 || distance > WIDTH) {
			return false;
		}
		long bit = 1L << (distance - 1);
		if ((this.below & bit) != 0) {
			return false;
		}
		this.below |= bit;
		return true;
	}

}
