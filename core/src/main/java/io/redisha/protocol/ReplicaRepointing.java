package io.redisha.protocol;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.ReplicationInfo.Role;

/**
 * The last stage of a failover: the other nodes repointed to the promoted one, at most
 * {@code parallelSyncs} resyncing at a time, each done once its INFO shows it streaming
 * from the new master.
 */
final class ReplicaRepointing {

	private final Events events;

	private final FailoverSteps steps;

	private final long epoch;

	private final NodeAddress newMaster;

	private final Timers timers;

	private final int parallelSyncs;

	/** The master-side fence, cleared on the nodes made replicas. */
	private final MinReplicas minReplicas;

	/** Replicas still to repoint, and those repointed with when. */
	private final Set<NodeAddress> pending = new LinkedHashSet<>();

	private final Map<NodeAddress, Long> sent = new LinkedHashMap<>();

	/**
	 * Replicas whose repointing was refused, and when it may be sent again: a node that
	 * answers {@code LOADING} or refuses the connection answers at once, and sending
	 * again right after each reply would hammer it.
	 */
	private final Map<NodeAddress, Long> retryAt = new LinkedHashMap<>();

	ReplicaRepointing(Events events, FailoverSteps steps, long epoch, NodeAddress newMaster, Timers timers,
			int parallelSyncs, MinReplicas minReplicas) {
		this.events = events;
		this.steps = steps;
		this.epoch = epoch;
		this.newMaster = newMaster;
		this.timers = timers;
		this.parallelSyncs = parallelSyncs;
		this.minReplicas = minReplicas;
	}

	/**
	 * Lists what to repoint: the other replicas; after an operator's failover also the
	 * old master, which is alive: a forced failover left it a master that must stop
	 * taking writes at once, a switchover left it replicating itself (after an automatic
	 * failover it is down and the stray node repair turns it into a replica when it comes
	 * back). The coordinator's next {@link FailoverProcess#advance} (right after this
	 * reply, unless in TILT) sends them.
	 */
	void list(long now, NodeTracker nodes, NodeAddress oldMaster, boolean operator) {
		for (NodeState node : nodes.all()) {
			NodeAddress address = node.address();
			boolean otherReplica = !address.equals(oldMaster) && node.role() == Role.REPLICA;
			boolean liveOldMaster = operator && address.equals(oldMaster);
			if (!address.equals(this.newMaster) && (otherReplica || liveOldMaster) && reachable(node, now)) {
				this.pending.add(address);
			}
		}
	}

	/**
	 * A refused repointing (an error such as {@code LOADING}, a failed connection) is
	 * sent again a PING period later, when the node's state has been read again, unless
	 * the node's data holds a later configuration.
	 */
	void onReply(long now, Action.NodeCommand command, Reply reply) {
		if (command instanceof Action.Replicate replicate && replicate.epoch() == this.epoch
				&& this.sent.containsKey(command.node()) && !(reply instanceof Reply.Info)) {
			this.sent.remove(command.node());
			if (StoredConfiguration.refusedAsStale(reply)) {
				// The node's data holds a later configuration: asking again gets the same
				// answer.
				this.steps.add("reconf-refused-stale " + command.node(), now);
			}
			else {
				this.pending.add(command.node());
				this.retryAt.put(command.node(), now + this.timers.pingEvery());
			}
		}
	}

	/**
	 * Sends the next repointings; returns whether every node is done (or the failover
	 * timed out, when all those left are sent at once).
	 */
	boolean advance(long now, NodeTracker nodes, boolean timedOut, List<Action> out) {
		recordResynced(now, nodes, out);
		for (NodeAddress address : List.copyOf(this.pending)) {
			if (!reachable(nodes.get(address), now)) {
				this.pending.remove(address);
				this.retryAt.remove(address);
				this.steps.add("reconf-skipped-down " + address, now);
			}
			else if (timedOut
					|| this.sent.size() < this.parallelSyncs && now >= this.retryAt.getOrDefault(address, now)) {
				this.pending.remove(address);
				this.retryAt.remove(address);
				this.sent.put(address, now);
				out.add(new Action.Replicate(address, this.newMaster, this.epoch, this.minReplicas));
				this.steps.add("reconf-sent " + address, now);
				this.events.emit(out, Type.REPLICA_RECONF_SENT, this.epoch, address, null);
			}
		}
		return timedOut || this.pending.isEmpty() && this.sent.isEmpty();
	}

	/**
	 * Down replicas are left out: they are repointed when they come back (see the
	 * coordinator's stray node repair).
	 */
	private boolean reachable(@Nullable NodeState node, long now) {
		return node != null && node.status(now, this.timers.downAfter()) == NodeStatus.UP;
	}

	private void recordResynced(long now, NodeTracker nodes, List<Action> out) {
		for (Map.Entry<NodeAddress, Long> entry : List.copyOf(this.sent.entrySet())) {
			NodeState node = nodes.get(entry.getKey());
			if (!reachable(node, now)) {
				this.sent.remove(entry.getKey());
				this.steps.add("reconf-skipped-down " + entry.getKey(), now);
				continue;
			}
			boolean following = node != null && node.infoAt() > entry.getValue() && node.role() == Role.REPLICA
					&& this.newMaster.equals(node.following()) && node.answeredInfo().masterLinkUp();
			if (following) {
				this.sent.remove(entry.getKey());
				this.steps.add("reconf-done " + entry.getKey(), now);
				this.events.emit(out, Type.REPLICA_RECONF_DONE, this.epoch, entry.getKey(), null);
			}
		}
	}

}
