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
	 * @param maintenance the group's maintenance mode as the sender knows it
	 */
	record Hello(String group, String sender, long sequence, String application, long currentEpoch,
			NodeAddress master, long configEpoch, boolean masterDown, long failoverEpoch,
			Maintenance maintenance) implements GossipMessage {

		public Hello {
			java.util.Objects.requireNonNull(maintenance, "maintenance");
		}

		/** A hello that knows of no maintenance mode. */
		public Hello(String group, String sender, long sequence, String application, long currentEpoch,
				NodeAddress master, long configEpoch, boolean masterDown, long failoverEpoch) {
			this(group, sender, sequence, application, currentEpoch, master, configEpoch, masterDown, failoverEpoch,
					Maintenance.NONE);
		}

	}

	/**
	 * The group's maintenance mode (pause), versioned so that the latest pause or resume wins
	 * everywhere: a higher version wins, and at equal versions the larger member id.
	 * @param version increases with every pause and resume
	 * @param paused whether automatic failover is paused
	 * @param by the member that paused or resumed it; empty for {@link #NONE}
	 */
	record Maintenance(long version, boolean paused, String by) {

		/** Never paused. */
		public static final Maintenance NONE = new Maintenance(0, false, "");

		/** Whether this one replaces {@code other}. */
		public boolean supersedes(Maintenance other) {
			return this.version > other.version || this.version == other.version && this.by.compareTo(other.by) > 0;
		}

	}

	/** The sender stops gracefully: stop counting it as a voter at once. */
	record Goodbye(String group, String sender, long sequence) implements GossipMessage {
	}

	/**
	 * The sender is a candidate in {@code epoch} to fail over {@code failingMaster}.
	 * @param forced whether an operator asked for it (a forced failover or a switchover): voters
	 * need not see the master down, and a majority of voters suffices without the quorum
	 */
	record VoteRequest(String group, String sender, long sequence, long epoch, NodeAddress failingMaster,
			boolean forced) implements GossipMessage {

		/** A request of an automatic failover. */
		public VoteRequest(String group, String sender, long sequence, long epoch, NodeAddress failingMaster) {
			this(group, sender, sequence, epoch, failingMaster, false);
		}

	}

	/** The sender grants its one vote of {@code epoch} to {@code candidate}. */
	record Vote(String group, String sender, long sequence, long epoch, String candidate, NodeAddress failingMaster)
			implements GossipMessage {
	}

}
