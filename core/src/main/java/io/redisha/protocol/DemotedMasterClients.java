package io.redisha.protocol;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.ReplicationInfo.Role;

/**
 * The clients of the masters this member's failovers demoted: disconnected
 * ({@link Action.DisconnectClients}) as soon as the old master can be reached, so that
 * clients outside this application (non-Spring too) reconnect and find the new master
 * instead of writing to a demoted one. Only the leader of a failover does it: one
 * {@code CLIENT KILL} per failover, not one per member, each of which would also cut
 * every other member's links. The old master may be unreachable at the promotion (dead,
 * paused, cut off): the command is sent again {@value #RETRY_EVERY} ms after each
 * failure, for as long as the group's failover timeout. It is no longer sent once it
 * succeeded, once the old master is the master this member follows again, once its INFO
 * shows it replicating the new master (the repointing's block disconnected its clients,
 * or it restarted), or once it is no longer monitored.
 */
final class DemotedMasterClients {

	/** How long after a failed attempt the next one is sent. */
	static final long RETRY_EVERY = 500;

	private final Map<NodeAddress, Pending> pending = new LinkedHashMap<>();

	/** The failover's promotion of {@code newMaster} demoted {@code oldMaster}. */
	void promoted(long now, NodeAddress oldMaster, NodeAddress newMaster, long retryFor, List<Action> out) {
		// The new master is never disconnected, even if it was demoted once before.
		this.pending.remove(newMaster);
		if (!oldMaster.equals(newMaster)) {
			Pending attempt = new Pending(newMaster, now, now + retryFor);
			this.pending.put(oldMaster, attempt);
			attempt.send(oldMaster, out);
		}
	}

	/** The reply to a {@link Action.DisconnectClients}. */
	void onReply(long now, Action.DisconnectClients command, Reply reply) {
		Pending attempt = this.pending.get(command.node());
		if (attempt == null || !attempt.inFlight) {
			return;
		}
		attempt.inFlight = false;
		if (reply instanceof Reply.Text text && !text.error()) {
			this.pending.remove(command.node());
		}
		else {
			attempt.nextAt = now + RETRY_EVERY;
		}
	}

	/**
	 * Sends the attempts that are due, and drops those no longer needed.
	 * @param master the master this member follows now
	 */
	void tick(long now, NodeTracker nodes, @Nullable NodeAddress master, List<Action> out) {
		for (Iterator<Map.Entry<NodeAddress, Pending>> entries = this.pending.entrySet().iterator(); entries
			.hasNext();) {
			Map.Entry<NodeAddress, Pending> entry = entries.next();
			NodeAddress oldMaster = entry.getKey();
			Pending attempt = entry.getValue();
			NodeState node = nodes.get(oldMaster);
			if (node == null || oldMaster.equals(master) || attempt.followsNewMaster(node) || now > attempt.giveUpAt) {
				entries.remove();
			}
			else if (!attempt.inFlight && now >= attempt.nextAt) {
				attempt.send(oldMaster, out);
			}
		}
	}

	private static final class Pending {

		private final NodeAddress newMaster;

		private final long promotedAt;

		private final long giveUpAt;

		private boolean inFlight;

		private long nextAt;

		Pending(NodeAddress newMaster, long promotedAt, long giveUpAt) {
			this.newMaster = newMaster;
			this.promotedAt = promotedAt;
			this.giveUpAt = giveUpAt;
		}

		void send(NodeAddress oldMaster, List<Action> out) {
			this.inFlight = true;
			out.add(new Action.DisconnectClients(oldMaster));
		}

		/**
		 * Whether an INFO read since the promotion shows the node replicating the new
		 * master.
		 */
		boolean followsNewMaster(NodeState node) {
			ReplicationInfo info = node.info();
			return info != null && node.infoAskedAt() >= this.promotedAt && info.role() == Role.REPLICA
					&& this.newMaster.equals(info.master());
		}

	}

}
