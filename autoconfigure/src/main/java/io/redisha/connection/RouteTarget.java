package io.redisha.connection;

import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.redisha.protocol.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * Where connections go now.
 *
 * @param master the master; null while none is known
 * @param epoch the config epoch of that master
 * @param waiting whether the master is objectively down (a failover is expected)
 * @param generation how many masters were followed before
 * @param allowed the socket addresses resolved for this master
 */
record RouteTarget(@Nullable NodeAddress master, long epoch, boolean waiting, long generation,
		Set<SocketAddress> allowed) {

	static RouteTarget initial() {
		return new RouteTarget(null, 0, false, 0, ConcurrentHashMap.newKeySet());
	}

	boolean usable() {
		return this.master != null && !this.waiting;
	}

	RouteTarget next(NodeAddress newMaster, long newEpoch, boolean newWaiting) {
		if (newMaster.equals(this.master) && newWaiting == this.waiting) {
			return this;
		}
		// A new, empty set: no channel open before the change is allowed after it.
		return new RouteTarget(newMaster, newEpoch, newWaiting, this.generation + 1, ConcurrentHashMap.newKeySet());
	}

	RouteTarget waiting(boolean newWaiting) {
		if (this.master == null || newWaiting == this.waiting) {
			return this;
		}
		return next(this.master, this.epoch, newWaiting);
	}

}
