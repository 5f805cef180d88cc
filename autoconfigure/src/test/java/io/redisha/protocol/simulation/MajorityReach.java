package io.redisha.protocol.simulation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.redisha.protocol.NodeAddress;

/**
 * Ground truth of which nodes the majority can reach, kept over time: a node is reached when
 * it runs and serves (not dead, SIGSTOPped or loading) and more than half of the member slots
 * have a live incarnation with a working network path to it in both directions, whatever the
 * members themselves believe. Each stretch in which a node that was reached is not is a
 * {@link Loss}, with every node's data and master at its start (before the members start,
 * no node was ever reached, so none is lost).
 */
final class MajorityReach {

	private final Map<NodeAddress, Boolean> reached = new HashMap<>();

	private final Map<NodeAddress, List<Loss>> losses = new HashMap<>();

	/** Takes note of who reaches what now; called after every fault and at every tick. */
	void observe(long now, Collection<SimMember> slots, SimNetwork network, Collection<SimNode> nodes) {
		Map<NodeAddress, SimNode.State> states = null;
		for (SimNode node : nodes) {
			boolean reachedNow = node.isRunning() && !node.isLoading(now) && reachers(node, slots, network) * 2 > slots.size();
			boolean reachedBefore = Boolean.TRUE.equals(this.reached.put(node.address(), reachedNow));
			List<Loss> history = this.losses.computeIfAbsent(node.address(), (address) -> new ArrayList<>());
			if (reachedBefore && !reachedNow) {
				states = (states != null) ? states : statesOf(nodes);
				history.add(new Loss(now, states));
			}
			else if (!reachedBefore && reachedNow && !history.isEmpty()) {
				history.get(history.size() - 1).until = now;
			}
		}
	}

	private static int reachers(SimNode node, Collection<SimMember> slots, SimNetwork network) {
		int count = 0;
		for (SimMember member : slots) {
			if (member.isAlive() && network.isUp(member.slot(), node.endpoint())
					&& network.isUp(node.endpoint(), member.slot())) {
				count++;
			}
		}
		return count;
	}

	private static Map<NodeAddress, SimNode.State> statesOf(Collection<SimNode> nodes) {
		Map<NodeAddress, SimNode.State> states = new LinkedHashMap<>();
		for (SimNode node : nodes) {
			states.put(node.address(), node.state());
		}
		return states;
	}

	/** Whether the majority reaches the node, as last observed. */
	boolean reaches(NodeAddress node) {
		return this.reached.getOrDefault(node, false);
	}

	/** The latest loss of the node that overlaps {@code [from, to]}; null when the majority reached it all along. */
	Loss lossDuring(NodeAddress node, long from, long to) {
		List<Loss> history = this.losses.getOrDefault(node, List.of());
		for (int i = history.size() - 1; i >= 0; i--) {
			Loss loss = history.get(i);
			if (loss.since <= to && loss.until >= from) {
				return loss;
			}
		}
		return null;
	}

	/** A stretch of time in which the majority could not reach a node. */
	static final class Loss {

		private final long since;

		private final Map<NodeAddress, SimNode.State> states;

		private long until = Long.MAX_VALUE;

		Loss(long since, Map<NodeAddress, SimNode.State> states) {
			this.since = since;
			this.states = states;
		}

		long since() {
			return this.since;
		}

		/** When the majority reached the node again; {@link Long#MAX_VALUE} while it has not. */
		long until() {
			return this.until;
		}

		/** The node's data and master when the loss began. */
		SimNode.State stateOf(NodeAddress node) {
			return this.states.get(node);
		}

	}

}
