package io.redisha.connection;

import org.springframework.data.redis.RedisConnectionFailureException;

/**
 * A redis-ha group had no usable master within its failover wait: none was known yet, or
 * the master was objectively down and no new one was elected in time. The command was not
 * sent anywhere; it is safe to retry.
 */
public class RedisMasterUnavailableException extends RedisConnectionFailureException {

	public RedisMasterUnavailableException(String message) {
		super(message);
	}

}
