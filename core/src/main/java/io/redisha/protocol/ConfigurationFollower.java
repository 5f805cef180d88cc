package io.redisha.protocol;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GossipMessage.Hello;
import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.ReplicationInfo.Role;

/**
 * The newest configuration this member hears of (from peers, from the nodes' data, or
 * made by itself), and the master it follows: the configuration's, or before one is
 * known, the one the nodes' own roles point to. Follows the topology the nodes report.
 */
final class ConfigurationFollower {

	private final CoordinatorParts parts;

	ConfigurationFollower(CoordinatorParts parts) {
		this.parts = parts;
	}

	/**
	 * A node's INFO: a restart is told, the configuration in its data learned, its
	 * replicas (or master) followed.
	 */
	void infoAnswered(long now, NodeState node, Reply reply, List<Action> out) {
		node.infoAnswered(reply instanceof Reply.Info);
		if (reply instanceof Reply.Info info) {
			if (node.info(now, info.info())) {
				this.parts.emit(out, Type.REBOOT, node.address(), "run id " + info.info().runId());
			}
			learnStored(now, node, info.stored(), out);
			discover(now, node, out);
		}
	}

	/**
	 * A member stopped for good (its goodbye, or its record in a node's data): its last
	 * epoch is taken as seen, so that the next election this member starts counts it out.
	 */
	void learnDeparture(long now, String member, Configuration.Departure holding, List<Action> out) {
		this.parts.epochs.observe(now, holding.lastEpoch(), out);
		this.parts.electorate.departed(member, holding, now);
	}

	/**
	 * What a node's data says of the configuration: adopted if newer, departures
	 * remembered.
	 */
	private void learnStored(long now, NodeState node, StoredConfiguration stored, List<Action> out) {
		Configuration held = this.parts.electorate.config();
		node.stored(stored, held != null && held.newerThan(stored.config()));
		stored.departed().forEach((member, holding) -> learnDeparture(now, member, holding, out));
		// Newer only now and then: the source's text is not made for every INFO reply.
		if (stored.config() != null && stored.config().newerThan(this.parts.electorate.config())) {
			adopt(now, stored.config(), "the data of " + node.address(), true, out);
		}
	}

	/**
	 * Follows the topology: a master's replicas, and a replica's master while no master
	 * is known.
	 */
	private void discover(long now, NodeState node, List<Action> out) {
		ReplicationInfo info = node.answeredInfo();
		NodeAddress master = this.parts.master.address();
		if (info.role() == Role.MASTER && (master == null || node.address().equals(master))) {
			for (ReplicationInfo.ReplicaEntry replica : info.replicas()) {
				if (room(node, replica.address()) && this.parts.nodes.track(replica.address(), now, out)
						&& this.parts.master.known()) {
					this.parts.emit(out, Type.REPLICA_ADDED, replica.address(), null);
				}
			}
		}
		else if (info.role() == Role.REPLICA && master == null && room(node, info.master())) {
			this.parts.nodes.track(Objects.requireNonNull(info.master()), now, out);
		}
	}

	/**
	 * Whether the node table can take {@code reported}, or has it; a rejection counted
	 * when it cannot.
	 */
	private boolean room(NodeState reporter, @Nullable NodeAddress reported) {
		NodeTracker nodes = this.parts.nodes;
		if (nodes.get(reported) != null || nodes.all().size() < NodeTracker.MAX_NODES) {
			return true;
		}
		this.parts.rejections.count(GossipRejection.NODE_TABLE_FULL, 1, reporter.address() + " reports " + reported
				+ " while " + NodeTracker.MAX_NODES + " nodes are monitored");
		return false;
	}

	/** Adopts a newer configuration that a peer holds. */
	void adoptFrom(long now, Hello hello, List<Action> out) {
		Configuration config = hello.config();
		if (config == null || !config.newerThan(this.parts.electorate.config())) {
			return;
		}
		if (this.parts.nodes.get(config.master()) == null) {
			// A promoted node was a replica of the group, known from the nodes' INFO:
			// only a sender's word makes no server the master (nor gets it our
			// connections and password).
			this.parts.rejections.count(GossipRejection.UNKNOWN_MASTER, 1,
					"configuration " + config.epoch() + "." + config.version() + " of " + hello.sender()
							+ " names master " + config.master()
							+ ", which no configured node is and no node's INFO reports");
			return;
		}
		adopt(now, config, hello.sender(), true, out);
	}

	/**
	 * This member's founding (or succession) store succeeded: it is the one voter of a
	 * new electorate.
	 */
	void founded(long now, Configuration config, List<Action> out) {
		this.parts.epochs.observe(now, config.epoch(), out);
		this.parts.voteBook.grant(config.epoch(), this.parts.self.id());
		if (config.newerThan(this.parts.electorate.config())) {
			this.parts.events.emit(out, Type.ELECTORATE_FOUNDED, config.epoch(), config.master(),
					"member " + this.parts.self.id());
			adopt(now, config, "this member", false, out);
		}
	}

