package io.redisha.protocol;

import org.jspecify.annotations.Nullable;

/**
 * A message members exchange on {@link GroupCoordinator#GOSSIP_CHANNEL}. Every message
 * names its group, its sender (a member id) and the sender's sequence number, which
 * increases with every message the sender publishes: receivers drop a (sender, sequence)
 * pair they have already seen, since one publish reaches them through several nodes. See
 * {@link GossipCodec} for the wire format.
 */
public sealed interface GossipMessage {

	String group();

	String sender();

	long sequence();

	/**
	 * The periodic announcement of what a member believes.
	 *
	 * @param application the sender's application name
	 * @param currentEpoch the highest epoch the sender knows of
	 * @param master the master the sender believes in; null when it knows none
	 * @param configEpoch the epoch of that configuration
	 * @param masterDown whether the sender sees that master subjectively down
	 * @param failoverEpoch the epoch of a failover the sender leads right now; 0 when
	 * none
	 * @param maintenance the group's maintenance mode as the sender knows it
	 * @param config the configuration the sender holds (its master is {@code master}, its
	 * epoch {@code configEpoch}); null when it holds none yet (it follows a master
	 * learned from the nodes)
	 * @param campaignEpoch the epoch in which the sender is a candidate right now; 0 when
	 * none
	 * @param sentAt when it was sent, on the sender's monotonic clock; -1 when not told
	 * @param masterReplyAge how long before sending the sender last had a valid reply
	 * from {@code master}, in milliseconds; -1 when never or not told. With
	 * {@code sentAt} it tells a receiver the earliest moment the sender could vote to
	 * fail that master over (see {@link WriteLease})
	 * @param openVoteEpoch the epoch of the latest vote the sender granted and whose
	 * election it cannot yet call over; 0 when none. A fresh reply from the master does
	 * not take back a vote already given, and that election's configuration may replace
	 * the master, so such a sender is no evidence for the write fence
	 * @param endpoint where the sender's Sentinel-protocol endpoint listens; null when it
	 * serves none
	 */
	record Hello(String group, String sender, long sequence, String application, long currentEpoch,
			@Nullable NodeAddress master, long configEpoch, boolean masterDown, long failoverEpoch,
			Maintenance maintenance, @Nullable Configuration config, long campaignEpoch, long sentAt,
			long masterReplyAge, long openVoteEpoch, @Nullable NodeAddress endpoint) implements GossipMessage {

		public Hello {
			java.util.Objects.requireNonNull(maintenance, "maintenance");
			if (config != null && (!config.master().equals(master) || config.epoch() != configEpoch)) {
				throw new IllegalArgumentException("hello names master " + master + " of config epoch " + configEpoch
						+ " but holds configuration " + config);
			}
		}

		/** A hello of a sender that serves no Sentinel-protocol endpoint. */
		public Hello(String group, String sender, long sequence, String application, long currentEpoch,
				@Nullable NodeAddress master, long configEpoch, boolean masterDown, long failoverEpoch,
				Maintenance maintenance, @Nullable Configuration config, long campaignEpoch, long sentAt,
				long masterReplyAge, long openVoteEpoch) {
			this(group, sender, sequence, application, currentEpoch, master, configEpoch, masterDown, failoverEpoch,
					maintenance, config, campaignEpoch, sentAt, masterReplyAge, openVoteEpoch, null);
		}

		/**
		 * A hello of a sender that holds a configuration and tells nothing of its
		 * master's replies.
		 */
		public Hello(String group, String sender, long sequence, String application, long currentEpoch,
				Configuration config, boolean masterDown, long failoverEpoch, Maintenance maintenance,
				long campaignEpoch) {
			this(group, sender, sequence, application, currentEpoch, config.master(), config.epoch(), masterDown,
					failoverEpoch, maintenance, config, campaignEpoch, -1, -1, 0);
		}

		/**
		 * A hello of a sender that holds no configuration and knows of no maintenance
		 * mode.
		 */
		public Hello(String group, String sender, long sequence, String application, long currentEpoch,
				@Nullable NodeAddress master, long configEpoch, boolean masterDown, long failoverEpoch) {
			this(group, sender, sequence, application, currentEpoch, master, configEpoch, masterDown, failoverEpoch,
					Maintenance.NONE, null, 0, -1, -1, 0);
		}

	}

	/**
	 * The group's maintenance mode (pause), versioned so that the latest pause or resume
	 * wins everywhere: a higher version wins, and at equal versions the larger member id.
	 *
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

	/**
	 * The sender stops for good: it never votes again.
	 *
	 * @param holding the configuration it held and its last epoch; a voter of it stops
	 * counting for candidates holding that configuration or a later one, in later epochs.
	 * Null when a vote or an election of its own was still open: it counts as crashed.
	 */
	record Goodbye(String group, String sender, long sequence,
			Configuration.@Nullable Departure holding) implements GossipMessage {
	}

	/**
	 * The sender is a candidate in {@code epoch}, holding configuration
	 * {@code (configEpoch,
	 * configVersion)} of master {@code failingMaster}: voters grant it only holding the
	 * very same configuration.
	 *
	 * @param purpose why it asks
	 * @param change for {@link Purpose#VOTERS}: {@code +id} to add a voter, {@code -id}
	 * to remove one; else null
	 */
	record VoteRequest(String group, String sender, long sequence, long epoch, NodeAddress failingMaster,
			Purpose purpose, long configEpoch, int configVersion, @Nullable String change) implements GossipMessage {

		public VoteRequest {
			java.util.Objects.requireNonNull(purpose, "purpose");
			if ((purpose == Purpose.VOTERS) != (change != null)) {
				throw new IllegalArgumentException("a change of voters, and only that, names a change");
			}
		}

		/**
		 * Asked for by an operator: voters need not see the master down, a majority of
		 * voters suffices.
		 */
		public boolean forced() {
			return this.purpose == Purpose.OPERATOR;
		}

	}

	/** Why a candidate asks for votes. */
	enum Purpose {

		/** The master is objectively down. */
		FAILOVER,
		/** An operator asked for a failover or switchover. */
		OPERATOR,
		/** One voter is to be added or removed. */
		VOTERS

	}

	/** The sender grants its one vote of {@code epoch} to {@code candidate}. */
	record Vote(String group, String sender, long sequence, long epoch, String candidate,
			NodeAddress failingMaster) implements GossipMessage {
	}

}
