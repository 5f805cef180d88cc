package io.redisha.protocol.simulation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.redisha.protocol.Configuration;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.StoredConfiguration;

/**
 * Ground truth of which nodes the majority can reach, kept over time: a node is reached
 * when it runs (not dead or SIGSTOPped; loading counts: it answers, as the members see
 * it, and serves once loaded, seed 16242) and more than half of the electorate can reach
 * it through a working network path in both directions, whatever the members themselves
 * believe. The electorate is the newest configuration that is stored in any node's data
 * or committed among the members (a strict majority of its voters' live incarnations hold
 * it or a later one: a change of voters takes effect before a store reaches a node), its
 * voters less those recorded as departed, each counted while its incarnation is alive;
 * before any configuration exists, every member slot counts (a majority of slots is then
 * needed to found one). Each stretch in which a node that was reached is not is a
 * {@link Loss}, with every node's data and master at its start (before the members start,
 * no node was ever reached, so none is lost).
 */
final class MajorityReach {

	private final Map<NodeAddress, Boolean> reached = new HashMap<>();

	private final Map<NodeAddress, List<Loss>> losses = new HashMap<>();

	/** Takes note of who reaches what now; called after every fault and at every tick. */
	void observe(long now, Collection<SimMember> slots, SimNetwork network, Collection<SimNode> nodes) {
		Map<NodeAddress, SimNode.State> states = null;
		List<SimMember> electorate = new ArrayList<>();
		int electorateSize = electorate(nodes, slots, electorate);
		for (SimNode node : nodes) {
			boolean reachedNow = node.isRunning() && reachers(node, electorate, network) * 2 > electorateSize;
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

	/**
	 * Fills {@code live} with the electorate's live incarnations and returns the
	 * electorate's size: the newest stored or committed configuration's voters less the
	 * departed, or every slot.
	 */
	private static int electorate(Collection<SimNode> nodes, Collection<SimMember> slots, List<SimMember> live) {
		StoredConfiguration newestStored = null;
		for (SimNode node : nodes) {
			StoredConfiguration stored = node.storedConfiguration();
			if (stored.config() != null && (newestStored == null || newer(stored.config(), newestStored.config()))) {
				newestStored = stored;
			}
		}
		Set<String> departed = (newestStored != null) ? newestStored.departed().keySet() : Set.of();
		Configuration newest = (newestStored != null) ? newestStored.config() : null;
		for (SimMember member : slots) {
			Configuration held = member.isAlive() ? member.protocol().configuration() : null;
			if (held != null && (newest == null || newer(held, newest)) && committed(held, departed, slots)) {
				newest = held;
			}
		}
		if (newest == null) {
			live.addAll(slots);
			return slots.size();
		}
		List<String> voters = liveVoters(newest, departed);
		for (SimMember member : slots) {
			if (voters.contains(member.id())) {
				live.add(member);
			}
		}
		return voters.size();
	}

	private static List<String> liveVoters(Configuration config, Set<String> departed) {
		List<String> voters = new ArrayList<>(config.voters());
		voters.removeAll(departed);
		return voters;
	}

	/**
	 * Whether a strict majority of the configuration's voters, as live incarnations, hold
	 * it or a later one.
	 */
	private static boolean committed(Configuration config, Set<String> departed, Collection<SimMember> slots) {
		List<String> voters = liveVoters(config, departed);
		int holding = 0;
		for (SimMember member : slots) {
			Configuration held = member.isAlive() ? member.protocol().configuration() : null;
			if (held != null && voters.contains(member.id()) && !newer(config, held)) {
				holding++;
			}
		}
		return holding * 2 > voters.size();
	}

	private static boolean newer(Configuration config, Configuration than) {
		return config.epoch() > than.epoch() || config.epoch() == than.epoch() && config.version() > than.version();
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

	/**
	 * The latest loss of the node that overlaps {@code [from, to]}; null when the
	 * majority reached it all along.
	 */
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

		/**
		 * When the majority reached the node again; {@link Long#MAX_VALUE} while it has
		 * not.
		 */
		long until() {
			return this.until;
		}

		/** The node's data and master when the loss began. */
		SimNode.State stateOf(NodeAddress node) {
			return this.states.get(node);
		}

	}

}