	/**
	 * Holds {@code next} if it is newer than the configuration held, follows its master
	 * and ends what it supersedes: an election or failover of this member based on an
	 * older configuration, a change of voters of an earlier epoch.
	 * @param from the member or node it came from
	 * @param observed whether another member made it (this member records what it
	 * learned)
	 */
	void adopt(long now, Configuration next, String from, boolean observed, List<Action> out) {
		CoordinatorParts parts = this.parts;
		Configuration previous = parts.electorate.config();
		if (!parts.electorate.adopt(next)) {
			return;
		}
		parts.epochs.observe(now, next.epoch(), out);
		announceVoters(previous, next, out);
		NodeAddress old = parts.master.address();
		if (observed && old != null && !next.master().equals(old)) {
			parts.history
				.record(new FailoverSnapshot(next.epoch(), from, old, next.master(), now, now, "learned from " + from,
						List.of(new FailoverSnapshot.Step("switch-master", 0)), GroupSnapshot.Trigger.OBSERVED, -1));
		}
		if (next.master().equals(old)) {
			if (previous == null || next.epoch() > previous.epoch()) {
				// A later epoch naming the same master: this member may have missed
				// failovers away from it and back, so what it saw of the nodes before
				// may belong to an earlier tenure of that master.
				parts.master.newTenure(now);
			}
			// Peers leading a change count who holds it: say so at once.
			parts.gossip.announce(now, out);
		}
		else {
			switchMaster(now, next.master(), out);
		}
		String superseded = "superseded by configuration " + next.epoch() + "." + next.version() + " from " + from;
		if (parts.elections.running()) {
			parts.elections.abort(now, superseded, out);
		}
		parts.failovers.supersede(now, next.epoch(), superseded, out);
		parts.upkeep.supersede(next.epoch());
	}

	private void announceVoters(@Nullable Configuration previous, Configuration next, List<Action> out) {
		for (String voter : next.voters()) {
			if (previous == null || !previous.isVoter(voter)) {
				this.parts.events.emit(out, Type.VOTER_ADDED, next.epoch(), null, "member " + voter);
			}
		}
		if (previous != null) {
			for (String voter : previous.voters()) {
				if (!next.isVoter(voter)) {
					this.parts.events.emit(out, Type.VOTER_REMOVED, next.epoch(), null, "member " + voter);
				}
			}
		}
	}

	private void switchMaster(long now, NodeAddress newMaster, List<Action> out) {
		NodeAddress old = this.parts.master.address();
		if (newMaster.equals(old)) {
			return;
		}
		this.parts.master.follow(newMaster, now);
		this.parts.detection.reset();
		this.parts.nodes.track(newMaster, now, out);
		ProtocolEvent switched = new ProtocolEvent(Type.SWITCH_MASTER, this.parts.config.name(),
				this.parts.configEpoch(), old, newMaster, null);
		out.add(new Action.Emit(switched));
		if (old != null) {
			// Learning the first master is no switch: nobody was disconnected.
			this.parts.announcement.switched(now, switched);
		}
		this.parts.gossip.masterSwitched(now, out);
	}

	/**
	 * While no configuration is known, takes the master from the nodes' own roles once
	 * every known node has answered INFO or failed to: the node answering master that
	 * most replicas follow with their link up (the smaller address on a tie, so that
	 * members agree). A master no replica follows must hold the data of replicas whose
	 * master no longer answers.
	 */
	void learnMasterFromNodes(long now, List<Action> out) {
		NodeTracker nodes = this.parts.nodes;
		NodeState best = null;
		int bestFollowers = -1;
		boolean someSilent = false;
		for (NodeState node : nodes.all()) {
			if (node.info() == null && !node.infoFailed()) {
				return;
			}
			someSilent |= node.infoFailed();
		}
		for (NodeState node : nodes.all()) {
			if (node.role() == Role.MASTER && node.info() != null) {
				int followers = followers(node.address());
				// A lone master must hold the data of the replicas stranded by a dead
				// master; beside nodes that do not answer it must hold some (else it may
				// be a stray cut off from the group's real master, and following it
				// would route the application's writes there).
				int held = (followers == 0) ? ReplicationLineage.strandedDataHeld(node, nodes) : 0;
				if (followers == 0 && (held < 0 || held == 0 && someSilent)) {
					continue;
				}
				if (followers > bestFollowers
						|| followers == bestFollowers && best != null && node.address().compareTo(best.address()) < 0) {
					best = node;
					bestFollowers = followers;
				}
			}
		}
		if (best != null) {
			switchMaster(now, best.address(), out);
		}
	}

	private int followers(NodeAddress address) {
		int count = 0;
		for (NodeState node : this.parts.nodes.all()) {
			if (node.role() == Role.REPLICA && address.equals(node.following()) && node.info() != null
					&& node.info().masterLinkUp()) {
				count++;
			}
		}
		return count;
	}

}
