package io.redisha.embedded;

/**
 * A Redis error reply such as {@code LOADING ...} or {@code NOAUTH ...}, as an exception.
 */
public final class RedisErrorReplyException extends RuntimeException {

	public RedisErrorReplyException(String error) {
		super(error);
	}

}
