package io.redisha.protocol;

import java.util.List;

/**
 * The answer of the coordinator to an operator command (pause, resume, forget, forced
 * failover, switchover): whether it was carried out, started or refused and why, plus the
 * actions to carry out. A started failover or switchover ends later: its record in the
 * history, with the epoch given here, tells how.
 *
 * @param status what became of the command
 * @param message what happened, or why it was refused, for the operator
 * @param epoch the epoch of a started failover or switchover; 0 otherwise
 * @param actions what the surroundings must carry out
 */
public record CommandOutcome(Status status, String message, long epoch, List<Action> actions) {

	public CommandOutcome {
		actions = List.copyOf(actions);
	}

	/** What became of a command. */
	public enum Status {

		/** Carried out at once. */
		DONE,
		/** A failover or switchover started in {@link CommandOutcome#epoch()}. */
		STARTED,
		/** Refused because a failover is under way. */
		CONFLICT,
		/**
		 * Refused: it cannot be done now (no eligible replica, unknown node, starting
		 * up...).
		 */
		REFUSED

	}

	static CommandOutcome done(String message, List<Action> actions) {
		return new CommandOutcome(Status.DONE, message, 0, actions);
	}

	static CommandOutcome refused(Status status, String message, List<Action> actions) {
		return new CommandOutcome(status, message, 0, actions);
	}

}
