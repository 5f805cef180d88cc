package io.redisha.protocol;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.ReplicationInfo.Role;

/**
 * Repairs what strays from the configuration in a calm group: the copy stored in the
 * master's data, nodes that claim to be master or follow another node, and the
 * master-side fence.
 */
final class StrayRepair {

	private final CoordinatorParts parts;

	private final Timers timers;

	/**
	 * When this member last repaired the configuration stored on the master; -1 never.
	 */
	private long lastStoreAt = -1;

	/**
	 * When this member last recorded again, on the master, a departure missing from its
	 * data; -1 never.
	 */
	private long lastDepartureAt = -1;

	StrayRepair(CoordinatorParts parts) {
		this.parts = parts;
		this.timers = parts.timers;
	}

	void repair(long now, boolean tilted, List<Action> out) {
		repairStoredConfiguration(now, tilted, out);
		repairDepartures(now, tilted, out);
		boolean mayRepair = mayRepairNodes(now, tilted);
		reconfigureStrayNodes(now, mayRepair, out);
		this.parts.masterFence.keep(now, this.parts.master.required(), mayRepair, out);
	}

	/**
	 * Writes the configuration into the master's data again when the copy there is older
	 * or gone (an application flushed the data), at most once an INFO period.
	 */
	private void repairStoredConfiguration(long now, boolean tilted, List<Action> out) {
		Electorate electorate = this.parts.electorate;
		Configuration held = electorate.config();
		NodeAddress master = this.parts.master.address();
		NodeState node = this.parts.nodes.get(master);
		if (master == null || tilted || held == null || this.parts.failovers.running() || !electorate.selfVotes()
				|| node == null || node.role() != Role.MASTER || node.stored() == null
				|| node.stored().config() != null && !held.newerThan(node.stored().config())
				|| !electorate.committed(this.parts.members.peers())
				|| this.lastStoreAt >= 0 && now - this.lastStoreAt < this.timers.infoEvery()) {
			return;
		}
		this.lastStoreAt = now;
		out.add(new Action.StoreConfiguration(master, held));
	}

	/**
	 * Records again, on the master, that a voter of the configuration stored there
	 * stopped for good, when this member knows it (it heard the voter's goodbye) and the
	 * master's data does not (the voter's own record was lost: the master was loading,
	 * restarting or out of reach as it stopped), at most once an INFO period. Any member
	 * may: the record is the departed voter's own word, the configuration it held as it
	 * said goodbye, whoever writes it. Without it a voter that missed the goodbye counts
	 * the departed voter as crashed for ever, and if that leaves it without a majority,
	 * the group can neither change its voters nor repair nodes.
	 */
	private void repairDepartures(long now, boolean tilted, List<Action> out) {
		Electorate electorate = this.parts.electorate;
		NodeAddress master = this.parts.master.address();
		NodeState node = this.parts.nodes.get(master);
		StoredConfiguration stored = (node != null) ? node.stored() : null;
		Configuration storedConfig = (stored != null) ? stored.config() : null;
		if (master == null || tilted || electorate.departures().isEmpty() || node == null || node.role() != Role.MASTER
				|| stored == null || storedConfig == null
				|| this.lastDepartureAt >= 0 && now - this.lastDepartureAt < this.timers.infoEvery()) {
			return;
		}
		for (Map.Entry<String, Configuration.Departure> departure : electorate.departures().entrySet()) {
			String member = departure.getKey();
			// only once the master's data, asked since this member learned it, still
			// lacks it: the departed voter's own record may be landing as its goodbye
			// arrives, and hundreds of observers must not all write it again at each
			// graceful stop
			if (storedConfig.isVoter(member) && !stored.departed().containsKey(member)
					&& node.infoAskedAt() > electorate.departureLearnedAt(member)) {
				this.lastDepartureAt = now;
				out.add(new Action.RecordDeparture(master, member, departure.getValue()));
			}
		}
	}

	/**
	 * Whether this member may reconfigure nodes now: see {@link #reconfigureStrayNodes}.
	 */
	private boolean mayRepairNodes(long now, boolean tilted) {
		CoordinatorParts parts = this.parts;
		NodeState current = parts.nodes.get(parts.master.address());
		return !tilted && !parts.quiet(now) && !parts.detection.masterDown() && !parts.failovers.running()
				&& !parts.elections.peerLeadsFailover(now) && !parts.maintenance.paused()
				&& parts.upkeep.hearsMajorityHolding(now)
				&& Objects.requireNonNull(current).status(now, this.timers.downAfter()) == NodeStatus.UP
				&& current.role() == Role.MASTER;
	}

	/**
	 * Turns a node that claims to be master but is not the current one (an old master
	 * come back) into a replica of the current master, and repoints a replica following
	 * another node of this group; only when the node has been up and in that role for
	 * demote-after, the current master is healthy, nobody is failing over, and this
	 * member is a voter whose configuration is committed and that hears a majority of the
	 * voters holding it: a member holding an old configuration must never demote the
	 * master of a newer one. A role told more than three PING periods ago (INFO is read
	 * every info-period in calm times) may have changed since, e.g. by a promotion this
	 * member has not heard of yet: its INFO is asked first, and the answer decides.
	 */
	private void reconfigureStrayNodes(long now, boolean mayRepair, List<Action> out) {
		if (!mayRepair) {
			return;
		}
		NodeAddress master = this.parts.master.required();
		NodeState current = this.parts.nodes.get(master);
		long downAfter = this.timers.downAfter();
		long stable = this.timers.demoteAfter();
		for (NodeState node : this.parts.nodes.all()) {
			long upSince = node.upSince(now, downAfter);
			if (node == current || node.role() == null || upSince < 0 || now - upSince < stable
					|| now - node.roleSince() < stable || node.recentlyReconfigured(now, stable)) {
				continue;
			}
			boolean strayMaster = node.role() == Role.MASTER;
			boolean wrongMaster = node.role() == Role.REPLICA && !master.equals(node.following())
					&& this.parts.nodes.get(node.following()) != null;
			if ((strayMaster || wrongMaster) && now - node.roleAt() > ReplicaSelector.maxInfoAge(this.timers)) {
				askInfo(node, now, out);
			}
			else if (strayMaster || wrongMaster) {
				node.reconfigured(now);
				out.add(new Action.Replicate(node.address(), master, this.parts.configEpoch(),
						this.parts.config.minReplicas()));
				this.parts.emit(out, Type.CONVERT_TO_REPLICA, node.address(),
						strayMaster ? "claimed to be master" : "followed " + node.following());
			}
		}
	}

	/**
	 * Asks the node's INFO now, unless it was asked within a PING period (an answer may
	 * be on its way).
	 */
	private void askInfo(NodeState node, long now, List<Action> out) {
		if (node.infoDue(now, this.timers.pingEvery())) {
			node.infoSent(now);
			out.add(new Action.QueryInfo(node.address()));
		}
	}

}
