package io.redisha.protocol;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One member's protocol for one group: failure detection, gossip, votes, epochs and failover
 * steps, as a deterministic state machine. It does no I/O and has no threads: it is fed time
 * ticks, node replies and gossip, and answers with the {@link Action actions} to carry out.
 * All times are milliseconds of one monotonic clock chosen by the caller. Not thread-safe:
 * the caller feeds it from one thread at a time.
 */
public final class GroupCoordinator {

	/** The pub/sub channel members gossip on, on every node of the group. */
	public static final String GOSSIP_CHANNEL = "__redis-ha__:gossip";

	/**
	 * @param config the group
	 * @param self this member
	 * @param nowMillis the current time
	 * @param random the source of election back-off jitter (seeded in simulations)
	 */
	public GroupCoordinator(GroupConfig config, MemberIdentity self, long nowMillis, RandomGenerator random) {
		throw new UnsupportedOperationException("not yet");
	}

	/** Called about every 100 ms: timers, periodic PING/INFO/hello, timeouts. */
	public List<Action> tick(long nowMillis) {
		throw new UnsupportedOperationException("not yet");
	}

	/** The one reply to a command this coordinator asked for. */
	public List<Action> onReply(long nowMillis, Action.NodeCommand command, Reply reply) {
		throw new UnsupportedOperationException("not yet");
	}

	/**
	 * A message from the gossip channel, as received on {@code via}. Malformed, oversized or
	 * foreign payloads are counted and ignored.
	 */
	public List<Action> onGossip(long nowMillis, NodeAddress via, String payload) {
		throw new UnsupportedOperationException("not yet");
	}

	/** The member is stopping gracefully: say goodbye so peers stop counting it at once. */
	public List<Action> stop(long nowMillis) {
		throw new UnsupportedOperationException("not yet");
	}

	/** This member's picture of the group. */
	public GroupSnapshot snapshot(long nowMillis) {
		throw new UnsupportedOperationException("not yet");
	}

}
