package io.redisha.protocol;

import org.jspecify.annotations.Nullable;

/**
 * This member's one vote per epoch. During the start-up quiet period every epoch this
 * member observes counts as one it may have voted in during a previous life (it has no
 * disk), so it will only ever vote in later epochs; see docs/protocol.md for the
 * argument.
 */
final class VoteBook {

	private long votedEpoch;

	private @Nullable String votedFor;

	/** The highest epoch this member voted in or may have voted in. */
	long votedEpoch() {
		return this.votedEpoch;
	}

	/**
	 * Whether this member gave its vote of {@code epoch} to {@code candidate} (then it
	 * may repeat it).
	 */
	boolean votedFor(long epoch, String candidate) {
		return this.votedEpoch == epoch && candidate.equals(this.votedFor);
	}

	/**
	 * Gives the vote of {@code epoch}; returns false when this member already voted in it
	 * or a later one.
	 */
	boolean grant(long epoch, String candidate) {
		if (epoch <= this.votedEpoch) {
			return false;
		}
		this.votedEpoch = epoch;
		this.votedFor = candidate;
		return true;
	}

	/** An epoch seen during the quiet period: treated as voted in, by nobody known. */
	void observedWhileQuiet(long epoch) {
		if (epoch > this.votedEpoch) {
			this.votedEpoch = epoch;
			this.votedFor = null;
		}
	}

}
