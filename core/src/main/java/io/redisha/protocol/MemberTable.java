package io.redisha.protocol;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The other members of the group, at most {@value #MAX_MEMBERS}. Every message from a
 * member refreshes it; a goodbye removes it at once (and its id is not accepted again); a
 * member not heard from for {@code memberExpiry} is forgotten. The sequence numbers of
 * departed and forgotten members are kept for at least {@link #REPLAY_HORIZON} ms, longer
 * than a sealed message stays fresh (see {@link GossipSeal}), so that a replayed message
 * of theirs is a duplicate. Who votes is not decided here but by the configuration (see
 * {@link Electorate}).
 */
final class MemberTable {

	/**
	 * The most members a group may have besides this one; messages of further new members
	 * are refused. Room for a service of hundreds of instances, and a bound on what
	 * strangers can make a member keep.
	 */
	static final int MAX_MEMBERS = 1024;

	/**
	 * How long the sequence numbers of a departed or forgotten member are kept, at least.
	 */
	static final long REPLAY_HORIZON = 2 * GossipSeal.MAX_AGE_MILLIS;

	private final String selfId;

	private final long memberExpiry;

	private final Map<String, Peer> peers = new LinkedHashMap<>();

	/**
	 * Members that said goodbye, with when, so that a late duplicate does not bring them
	 * back.
	 */
	private final Map<String, Long> departed = new LinkedHashMap<>();

	/**
	 * The sequence numbers of members forgotten while silent, so that a replay of theirs
	 * is a duplicate.
	 */
	private final Map<String, Forgotten> forgotten = new LinkedHashMap<>();

	MemberTable(String selfId, long memberExpiry) {
		this.selfId = selfId;
		this.memberExpiry = memberExpiry;
	}

	private record Forgotten(SequenceWindow sequences, long at) {
	}

	/** The outcome of receiving one message. */
	enum Receipt {

		/** New: process it. */
		NEW,
		/** Its first message: a member joined; process it. */
		JOINED,
		/**
		 * Already received through another node, sent by this member itself, or from a
		 * departed member.
		 */
		IGNORED,
		/** From a new member while {@value #MAX_MEMBERS} members are known: refused. */
		FULL

	}

	Receipt receive(GossipMessage message, long now) {
		String sender = message.sender();
		if (sender.equals(this.selfId) || this.departed.containsKey(sender)) {
			return Receipt.IGNORED;
		}
		Peer peer = this.peers.get(sender);
		if (peer != null) {
			return peer.accept(message.sequence()) ? Receipt.NEW : Receipt.IGNORED;
		}
		if (this.peers.size() >= MAX_MEMBERS) {
			return Receipt.FULL;
		}
		Forgotten before = this.forgotten.get(sender);
		SequenceWindow sequences = (before != null) ? before.sequences() : new SequenceWindow();
		if (!sequences.accept(message.sequence())) {
			return Receipt.IGNORED;
		}
		this.forgotten.remove(sender);
		this.peers.put(sender, new Peer(sender, now, sequences));
		return Receipt.JOINED;
	}

	@Nullable Peer get(String id) {
		return this.peers.get(id);
	}

	void depart(String id, long now) {
		this.peers.remove(id);
		this.departed.put(id, now);
		bound(this.departed);
	}

	/**
	 * Drops a member at once (an operator's forget); it comes back with its next message
	 * if alive.
	 */
	boolean forget(String id, long now) {
		Peer peer = this.peers.remove(id);
		if (peer != null) {
			this.forgotten.put(id, new Forgotten(peer.sequences(), now));
			bound(this.forgotten);
		}
		return peer != null;
	}

	private static void bound(Map<String, ?> remembered) {
		Iterator<String> oldest = remembered.keySet().iterator();
		while (remembered.size() > MAX_MEMBERS) {
			oldest.next();
			oldest.remove();
		}
	}

	/** Forgets members silent for longer than the expiry; returns their ids. */
	List<String> expire(long now) {
		List<String> expired = new ArrayList<>();
		for (Peer peer : this.peers.values()) {
			if (now - peer.lastSeenAt() > this.memberExpiry) {
				expired.add(peer.id());
			}
		}
		expired.forEach((id) -> forget(id, now));
		long kept = Math.max(this.memberExpiry, REPLAY_HORIZON);
		this.departed.values().removeIf((at) -> now - at > kept);
		this.forgotten.values().removeIf((gone) -> now - gone.at() > kept);
		return expired;
	}

	Iterable<Peer> peers() {
		return this.peers.values();
	}

}
