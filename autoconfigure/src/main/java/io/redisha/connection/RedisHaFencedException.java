package io.redisha.connection;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.RedisConnectionFailureException;

/**
 * A write was refused because this application instance is fenced: in consistent
 * partition mode its member could not tell that a majority of the group's voters still
 * reach the master, so the other side of a partition may be failing over and would lose
 * the write. The command was not sent to Redis: it is safe to retry, on another instance
 * or here once the fence lifts.
 */
public class RedisHaFencedException extends RedisConnectionFailureException {

	private final String group;

	private final String reason;

	private final @Nullable Instant since;

	/**
	 * @param group the fenced group
	 * @param reason why the member refuses writes, for people
	 * @param since when the fence began, if known
	 */
	public RedisHaFencedException(String group, String reason, @Nullable Instant since) {
		super("redis-ha group '" + group + "' refuses writes" + ((since != null) ? " since " + since : "") + ": "
				+ reason + "; this command was not sent and is safe to retry");
		this.group = group;
		this.reason = reason;
		this.since = since;
	}

	public String getGroup() {
		return this.group;
	}

	public String getReason() {
		return this.reason;
	}

	/** When the fence began, if known. */
	public @Nullable Instant getSince() {
		return this.since;
	}

}
