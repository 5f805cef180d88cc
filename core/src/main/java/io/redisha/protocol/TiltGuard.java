package io.redisha.protocol;

/**
 * Notices when this member's own timer cannot be trusted: a gap between ticks longer than
 * the threshold (a GC pause, a frozen container) or time going backwards. Then the member
 * is in TILT until {@code tiltDuration} after the last such anomaly: what it measured
 * around the gap (silences, vote timings) may be an artefact of its own pause.
 */
final class TiltGuard {

	private final long threshold;

	private final long duration;

	private long lastTickAt;

	private long lastInputAt;

	private long tiltUntil = -1;

	TiltGuard(long threshold, long duration, long now) {
		this.threshold = threshold;
		this.duration = duration;
		this.lastTickAt = now;
		this.lastInputAt = now;
	}

	/**
	 * Checks the clock at any input (a reply or message handled after a long pause is
	 * already suspect, even before the next tick). Returns true when this input starts a
	 * TILT.
	 */
	boolean observe(long now, boolean tick) {
		boolean anomaly = now < this.lastInputAt || now - this.lastTickAt > this.threshold;
		this.lastInputAt = now;
		if (tick || anomaly) {
			this.lastTickAt = now;
		}
		if (!anomaly) {
			return false;
		}
		boolean starts = !tilted(now);
		this.tiltUntil = now + this.duration;
		return starts;
	}

	boolean tilted(long now) {
		return this.tiltUntil >= 0 && now < this.tiltUntil;
	}

	/** Whether a TILT was on and has just run out: the caller announces it once. */
	boolean ended(long now) {
		if (this.tiltUntil >= 0 && now >= this.tiltUntil) {
			this.tiltUntil = -1;
			return true;
		}
		return false;
	}

}
