package io.redisha.event;

import io.redisha.member.RedisHaMember;
import io.redisha.protocol.ProtocolEvent;

/**
 * Enough members see the master down ({@code +odown}): a failover follows; new
 * connections wait for the new master.
 */
public final class ObjectiveDownEvent extends RedisHaEvent {

	public ObjectiveDownEvent(RedisHaMember member, ProtocolEvent event) {
		super(member, event);
	}

}
