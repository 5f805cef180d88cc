package io.redisha.event;

import io.redisha.member.RedisHaMember;
import io.redisha.protocol.ProtocolEvent;

/**
 * This member was elected to lead the failover of {@link #getEpoch()}
 * ({@code +elected-leader}).
 */
public final class ElectionWonEvent extends RedisHaEvent {

	public ElectionWonEvent(RedisHaMember member, ProtocolEvent event) {
		super(member, event);
	}

}
