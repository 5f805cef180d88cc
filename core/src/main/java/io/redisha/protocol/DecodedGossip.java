package io.redisha.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The messages of the latest gossip payloads decoded. One publish reaches a member once
 * through every node it listens on, and again through those nodes' replicas, the same
 * text each time: decoding it once spares most of the decoding, the costliest part of
 * receiving gossip. Decoding is a function of the text alone and messages are immutable,
 * so a message kept here is the one decoding would give again; a malformed payload is not
 * kept, and is refused every time.
 */
final class DecodedGossip {

	/**
	 * How many payloads are kept, the oldest forgotten first: the copies of one publish
	 * arrive within the network's delays, while a few dozen other messages at most do.
	 */
	static final int CAPACITY = 64;

	private final Map<String, GossipMessage> recent = new LinkedHashMap<>();

	/**
	 * @throws IllegalArgumentException as {@link GossipCodec#decode} does
	 */
	GossipMessage decode(String payload) {
		GossipMessage message = this.recent.get(payload);
		if (message == null) {
			message = GossipCodec.decode(payload);
			this.recent.put(payload, message);
			if (this.recent.size() > CAPACITY) {
				this.recent.remove(this.recent.keySet().iterator().next());
			}
		}
		return message;
	}

}
