package io.redisha.event;

import io.redisha.member.RedisHaMember;
import io.redisha.protocol.ProtocolEvent;

/**
 * A node of the group stopped answering for down-after ({@code +sdown}):
 * {@link #getNode()}.
 */
public final class NodeDownEvent extends RedisHaEvent {

	public NodeDownEvent(RedisHaMember member, ProtocolEvent event) {
		super(member, event);
	}

}
