package io.redisha.connection;

import io.redisha.protocol.NodeAddress;

import org.springframework.data.redis.RedisConnectionFailureException;

/**
 * The group's master changed under this command. Either it was in flight on a connection
 * to the old master: it was not retried on the new master, and it <em>may have been
 * applied</em> by the old master (if it was, the write is lost with the old master's data
 * when that master is turned into a replica); retry it if it is idempotent. Or the
 * message says it was not sent: it was written after the switch was known, or on a
 * connection held for a transaction, a {@code WATCH}, a pipeline or a blocking command
 * that the switch cut, which fails every later command until it is released, so that what
 * it holds is never split between two masters. New connections already go to the new
 * master.
 */
public class RedisMasterSwitchedException extends RedisConnectionFailureException {

	private final String group;

	private final NodeAddress oldMaster;

	private final NodeAddress newMaster;

	private final long epoch;

	public RedisMasterSwitchedException(String group, NodeAddress oldMaster, NodeAddress newMaster, long epoch) {
		this("redis-ha group '" + group + "': the master moved from " + oldMaster + " to " + newMaster + " (epoch "
				+ epoch + ") while this command was in flight; it was not retried and may or may not have been"
				+ " carried out by " + oldMaster, group, oldMaster, newMaster, epoch);
	}

	public RedisMasterSwitchedException(String message, String group, NodeAddress oldMaster, NodeAddress newMaster,
			long epoch) {
		super(message);
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
