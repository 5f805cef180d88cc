package io.redisha.connection;

import io.redisha.protocol.NodeAddress;

import org.springframework.data.redis.RedisConnectionFailureException;

/**
 * A command was in flight on a connection to a master that is no longer the group's master.
 * It was not retried on the new master: the old master may or may not have carried it out
 * (and, if it did, the write is lost with the old master's data when it is turned into a
 * replica). Retry it if it is idempotent; new commands already go to the new master.
 */
public class RedisMasterSwitchedException extends RedisConnectionFailureException {

	private final String group;

	private final NodeAddress oldMaster;

	private final NodeAddress newMaster;

	private final long epoch;

	public RedisMasterSwitchedException(String group, NodeAddress oldMaster, NodeAddress newMaster, long epoch) {
		super("redis-ha group '" + group + "': the master moved from " + oldMaster + " to " + newMaster + " (epoch "
				+ epoch + ") while this command was in flight; it was not retried and may or may not have been"
				+ " carried out by " + oldMaster);
		this.group = group;
		this.oldMaster = oldMaster;
		this.newMaster = newMaster;
		this.epoch = epoch;
	}

	public String getGroup() {
		return this.group;
	}

	public NodeAddress getOldMaster() {
		return this.oldMaster;
	}

	public NodeAddress getNewMaster() {
		return this.newMaster;
	}

	public long getEpoch() {
		return this.epoch;
	}

}
