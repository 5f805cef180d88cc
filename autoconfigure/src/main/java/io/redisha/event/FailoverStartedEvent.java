package io.redisha.event;

import io.redisha.member.RedisHaMember;
import io.redisha.protocol.ProtocolEvent;

/**
 * This member starts a failover attempt in epoch {@link #getEpoch()}
 * ({@code +try-failover}).
 */
public final class FailoverStartedEvent extends RedisHaEvent {

	public FailoverStartedEvent(RedisHaMember member, ProtocolEvent event) {
		super(member, event);
	}

}
