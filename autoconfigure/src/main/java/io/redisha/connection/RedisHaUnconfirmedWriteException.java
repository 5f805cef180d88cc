package io.redisha.connection;

import io.redisha.protocol.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * A write's reply came after this instance stopped admitting writes to the master it was
 * sent to (its write lease ran out, or the group switched masters, while the write was in
 * flight). The master carried it out, but the majority of the voters may have replaced
 * that master by then, and a write it took so late may be lost with it: the write is not
 * acknowledged. Retry it if it is idempotent, once the instance admits writes again.
 */
public class RedisHaUnconfirmedWriteException extends RedisConnectionLostException {

	private final String group;

	public RedisHaUnconfirmedWriteException(String group, @Nullable NodeAddress master) {
		super("redis-ha group '" + group + "': the reply of " + ((master != null) ? master : "the master")
				+ " came after this instance stopped admitting writes to it; the write may or may not be kept"
				+ " (the group may have promoted a replica meanwhile)");
		this.group = group;
	}

	public String getGroup() {
		return this.group;
	}

}
