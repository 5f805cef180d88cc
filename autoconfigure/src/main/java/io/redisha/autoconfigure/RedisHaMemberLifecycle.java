package io.redisha.autoconfigure;

import io.redisha.member.RedisHaMember;

import org.springframework.context.SmartLifecycle;

/**
 * Starts the {@link RedisHaMember} with the application context and stops it, saying
 * goodbye to the other members, when the context closes. Runs in an early phase so that
 * the member is running before the web server takes requests and keeps running until the
 * web server has drained them.
 */
public final class RedisHaMemberLifecycle implements SmartLifecycle {

	/**
	 * Before the web server starts (its phase is {@code DEFAULT_PHASE - 2048}), after it
	 * stops.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private final RedisHaMember member;

	RedisHaMemberLifecycle(RedisHaMember member) {
		this.member = member;
	}

	@Override
	public void start() {
		this.member.start();
	}

	@Override
	public void stop() {
		this.member.stop();
	}

	@Override
	public boolean isRunning() {
		return this.member.isRunning();
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
