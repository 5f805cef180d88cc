package io.redisha.event;

import io.redisha.member.RedisHaMember;
import io.redisha.protocol.ProtocolEvent;

/**
 * This member's timer jumped (a paused JVM, a clock change): it only watches until its
 * clock is trustworthy again ({@code +tilt}).
 */
public final class TiltEnteredEvent extends RedisHaEvent {

	public TiltEnteredEvent(RedisHaMember member, ProtocolEvent event) {
		super(member, event);
	}

}
