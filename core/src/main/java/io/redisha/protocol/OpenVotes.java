package io.redisha.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * The votes a member cast whose outcome it does not know yet, oldest first, up to a
 * bound. Full, it takes no more: a member that could not remember a vote must not cast
 * it, since forgetting one could let it vouch for a master that a leader elected with
 * that vote has deposed.
 *
 * @param <V> what is remembered of a vote
 */
final class OpenVotes<V> {

	private final int capacity;

	private final List<V> votes = new ArrayList<>();

	OpenVotes(int capacity) {
		this.capacity = capacity;
	}

	/**
	 * Whether one more vote can be remembered, once those known to be over are dropped.
	 */
	boolean hasRoom(Predicate<V> over) {
		this.votes.removeIf(over);
		return this.votes.size() < this.capacity;
	}

	/** Remembers a vote just cast; callers ask {@link #hasRoom} first. */
	void add(V vote) {
		if (this.votes.size() >= this.capacity) {
			throw new IllegalStateException("no room for another open vote");
		}
		this.votes.add(vote);
	}

	/**
	 * The latest of the votes not known to be over that {@code counts} accepts; null when
	 * none.
	 */
	@Nullable V latest(Predicate<V> over, Predicate<V> counts) {
		this.votes.removeIf(over);
		for (int i = this.votes.size() - 1; i >= 0; i--) {
			V vote = this.votes.get(i);
			if (counts.test(vote)) {
				return vote;
			}
		}
		return null;
	}

}
