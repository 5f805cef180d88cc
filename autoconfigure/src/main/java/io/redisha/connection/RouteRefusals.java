package io.redisha.connection;

import java.time.Duration;
import java.util.Objects;

import io.redisha.protocol.NodeAddress;

/**
 * What a route tells the application when it refuses a connection or a command: each
 * exception names the group, the masters involved and whether the command was sent.
 *
 * @param group the group the route follows
 * @param failoverWait how long a new connection waits for a usable master
 */
record RouteRefusals(String group, Duration failoverWait) {

	String waited() {
		return "waited " + this.failoverWait.toMillis() + " ms (redis-ha.groups." + this.group + ".failover-wait)";
	}

	RedisMasterUnavailableException unavailable(RouteTarget current, String outcome) {
		String why = (current.master() == null) ? "no master is known yet"
				: "its master " + current.master() + " is objectively down and a failover is under way";
		return new RedisMasterUnavailableException(
				"redis-ha group '" + this.group + "' has no usable master: " + why + "; " + outcome);
	}

	RuntimeException notSent(NodeAddress old, RouteTarget current) {
		if (current.waiting() && old.equals(current.master())) {
			return new RedisMasterUnavailableException("redis-ha group '" + this.group + "': the master " + old
					+ " is objectively down; this command was not sent");
		}
		return new RedisMasterSwitchedException(
				"redis-ha group '" + this.group + "': the master moved from " + old + " to " + current.master()
						+ " (epoch " + current.epoch() + ") before this command was written;" + " it was not sent",
				this.group, old, masterOf(current), current.epoch());
	}

	/**
	 * The connection is held and was cut: nothing more on it, so that what it holds is
	 * never split.
	 */
	RuntimeException heldConnectionMoved(RouteTarget first, RouteTarget now) {
		String release = "; this command was not sent, and no later one is until the connection is released"
				+ " (the transaction, pipeline or callback ends): the next one goes to the current master";
		if (masterOf(first).equals(now.master())) {
			return new RedisConnectionLostException("redis-ha group '" + this.group + "': the connection to "
					+ first.master() + " was cut while it was held for a transaction, WATCH, pipeline or blocking"
					+ " command" + release);
		}
		return new RedisMasterSwitchedException(
				"redis-ha group '" + this.group + "': this connection was cut when" + " the master moved from "
						+ first.master() + " to " + now.master() + " (epoch " + now.epoch() + ")" + release,
				this.group, masterOf(first), masterOf(now), now.epoch());
	}

	/**
	 * The master of a target a channel was admitted to, or of a later one: never null,
	 * since only a target with a master allows a channel and every later one has one.
	 */
	static NodeAddress masterOf(RouteTarget target) {
		return Objects.requireNonNull(target.master());
	}

}
