package io.redisha.event;

import io.redisha.member.RedisHaMember;
import io.redisha.protocol.ProtocolEvent;

/**
 * A failover attempt was given up ({@code -failover-abort-not-elected} or
 * {@code -failover-abort-no-good-slave}, see {@link #getType()}); another follows while
 * the master stays down.
 */
public final class FailoverAbortedEvent extends RedisHaEvent {

	public FailoverAbortedEvent(RedisHaMember member, ProtocolEvent event) {
		super(member, event);
	}

}
