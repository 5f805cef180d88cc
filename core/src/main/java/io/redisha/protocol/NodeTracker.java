package io.redisha.protocol;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

import org.jspecify.annotations.Nullable;

/**
 * The Redis nodes of the group this member monitors, and the periodic PING and INFO each
 * one is due (never more than one of each in flight per node, so a slow node does not
 * pile up commands).
 */
final class NodeTracker {

	/**
	 * The most nodes a member monitors per group: a node's INFO can name any number of
	 * replicas.
	 */
	static final int MAX_NODES = 64;

	private final Map<NodeAddress, NodeState> nodes = new LinkedHashMap<>();

	/**
	 * Starts tracking the node; returns true (and asks for a connection) when it is new.
	 */
	boolean track(NodeAddress address, long now, List<Action> out) {
		if (this.nodes.containsKey(address)) {
			return false;
		}
		this.nodes.put(address, new NodeState(address, now));
		out.add(new Action.Monitor(address));
		return true;
	}

	/**
	 * Stops tracking the node; returns true (and drops its connection) when it was
	 * tracked.
	 */
	boolean forget(NodeAddress address, List<Action> out) {
		if (this.nodes.remove(address) == null) {
			return false;
		}
		out.add(new Action.Unmonitor(address));
		return true;
	}

	@Nullable NodeState get(@Nullable NodeAddress address) {
		return (address != null) ? this.nodes.get(address) : null;
	}

	/**
	 * A node promoted from the replicas of the {@code master} this member follows, that
	 * is not that master: its latest INFO or ROLE says master, the node it last followed
	 * is that master, and it became a master since this member has followed that master
	 * (a master of an earlier configuration, promoted from the same node before that node
	 * became master again, is not one). A failover's promotion between its run and the
	 * adoption of its configuration, or one whose failover ended without adopting it (a
	 * promotion that landed after its leader gave up on it, a store that never
	 * succeeded): a later leader adopts such a node as already promoted, so writes the
	 * master takes meanwhile may be lost. So is a node this member sent a promotion in
	 * the master's current tenure, until it answers an INFO or ROLE asked after the
	 * promotion's reply (see {@link NodeState#promotionUnsettled}): a leader that gave up
	 * on the promotion when the old master answered again, or at the failover timeout,
	 * cannot tell whether it ran. Null when none.
	 */
	@Nullable NodeAddress promotedBeside(MasterView master) {
		NodeAddress address = master.address();
		if (address == null) {
			return null;
		}
		for (NodeState node : this.nodes.values()) {
			if (!node.address().equals(address)
					&& (node.promotionUnsettled(master.tenureSince()) || node.role() == ReplicationInfo.Role.MASTER
							&& address.equals(node.lastFollowed()) && node.roleSince() > master.since())) {
				return node.address();
			}
		}
		return null;
	}

	/** The replication offset a node last reported as master; -1 when it never did. */
	long lastMasterOffset(NodeAddress address) {
		NodeState node = get(address);
		return (node != null && node.info() != null && node.info().role() == ReplicationInfo.Role.MASTER)
				? node.info().offset() : -1;
	}

	/**
	 * Gives each role change in {@code out} the command its node takes
	 * ({@link NodeState#roleCommand()}): whichever part decided the change, the command
	 * is decided here, from what this member knows of the node; and each promotion sent
	 * is noted (see {@link NodeState#promotionUnsettled}).
	 */
	void decideRoleCommands(long now, List<Action> out) {
		for (int i = 0; i < out.size(); i++) {
			Action action = out.get(i);
			if (action instanceof Action.Promote promote) {
				out.set(i, promote.with(roleCommand(promote.node())));
				NodeState node = get(promote.node());
				if (node != null) {
					node.promotionSent(now);
				}
			}
			else if (action instanceof Action.Replicate replicate) {
				out.set(i, replicate.with(roleCommand(replicate.node())));
			}
		}
	}

	private RoleCommand roleCommand(NodeAddress address) {
		NodeState node = get(address);
		return (node != null) ? node.roleCommand() : RoleCommand.REPLICAOF;
	}

	Collection<NodeState> all() {
		return this.nodes.values();
	}

	/**
	 * Adds the PINGs and INFOs that are due.
	 * @param pingPeriod how often to PING each node
	 * @param retryPeriod how often to PING a node whose last PING got no answer (at most
	 * {@code pingPeriod})
	 * @param deliveriesAnswer whether a node that passed gossip on within the PING period
	 * needs no PING (an observer, whose view of a node's health counts for nobody; its
	 * last PING must have been answered)
	 * @param infoPeriod how often to read a given node's INFO
	 */
	void poll(long now, long pingPeriod, long retryPeriod, boolean deliveriesAnswer,
			ToLongFunction<NodeState> infoPeriod, List<Action> out) {
		for (NodeState node : this.nodes.values()) {
			boolean failed = node.lastPingFailed();
			boolean answered = deliveriesAnswer && !failed && node.deliveredWithin(now, pingPeriod);
			if (!answered && node.pingDue(now, failed ? Math.min(pingPeriod, retryPeriod) : pingPeriod)) {
				node.pingSent(now);
				out.add(new Action.Ping(node.address()));
			}
			if (node.infoDue(now, infoPeriod.applyAsLong(node))) {
				node.infoSent(now);
				out.add(new Action.QueryInfo(node.address()));
			}
		}
	}

}
