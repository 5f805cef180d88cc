package io.redisha.protocol;

/**
 * A message members exchange on {@link GroupCoordinator#GOSSIP_CHANNEL}. Every message names
 * its group, its sender (a member id) and the sender's sequence number, which increases with
 * every message the sender publishes: receivers drop a (sender, sequence) pair they have
 * already seen, since one publish reaches them through several nodes. See
 * {@link GossipCodec} for the wire format.
 */
public sealed interface GossipMessage {

	String group();

	String sender();

	long sequence();

	/**
	 * The periodic announcement of what a member believes.
	 * @param application the sender's application name
	 * @param currentEpoch the highest epoch the sender knows of
	 * @param master the master the sender believes in; null when it knows none
	 * @param configEpoch the epoch of that configuration
	 * @param masterDown whether the sender sees that master subjectively down
	 * @param failoverEpoch the epoch of a failover the sender leads right now; 0 when none
	 */
	record Hello(String group, String sender, long sequence, String application, long currentEpoch,
			NodeAddress master, long configEpoch, boolean masterDown, long failoverEpoch) implements GossipMessage {
	}

	/** The sender stops gracefully: stop counting it as a voter at once. */
	record Goodbye(String group, String sender, long sequence) implements GossipMessage {
	}

	/** The sender is a candidate in {@code epoch} to fail over {@code failingMaster}. */
	record VoteRequest(String group, String sender, long sequence, long epoch, NodeAddress failingMaster)
			implements GossipMessage {
	}

	/** The sender grants its one vote of {@code epoch} to {@code candidate}. */
	record Vote(String group, String sender, long sequence, long epoch, String candidate, NodeAddress failingMaster)
			implements GossipMessage {
	}

}
