package io.redisha.protocol;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.Configuration.Departure;

/**
 * What this member knows of the group's agreed configuration: the newest one it holds,
 * and the members known to have stopped for good with the configuration each held. A
 * configuration is <b>committed</b> once a strict majority of its voters that may still
 * vote hold it or a later one; see docs/protocol.md for why that makes an older
 * configuration unable to elect.
 */
final class Electorate {

	private final String self;

	private @Nullable Configuration config;

	/** Whether {@link #config} names this member a voter: asked at every step. */
	private boolean selfVotes;

	private final Map<String, Departure> departed = new HashMap<>();

	/** The newest configuration this member asked a node to store; null before any. */
	private @Nullable Configuration newestStored;

	private final Map<String, Long> departureLearnedAt = new HashMap<>();

	Electorate(String self) {
		this.self = self;
	}

	/**
	 * Notes the configurations this member asks nodes to store; not a founding's, which
	 * lands only where no configuration exists (one that lands is read back and held, and
	 * members that lose the race, their epochs drawn from their own clocks, hold the
	 * winner's, perhaps of a lower epoch).
	 */
	void noteStores(List<Action> out) {
		for (Action action : out) {
			if (action instanceof Action.StoreConfiguration store && store.condition() != Action.StoreCondition.ABSENT
					&& store.config().newerThan(this.newestStored)) {
				this.newestStored = store.config();
			}
		}
	}

	/**
	 * Whether this member asked a node to store a configuration newer than the one it
	 * holds (a failover it led and gave up on, its store unanswered): that configuration
	 * may stand on the node, made by this member though it does not hold it.
	 */
	boolean storedNewerThanHeld() {
		return this.newestStored != null && this.newestStored.newerThan(this.config);
	}

	/** The configuration held; null before one is learned or founded. */
	@Nullable Configuration config() {
		return this.config;
	}

	/**
	 * Holds {@code candidate} if it is newer than the one held; returns whether it was.
	 */
	boolean adopt(Configuration candidate) {
		if (candidate == null || !candidate.newerThan(this.config)) {
			return false;
		}
		this.config = candidate;
		this.selfVotes = candidate.isVoter(this.self);
		return true;
	}

	boolean selfVotes() {
		return this.selfVotes;
	}

	boolean isVoter(String member) {
		return this.config != null && this.config.isVoter(member);
	}

	/**
	 * A member stopped for good holding {@code holding}; the first word on it is kept,
	 * with when this member learned it.
	 */
	void departed(String member, Departure holding, long now) {
		if (this.departed.putIfAbsent(member, holding) == null) {
			this.departureLearnedAt.put(member, now);
		}
	}

	/** When this member learned that the member departed; -1 if it did not. */
	long departureLearnedAt(String member) {
		return this.departureLearnedAt.getOrDefault(member, -1L);
	}

	boolean hasDeparted(String member) {
		return this.departed.containsKey(member);
	}

	Map<String, Departure> departures() {
		return this.departed;
	}

	/**
	 * Whether every voter of the held configuration stopped for good holding it or an
	 * older one: nobody can ever elect with it, and the group may found a new electorate
	 * in its place.
	 */
	boolean allDeparted() {
		return this.config != null && this.config.liveVoters(this.departed).isEmpty();
	}

	/**
	 * Whether a strict majority of the voters that may still vote hold this configuration
	 * or a later one.
	 */
	boolean committed(Iterable<Peer> peers) {
		if (this.config == null) {
			return false;
		}
		int holders = selfVotes() ? 1 : 0;
		for (Peer peer : peers) {
			if (this.config.isVoter(peer.id()) && !this.departed.containsKey(peer.id()) && holds(peer)) {
				holders++;
			}
		}
		return holders >= this.config.majority(this.departed);
	}

	/**
	 * Whether the peer's latest hello holds this member's configuration or a later one.
	 */
	boolean holds(Peer peer) {
		return peer.config() != null && !Objects.requireNonNull(this.config).newerThan(peer.config());
	}

	/** Whether the peer's latest hello holds exactly this member's configuration. */
	boolean sameAs(Peer peer) {
		return this.config != null && peer.config() != null
				&& this.config.is(peer.config().epoch(), peer.config().version());
	}

}
