package io.redisha.protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The other members of the group. Every message from a member refreshes it; a goodbye
 * removes it at once (and its id is never accepted again); a member not heard from for
 * {@code memberExpiry} is forgotten. Who votes is not decided here but by the configuration
 * (see {@link Electorate}).
 */
final class MemberTable {

	private final String selfId;

	private final long memberExpiry;

	private final Map<String, Peer> peers = new LinkedHashMap<>();

	/** Members that said goodbye, with when, so that a late duplicate does not bring them back. */
	private final Map<String, Long> departed = new HashMap<>();

	MemberTable(String selfId, long memberExpiry) {
		this.selfId = selfId;
		this.memberExpiry = memberExpiry;
	}

	/** The outcome of receiving one message. */
	enum Receipt {

		/** New: process it. */
		NEW,
		/** Its first message: a member joined; process it. */
		JOINED,
		/** Already received through another node, sent by this member itself, or from a departed member. */
		IGNORED

	}

	Receipt receive(GossipMessage message, long now) {
		String sender = message.sender();
		if (sender.equals(this.selfId) || this.departed.containsKey(sender)) {
			return Receipt.IGNORED;
		}
		Peer peer = this.peers.get(sender);
		boolean joined = peer == null;
		if (joined) {
			peer = new Peer(sender, now);
			this.peers.put(sender, peer);
		}
		if (!peer.accept(message.sequence())) {
			return Receipt.IGNORED;
		}
		return joined ? Receipt.JOINED : Receipt.NEW;
	}

	Peer get(String id) {
		return this.peers.get(id);
	}

	void depart(String id, long now) {
		this.peers.remove(id);
		this.departed.put(id, now);
	}

	/** Drops a member at once (an operator's forget); it comes back with its next message if alive. */
	boolean forget(String id) {
		return this.peers.remove(id) != null;
	}

	/** Forgets members silent for longer than the expiry; returns their ids. */
	List<String> expire(long now) {
		List<String> expired = new ArrayList<>();
		for (Iterator<Peer> it = this.peers.values().iterator(); it.hasNext();) {
			Peer peer = it.next();
			if (now - peer.lastSeenAt() > this.memberExpiry) {
				expired.add(peer.id());
				it.remove();
			}
		}
		this.departed.values().removeIf((at) -> now - at > this.memberExpiry);
		return expired;
	}

	Iterable<Peer> peers() {
		return this.peers.values();
	}

}
