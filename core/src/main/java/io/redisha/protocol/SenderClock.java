package io.redisha.protocol;

/**
 * Translates another member's monotonic clock into this member's, without trusting either
 * wall clock. Every message's arrival time minus its send time is the clocks' offset plus
 * its delay; the smallest of these over the last minute or so is the offset plus the
 * least delay, so a message is placed no earlier than that least delay after it was
 * really sent. A message that waited in a buffer (this member or a node frozen, a stalled
 * connection) is placed when it was sent, not when it arrived. The window bounds the
 * error of clocks running at slightly different rates. Pure: time is an argument.
 * <p>
 * That holds only once some message arrived without waiting. The first messages heard
 * from a sender (by a member that just started, or after a silence that emptied the
 * window) may all have waited together (a node frozen with them in its buffers, then
 * resumed), and they alone would place themselves at their arrival: {@link #since()} says
 * when the current samples began, so that their word is not taken at once.
 */
final class SenderClock {

	/**
	 * How long one sample of the least offset is kept: rates drift apart by well under 1
	 * ms in it.
	 */
	static final long WINDOW = 30_000;

	private long windowStart = -1;

	private long currentLeast = Long.MAX_VALUE;

	private long previousLeast = Long.MAX_VALUE;

	/**
	 * When the first sample arrived, since the last silence that emptied the window; -1
	 * before the first.
	 */
	private long since = -1;

	/** A message sent at {@code sentAt} on the sender's clock arrived at {@code now}. */
	void sample(long now, long sentAt) {
		if (this.windowStart < 0 || now - this.windowStart >= WINDOW) {
			boolean keep = this.windowStart >= 0 && now - this.windowStart < 2 * WINDOW;
			this.previousLeast = keep ? this.currentLeast : Long.MAX_VALUE;
			if (!keep) {
				this.since = now;
			}
			this.currentLeast = Long.MAX_VALUE;
			this.windowStart = now;
		}
		this.currentLeast = Math.min(this.currentLeast, now - sentAt);
	}

	/**
	 * When the samples began: the first one's arrival, since the last silence that
	 * emptied the window; -1 before the first.
	 */
	long since() {
		return this.since;
	}

	/** {@code senderTime} on this member's clock; only valid after a sample. */
	long toLocal(long senderTime) {
		return senderTime + Math.min(this.currentLeast, this.previousLeast);
	}

}
