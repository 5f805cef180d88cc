package io.redisha.embedded;

/** A redis-server that failed to start, to answer or to take a signal. */
public final class RedisServerException extends RuntimeException {

	private final boolean portTaken;

	RedisServerException(String message, boolean portTaken) {
		super(message);
		this.portTaken = portTaken;
	}

	/** Whether it failed because its port was already in use. */
	boolean isPortTaken() {
		return this.portTaken;
	}

}
