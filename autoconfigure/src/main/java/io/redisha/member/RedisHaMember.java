package io.redisha.member;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.ProtocolEvent;

/**
 * This application instance as a member of its redis-ha groups: for each group it drives one
 * {@link io.redisha.protocol.GroupCoordinator} from a single thread, feeding it ticks, node
 * replies and gossip, and carries out its actions over Lettuce connections of its own.
 */
public final class RedisHaMember implements AutoCloseable {

	public RedisHaMember(MemberIdentity identity, List<GroupSettings> groups) {
		throw new UnsupportedOperationException("not yet");
	}

	/** Connects to the seeds and starts ticking; returns at once. */
	public void start() {
		throw new UnsupportedOperationException("not yet");
	}

	/** Says goodbye on every group, then closes every connection. Idempotent. */
	public void stop() {
		throw new UnsupportedOperationException("not yet");
	}

	public boolean isRunning() {
		throw new UnsupportedOperationException("not yet");
	}

	public MemberIdentity identity() {
		throw new UnsupportedOperationException("not yet");
	}

	/** Every group's picture, by group name in configuration order. */
	public Map<String, GroupSnapshot> snapshots() {
		throw new UnsupportedOperationException("not yet");
	}

	/** One group's picture, or null when there is no such group. */
	public GroupSnapshot snapshot(String group) {
		throw new UnsupportedOperationException("not yet");
	}

	/** Converts a time of the coordinators' monotonic clock to epoch milliseconds. */
	public long toEpochMillis(long monotonicMillis) {
		throw new UnsupportedOperationException("not yet");
	}

	/** Called on the group's thread for every protocol event; must not block. */
	public void addEventListener(Consumer<ProtocolEvent> listener) {
		throw new UnsupportedOperationException("not yet");
	}

	@Override
	public void close() {
		stop();
	}

}
