package io.redisha.protocol.simulation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.redisha.protocol.Action;
import io.redisha.protocol.GroupCoordinator;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;

/**
 * One incarnation of an application instance in a slot (its host): a protocol, the nodes
 * it monitors (and so is subscribed to), the commands it waits for, and the master its
 * clients write to. A restart in the same slot is a new incarnation with a new id and no
 * memory.
 */
final class SimMember {

	/** What the process is doing. */
	enum State {

		RUNNING, PAUSED, STOPPED, CRASHED

	}

	private final String slot;

	private final MemberIdentity identity;

	private final MemberProtocol protocol;

	private final Set<NodeAddress> monitored = new TreeSet<>();

	/** When it subscribed on each node it monitors. */
	private final Map<NodeAddress, Long> subscribedAt = new HashMap<>();

	/** The channel its subscriptions are on (see {@link Action.Listen}). */
	private String listening = GroupCoordinator.GOSSIP_CHANNEL;

	private final Map<Long, Action.NodeCommand> pending = new HashMap<>();

	private final List<Runnable> backlog = new ArrayList<>();

	private State state = State.RUNNING;

	private long pausedAt;

	private long pausedUntil;

	/** Whether what it sent just before freezing stays in its buffers until it wakes. */
	private boolean holdingOutgoing;

	/**
	 * The master its clients write to: the last one it announced with
	 * {@code +switch-master}.
	 */
	private NodeAddress route;

	/**
	 * The node its clients' connection is open to: the route's, from their first write
	 * through it; null when none is.
	 */
	private NodeAddress connection;

	/** Until when its clients are connecting again after their connection was cut. */
	private long reconnectingUntil = -1;

	SimMember(String slot, MemberIdentity identity, MemberProtocol protocol) {
		this.slot = slot;
		this.identity = identity;
		this.protocol = protocol;
	}

	String slot() {
		return this.slot;
	}

	String id() {
		return this.identity.id();
	}

	MemberProtocol protocol() {
		return this.protocol;
	}

	State state() {
		return this.state;
	}

	/** Running or paused: a process that still exists. */
	boolean isAlive() {
		return this.state == State.RUNNING || this.state == State.PAUSED;
	}

	Set<NodeAddress> monitored() {
		return this.monitored;
	}

	void monitor(NodeAddress node, long now) {
		if (this.monitored.add(node)) {
			this.subscribedAt.put(node, now);
		}
	}

	void unmonitor(NodeAddress node) {
		this.monitored.remove(node);
		this.subscribedAt.remove(node);
	}

	/**
	 * When it subscribed on the node; {@code Long.MAX_VALUE} if it does not monitor it.
	 */
	long subscribedAt(NodeAddress node) {
		return this.subscribedAt.getOrDefault(node, Long.MAX_VALUE);
	}

	String listening() {
		return this.listening;
	}

	void listen(String channel) {
		this.listening = channel;
	}

	/** Commands sent and not answered yet, by command number. */
	Map<Long, Action.NodeCommand> pending() {
		return this.pending;
	}

	/**
	 * Freezes the process (a long GC pause, a frozen container) until {@code until}.
	 * @param holdOutgoing whether the messages it sent and that have not arrived yet
	 * leave only when it wakes (they were still in its buffers)
	 */
	void pause(long now, long until, boolean holdOutgoing) {
		if (this.state == State.RUNNING) {
			this.state = State.PAUSED;
			this.pausedAt = now;
			this.pausedUntil = until;
			this.holdingOutgoing = holdOutgoing;
		}
	}

	/** Whether what it sends waits until it wakes. */
	boolean holdsOutgoing() {
		return this.state == State.PAUSED && this.holdingOutgoing;
	}

	NodeAddress route() {
		return this.route;
	}

	/** A switch: its clients' open connection moves to the new master with the route. */
	void route(NodeAddress master) {
		this.route = master;
		if (this.connection != null) {
			this.connection = master;
		}
	}

	/**
	 * Whether its clients may write through the route now: they connect to the route's
	 * node at once (a switch opens connections to the new master), but take a tick to
	 * connect again after a {@code CLIENT KILL} cut them.
	 */
	boolean connectsToRoute(long now) {
		if (now < this.reconnectingUntil) {
			return false;
		}
		this.connection = this.route;
		return true;
	}

	/**
	 * {@code CLIENT KILL TYPE normal} on {@code node}: cuts its clients' connection if it
	 * is open there; returns whether it was.
	 */
	boolean cutConnection(NodeAddress node, long reconnectingUntil) {
		if (node.equals(this.connection)) {
			this.connection = null;
			this.reconnectingUntil = reconnectingUntil;
			return true;
		}
		return false;
	}

	boolean isDueToResume(long now) {
		return this.state == State.PAUSED && now >= this.pausedUntil;
	}

	/** Resumes a paused process; returns how long it was frozen. */
	long resume(long now) {
		this.state = State.RUNNING;
		return now - this.pausedAt;
	}

	/** Work that arrived while paused, in arrival order; taken out. */
	List<Runnable> takeBacklog() {
		List<Runnable> work = new ArrayList<>(this.backlog);
		this.backlog.clear();
		return work;
	}

	void defer(Runnable work) {
		this.backlog.add(work);
	}

	void end(State how) {
		this.state = how;
		this.pending.clear();
		this.backlog.clear();
		this.monitored.clear();
		this.subscribedAt.clear();
		this.listening = GroupCoordinator.GOSSIP_CHANNEL;
		this.route = null;
		this.connection = null;
	}

	@Override
	public String toString() {
		return this.identity.id();
	}

}
