package io.redisha.protocol;

/** A group's state as one member sees it, from healthy to acting. */
public enum GroupState {

	/** The master answers. */
	OK,
	/** This member sees the master down. */
	SDOWN,
	/** Enough members see the master down: a failover may start. */
	ODOWN,
	/** A failover is under way (by this member or a peer). */
	FAILOVER,
	/**
	 * An operator paused automatic failover for maintenance: the group is only watched.
	 */
	PAUSED,
	/**
	 * This member's timer jumped: it only watches until the clock is trustworthy again.
	 */
	TILT,
	/** No master is known: nothing answered as one yet. */
	NO_MASTER

}
