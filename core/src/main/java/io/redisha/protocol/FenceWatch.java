package io.redisha.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.ReplicationInfo.Role;

/**
 * The partition fence (see {@link WriteLease}): whether this member's application may
 * write, from the voters' evidence that the master answers them or from the replicas'
 * INFO; its start and end announced.
 */
final class FenceWatch {

	private final CoordinatorParts parts;

	/** Whether the partition fence was closed at the last tick. */
	private boolean fenced;

	/**
	 * Whether the fence rests on the replicas' INFO rather than on a majority of the
	 * voters.
	 */
	private boolean leansOnReplicas;

	FenceWatch(CoordinatorParts parts) {
		this.parts = parts;
	}

	boolean leansOnReplicas() {
		return this.leansOnReplicas;
	}

	/**
	 * Announces the start and end of a fence, and reads the replicas every PING period
	 * from the moment the majority's evidence will not last another third of fence-after,
	 * so that their evidence is fresh before the majority's runs out. Not sooner: a
	 * healthy voter's evidence is up to two thirds of fence-after old when the next
	 * arrives (see {@link Timers}), and a group of hundreds of instances reading every
	 * node every PING period would load the nodes more than all its gossip.
	 */
	void watch(long now, List<Action> out) {
		// The evidence is the same for both moments: gathered once.
		NodeAddress promoted = this.parts.nodes.promotedBeside(this.parts.master);
		List<WriteLease.Evidence> evidence = evidence(promoted);
		long replicasAttachedSince = replicasAttachedSince();
		GroupSnapshot.FenceSnapshot fence = lease(now, evidence, replicasAttachedSince, promoted);
		GroupSnapshot.FenceSnapshot soon = lease(now + this.parts.timers.fenceAfter() / 3, evidence,
				replicasAttachedSince, promoted);
		this.leansOnReplicas = fence.mode() == PartitionMode.CONSISTENT
				&& soon.votersWithMaster() < soon.votersNeeded();
		if (fence.fenced() != this.fenced) {
			this.fenced = fence.fenced();
			this.parts.emit(out, this.fenced ? Type.FENCED : Type.UNFENCED, this.parts.master.address(),
					fence.reason());
		}
	}

	GroupSnapshot.FenceSnapshot snapshot(long now) {
		NodeAddress promoted = this.parts.nodes.promotedBeside(this.parts.master);
		return lease(now, evidence(promoted), replicasAttachedSince(), promoted);
	}

	/**
	 * The lease; with a node {@code promoted} beside the master (see
	 * {@link NodeTracker#promotedBeside}), a fence says so first.
	 */
	private GroupSnapshot.FenceSnapshot lease(long now, List<WriteLease.Evidence> evidence, long replicasAttachedSince,
			@Nullable NodeAddress promoted) {
		CoordinatorParts parts = this.parts;
		Configuration held = parts.electorate.config();
		// Before a master is known there is nothing to write to, and nothing to fence.
		boolean configurationElsewhere = held == null && parts.master.known()
				&& !parts.upkeep.unfoundedWithOneMaster(now);
		GroupSnapshot.FenceSnapshot lease = WriteLease.of(now, parts.timers.fenceAfter(), held,
				parts.electorate.departures(), evidence, replicasAttachedSince, parts.startedAt,
				configurationElsewhere);
		if (promoted == null || !lease.fenced()) {
			return lease;
		}
		boolean unsettled = Objects.requireNonNull(parts.nodes.get(promoted))
			.promotionUnsettled(parts.master.tenureSince());
		String beside = unsettled
				? promoted + " was sent a promotion, and has answered no INFO or ROLE since: it may be a master that "
						+ "no configuration names; this member vouches for the master again once it answers as a "
						+ "replica, or adopts it; "
				: promoted + " answers as a master promoted from the master's replicas, and no configuration names it: "
						+ "this member vouches for the master again once it is a replica, or adopts it; ";
		return new GroupSnapshot.FenceSnapshot(lease.mode(), lease.leaseUntilMs(), true, beside + lease.reason(),
				lease.sinceMs(), lease.votersWithMaster(), lease.votersNeeded(), lease.replicasAttached());
	}

	/**
	 * Each voter's last valid reply from the master, this member's own included when it
	 * votes and no node is {@code promoted} beside the master, of the voters that hold
	 * this member's configuration.
	 */
	private List<WriteLease.Evidence> evidence(@Nullable NodeAddress promoted) {
		CoordinatorParts parts = this.parts;
		Configuration held = parts.electorate.config();
		NodeAddress master = parts.master.address();
		List<WriteLease.Evidence> evidence = new ArrayList<>();
		if (held != null && held.master().equals(master)) {
			NodeState masterNode = parts.nodes.get(master);
			// no word for a master this member may be helping to replace, or that a node
			// promoted beside it may replace
			boolean withholds = parts.elections.running() || parts.failovers.running()
					|| parts.voting.openVote() > held.epoch() || promoted != null;
			if (parts.electorate.selfVotes() && !withholds && masterNode != null
					&& masterNode.lastValidReplyAt() >= 0) {
				evidence.add(new WriteLease.Evidence(parts.self.id(), masterNode.lastValidReplyAt()));
			}
			for (Peer peer : parts.members.peers()) {
				long at = peer.masterReplyAt(held);
				if (at >= 0) {
					evidence.add(new WriteLease.Evidence(peer.id(), at));
				}
			}
		}
		return evidence;
	}

	/**
	 * When the oldest of the latest INFO requests to the replicas was sent, if every node
	 * but the master answered it as a replica of the master, streaming (link up, traffic
	 * within a second); -1 otherwise, and when no replica is known.
	 */
	private long replicasAttachedSince() {
		NodeAddress master = this.parts.master.address();
		long since = Long.MAX_VALUE;
		for (NodeState node : this.parts.nodes.all()) {
			if (node.address().equals(master)) {
				continue;
			}
			ReplicationInfo info = node.info();
			if (info == null || info.role() != Role.REPLICA || !Objects.equals(info.master(), master)
					|| !info.masterLinkUp() || info.masterLastIoSeconds() < 0 || info.masterLastIoSeconds() > 1) {
				return -1;
			}
			since = Math.min(since, node.infoAskedAt());
		}
		return (since == Long.MAX_VALUE) ? -1 : since;
	}

}
