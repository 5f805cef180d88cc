package io.redisha.event;

import io.redisha.member.RedisHaMember;
import io.redisha.protocol.ProtocolEvent;

/** A node that was down answers again ({@code -sdown}): {@link #getNode()}. */
public final class NodeUpEvent extends RedisHaEvent {

	public NodeUpEvent(RedisHaMember member, ProtocolEvent event) {
		super(member, event);
	}

}
