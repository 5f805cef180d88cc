package io.redisha.protocol;

import org.jspecify.annotations.Nullable;

/**
 * Something that happened in a group, as Sentinel would announce it. Emitted by the
 * coordinator through {@link Action.Emit}; the surroundings log it and turn it into
 * Spring events, metrics and notifications in Sentinel's text format.
 *
 * @param type what happened
 * @param group the group's name
 * @param epoch the epoch it happened in
 * @param node the node it is about, if any (for {@link Type#SWITCH_MASTER}, the old
 * master)
 * @param master the master at that moment (for {@link Type#SWITCH_MASTER}, the new
 * master), if known
 * @param detail free text: the member voted for, a reason, a quorum count
 */
public record ProtocolEvent(Type type, String group, long epoch, @Nullable NodeAddress node,
		@Nullable NodeAddress master, @Nullable String detail) {

	/** The event types, each with the name Sentinel publishes it under. */
	public enum Type {

		SDOWN("+sdown"), SDOWN_CLEARED("-sdown"), ODOWN("+odown"), ODOWN_CLEARED("-odown"), NEW_EPOCH("+new-epoch"),
		TRY_FAILOVER("+try-failover"), VOTE_FOR_LEADER("+vote-for-leader"), ELECTED_LEADER("+elected-leader"),
		SELECTED_REPLICA("+selected-slave"), PROMOTED_REPLICA("+promoted-slave"),
		REPLICA_RECONF_SENT("+slave-reconf-sent"), REPLICA_RECONF_DONE("+slave-reconf-done"),
		FAILOVER_END("+failover-end"), FAILOVER_ABORT_NOT_ELECTED("-failover-abort-not-elected"),
		FAILOVER_ABORT_NO_GOOD_REPLICA("-failover-abort-no-good-slave"), SWITCH_MASTER("+switch-master"),
		CONVERT_TO_REPLICA("+convert-to-slave"), REPLICA_ADDED("+slave"), MEMBER_ADDED("+sentinel"),
		MEMBER_LEFT("-sentinel"), TILT("+tilt"), TILT_CLEARED("-tilt"), PAUSED("+paused"), RESUMED("-paused"),
		ELECTORATE_FOUNDED("+electorate"), VOTER_ADDED("+voter"), VOTER_REMOVED("-voter"), REBOOT("+reboot"),
		FENCED("+fenced"), UNFENCED("-fenced");

		private final String sentinelName;

		Type(String sentinelName) {
			this.sentinelName = sentinelName;
		}

		public String sentinelName() {
			return this.sentinelName;
		}

	}

}
