package io.redisha.event;

import io.redisha.member.RedisHaMember;
import io.redisha.protocol.ProtocolEvent;

/**
 * The failover this member led is over: the new master serves and the replicas follow it
 * ({@code +failover-end}).
 */
public final class FailoverEndedEvent extends RedisHaEvent {

	public FailoverEndedEvent(RedisHaMember member, ProtocolEvent event) {
		super(member, event);
	}

}
