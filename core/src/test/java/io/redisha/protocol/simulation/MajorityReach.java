package io.redisha.protocol.simulation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
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
 * <p>
 * It also keeps, for each node, when each live voter of the electorate last had a working
 * path to it both ways: the ground truth of the members' write lease, which rests on each
 * voter's latest reply, not on replies at one moment (see {@link #majorityContact}).
 */
final class MajorityReach {

	private final Map<NodeAddress, Boolean> reached = new HashMap<>();

	private final Map<NodeAddress, List<Loss>> losses = new HashMap<>();

	/**
	 * Per node, when each member incarnation last reached it both ways: now while it
	 * does, else when it was first observed not to (a cut is observed at once).
	 */
	private final Map<NodeAddress, Map<String, Long>> contacts = new HashMap<>();

	/** Per node, the member incarnations that reached it at the latest observation. */
	private final Map<NodeAddress, Set<String>> reaching = new HashMap<>();

	private final Map<NodeAddress, Long> majorityContact = new HashMap<>();

	/** Takes note of who reaches what now; called after every fault and at every tick. */
	void observe(long now, Collection<SimMember> slots, SimNetwork network, Collection<SimNode> nodes) {
		Map<NodeAddress, SimNode.State> states = null;
		List<SimMember> electorate = new ArrayList<>();
		int electorateSize = electorate(nodes, slots, electorate);
		for (SimNode node : nodes) {
			boolean reachedNow = node.isRunning() && reachers(node, electorate, network) * 2 > electorateSize;
			this.majorityContact.put(node.address(), contact(node, electorate, electorateSize, network, now));
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
			if (reaches(member, node, network)) {
				count++;
			}
		}
		return count;
	}

	private static boolean reaches(SimMember member, SimNode node, SimNetwork network) {
		return member.isAlive() && network.isUp(member.slot(), node.endpoint())
				&& network.isUp(node.endpoint(), member.slot());
	}

	/**
	 * Takes note of the electorate's contacts with the node and returns the majority-th
	 * latest of its live voters' last contacts: {@link Long#MIN_VALUE} when fewer than a
	 * majority ever reached it.
	 */
	private long contact(SimNode node, List<SimMember> electorate, int electorateSize, SimNetwork network, long now) {
		Map<String, Long> contacted = this.contacts.computeIfAbsent(node.address(), (address) -> new HashMap<>());
		Set<String> before = this.reaching.computeIfAbsent(node.address(), (address) -> new HashSet<>());
		Set<String> reachingNow = new HashSet<>();
		for (SimMember member : electorate) {
			if (node.isRunning() && reaches(member, node, network)) {
				reachingNow.add(member.id());
			}
		}
		for (String member : before) {
			contacted.put(member, now);
		}
		for (String member : reachingNow) {
			contacted.put(member, now);
		}
		this.reaching.put(node.address(), reachingNow);
		List<Long> latest = new ArrayList<>();
		for (SimMember member : electorate) {
			Long at = member.isAlive() ? contacted.get(member.id()) : null;
			if (at != null) {
				latest.add(at);
			}
		}
		int needed = electorateSize / 2 + 1;
		if (latest.size() < needed) {
			return Long.MIN_VALUE;
		}
		latest.sort(Collections.reverseOrder());
		return latest.get(needed - 1);
	}

	private static Map<NodeAddress, SimNode.State> statesOf(Collection<SimNode> nodes) {
		Map<NodeAddress, SimNode.State> states = new LinkedHashMap<>();
		for (SimNode node : nodes) {
			states.put(node.address(), node.state());
		}
		return states;
	}

	/**
	 * As last observed, the moment from which a majority of the electorate's live voters
	 * had each reached the node both ways, one at a time or together: the majority-th
	 * latest of their last contacts. A voter grants a vote only once it has had no reply
	 * from the master for down-after, so no majority can fail the node over until
	 * down-after after it, and the members' write lease, which counts each voter's latest
	 * reply, may last until fence-after after it (see "Partitions: the write fence" in
	 * docs/protocol.md). {@link Long#MIN_VALUE} when no majority ever reached the node.
	 */
	long majorityContact(NodeAddress node) {
		return this.majorityContact.getOrDefault(node, Long.MIN_VALUE);
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
