package io.redisha.protocol;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.ReplicationInfo.Role;

/** This member's picture of the group, for the endpoint, health and metrics. */
final class Snapshots {

	private final CoordinatorParts parts;

	Snapshots(CoordinatorParts parts) {
		this.parts = parts;
	}

	GroupSnapshot take(long now) {
		CoordinatorParts parts = this.parts;
		long downAfter = parts.timers.downAfter();
		boolean sparse = parts.detection.pingsSparsely(now);
		NodeAddress master = parts.master.address();
		NodeState masterNode = parts.nodes.get(master);
		long masterOffset = (masterNode != null && masterNode.info() != null && masterNode.role() == Role.MASTER)
				? masterNode.info().offset() : -1;
		GroupSnapshot.NodeSnapshot masterSnapshot = (masterNode != null)
				? masterNode.snapshot(now, downAfter, sparse, masterOffset) : null;
		List<GroupSnapshot.NodeSnapshot> replicas = new ArrayList<>();
		for (NodeState node : parts.nodes.all()) {
			if (node != masterNode) {
				replicas.add(node.snapshot(now, downAfter, sparse, masterOffset));
			}
		}
		List<GroupSnapshot.MemberSnapshot> members = new ArrayList<>();
		members.add(new GroupSnapshot.MemberSnapshot(parts.self.id(), parts.self.application(), true, 0,
				parts.epochs.current(), master, parts.configEpoch(), parts.detection.masterDown(),
				parts.self.endpoint()));
		for (Peer peer : parts.members.peers()) {
			members.add(peer.snapshot(now));
		}
		FailoverSnapshot running = parts.failovers.snapshot();
		return new GroupSnapshot(parts.config.name(), state(now), parts.epochs.current(), parts.configEpoch(),
				parts.config.quorum(), masterSnapshot, replicas, members, parts.rejections.total(),
				parts.history.last(running), parts.history.list(running), parts.history.recorded(),
				parts.elections.quorumCheck(now), parts.maintenance.snapshot(), parts.quiet(now), electorate(),
				parts.fence.snapshot(now), parts.rejections.snapshot());
	}

	private GroupState state(long now) {
		CoordinatorParts parts = this.parts;
		if (parts.tilt.tilted(now)) {
			return GroupState.TILT;
		}
		if (!parts.master.known()) {
			return GroupState.NO_MASTER;
		}
		if (parts.failovers.running() || parts.elections.running() || parts.elections.peerLeadsFailover(now)) {
			return GroupState.FAILOVER;
		}
		if (parts.maintenance.paused()) {
			return GroupState.PAUSED;
		}
		if (parts.detection.objectivelyDown()) {
			return GroupState.ODOWN;
		}
		return parts.detection.masterDown() ? GroupState.SDOWN : GroupState.OK;
	}

	private GroupSnapshot.@Nullable ElectorateSnapshot electorate() {
		Electorate electorate = this.parts.electorate;
		Configuration held = electorate.config();
		if (held == null) {
			return null;
		}
		List<String> counted = held.liveVoters(electorate.departures());
		return new GroupSnapshot.ElectorateSnapshot(held.version(), held.voters(),
				held.voters().stream().filter((voter) -> !counted.contains(voter)).toList(), electorate.selfVotes(),
				electorate.committed(this.parts.members.peers()), this.parts.config.voters());
	}

}
