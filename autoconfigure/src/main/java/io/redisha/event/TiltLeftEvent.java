package io.redisha.event;

import io.redisha.member.RedisHaMember;
import io.redisha.protocol.ProtocolEvent;

/** This member left TILT mode and acts again ({@code -tilt}). */
public final class TiltLeftEvent extends RedisHaEvent {

	public TiltLeftEvent(RedisHaMember member, ProtocolEvent event) {
		super(member, event);
	}

}
