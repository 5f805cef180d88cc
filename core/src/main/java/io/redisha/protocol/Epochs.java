package io.redisha.protocol;

import java.util.List;

import io.redisha.protocol.ProtocolEvent.Type;

/** The highest epoch this member knows of. */
final class Epochs {

	private final long quietUntil;

	private final VoteBook voteBook;

	private final Events events;

	private final long initialEpoch;

	private final long startedAt;

	private long current;

	Epochs(long initialEpoch, long startedAt, long quietUntil, VoteBook voteBook, Events events) {
		this.initialEpoch = initialEpoch;
		this.startedAt = startedAt;
		this.current = initialEpoch;
		this.quietUntil = quietUntil;
		this.voteBook = voteBook;
		this.events = events;
		this.voteBook.observedWhileQuiet(initialEpoch);
	}

	long current() {
		return this.current;
	}

	/**
	 * The initial epoch moved on by the time since the start: the runtime passes the
	 * host's wall clock in milliseconds as the initial epoch, so this is about that clock
	 * now, read without the steps it may have taken since.
	 */
	long startClock(long now) {
		return this.initialEpoch + (now - this.startedAt);
	}

	/** Moves to the next epoch, to stand in it. */
	long next() {
		return ++this.current;
	}

	/**
	 * An epoch heard of: one heard while quiet is never voted in (see {@link VoteBook}).
	 */
	void observe(long now, long epoch, List<Action> out) {
		if (now < this.quietUntil) {
			this.voteBook.observedWhileQuiet(epoch);
		}
		if (epoch > this.current) {
			this.current = epoch;
			this.events.emit(out, Type.NEW_EPOCH, this.current, null, null);
		}
	}

}
