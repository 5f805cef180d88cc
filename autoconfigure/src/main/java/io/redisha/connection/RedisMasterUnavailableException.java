package io.redisha.connection;

import org.springframework.data.redis.RedisConnectionFailureException;

/**
 * A redis-ha group has no usable master. Either a new command found none within the
 * group's failover wait (none was known yet, or the master was objectively down and no
 * new one was elected in time): it was not sent anywhere. Or the command was in flight on
 * the master when the quorum declared it objectively down: it <em>may have been
 * applied</em> there, and then reach the new master through replication or be lost with
 * the old master's data. Retry it if it is idempotent.
 */
public class RedisMasterUnavailableException extends RedisConnectionFailureException {

	public RedisMasterUnavailableException(String message) {
		super(message);
	}

}
