package io.redisha.protocol;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.ReplicationInfo.Role;

/**
 * Chooses the replica to promote in place of a failed master. Only data that continues
 * the failed master's history (see {@link ReplicationLineage}) is ever chosen. A node
 * that already answers as a master and either was a replica of the failed master and
 * became a master since this member followed it (promoted by an earlier leader that then
 * failed) or is the node the failed master itself now replicates from, is adopted rather
 * than promoting a second one, if it left the failed master's history with at least as
 * much of it as the best replica has: a replica restarted empty as a master (no config
 * file, no persistence) has a history of its own, or left it with nothing. Otherwise
 * candidates must be up, with fresh INFO, a non-zero priority, neither loading nor
 * receiving a full copy, in sync with their master since they started, with a master link
 * not down for too long, and must be in the failed master's history (and, cut off from
 * their master, hold some of it): a recycled address now serving another cluster, or a
 * replica that restarted and never synced, is never promoted. In consistent partition
 * mode a replica still streaming from its master (link up, recent traffic) is not
 * promoted either: that master is alive, and members that cannot see it may still be
 * writing to it (see {@link WriteLease}). Best first: lower priority, larger offset (less
 * data lost), smaller run id.
 */
final class ReplicaSelector {

	private static final Comparator<NodeState> PREFERENCE = Comparator
		.comparingInt((NodeState node) -> node.answeredInfo().priority())
		.thenComparing(Comparator.comparingLong((NodeState node) -> node.answeredInfo().offset()).reversed())
		.thenComparing((NodeState node) -> node.answeredInfo().runId());

	private final Timers timers;

	ReplicaSelector(Timers timers) {
		this.timers = timers;
	}

	/**
	 * The choice: which node, whether it is already a master (no promotion needed), and
	 * the most seconds since its link to the failed master last carried something for
	 * which it must not be promoted: -1 when it may stream from it (a switchover, a
	 * master restarted within master-reboot-down-after, or no fence).
	 */
	record Choice(NodeState node, boolean alreadyPromoted, long refuseStreamingSeconds) {
	}

	Optional<Choice> select(Iterable<NodeState> nodes, NodeAddress failed, long now) {
		return select(nodes, failed, now, maxInfoAge(this.timers), true, ReplicationLineage.Tenure.UNKNOWN);
	}

	/**
	 * @param maxInfoAge INFO older than this is stale (an operator's failover of a
	 * healthy master accepts INFO of the calm-time period)
	 * @param failingOver whether the failed master is replaced without its consent
	 * (automatic or forced failover), rather than handing over to a target a switchover
	 * brings up to date
	 * @param tenure the failed master's current tenure as this member knows it
	 */
	Optional<Choice> select(Iterable<NodeState> nodes, NodeAddress failed, long now, long maxInfoAge,
			boolean failingOver, ReplicationLineage.Tenure tenure) {
		long failedMasterSince = tenure.since();
		NodeState failedNode = null;
		for (NodeState node : nodes) {
			if (node.address().equals(failed)) {
				failedNode = node;
			}
		}
		ReplicationLineage.History history = ReplicationLineage.ofFailedMaster(failed, failedNode, nodes, now,
				this.timers.masterRebootDownAfter(), tenure);
		long masterDownFor = (failedNode != null) ? now - failedNode.aliveAt() : 0;
		// A master failed over for restarting within master-reboot-down-after lost what
		// its replicas, streaming from it again, still hold: the operator chose to fail
		// it over.
		boolean refuseStreaming = failingOver && !(failedNode != null
				&& ReplicationLineage.restartedMaster(failedNode, now, this.timers.masterRebootDownAfter()));
		List<NodeState> masters = new ArrayList<>();
		List<NodeState> supersededButFollowed = new ArrayList<>();
		NodeState best = null;
		for (NodeState node : nodes) {
			if (node.address().equals(failed) || node.status(now, this.timers.downAfter()) != NodeStatus.UP
					|| node.info() == null) {
				continue;
			}
			boolean followed = followedByFailedMaster(node, failedNode, history);
			if (node.role() == Role.MASTER && (followed || promotedFromFailedMaster(node, failed, failedMasterSince))) {
				if (!superseded(node, failed, tenure)) {
					masters.add(node);
				}
				else if (followed) {
					supersededButFollowed.add(node);
				}
			}
			else if (eligible(node, failed, history, masterDownFor, now, maxInfoAge)
					&& (failed.equals(node.answeredInfo().master()) || !superseded(node, failed, tenure))
					&& !(refuseStreaming && streamsFromLiveMaster(node.info()))
					&& (best == null || PREFERENCE.compare(node, best) < 0)) {
				best = node;
			}
		}
		NodeState demoted = (failedNode != null && demotedToItself(failedNode, now, maxInfoAge)) ? failedNode : null;
		// A master demoted to itself holds every write it acknowledged: a node promoted
		// without some of them (restarted from an older RDB file just before) is no
		// promotion to adopt.
		long needed = Math.max((best != null) ? best.answeredInfo().offset() : 0,
				(demoted != null) ? demoted.answeredInfo().offset() : history.someOfIt());
		// A superseded promotion that the failed master itself replicates holds what the
		// failed master holds (what it took under the later configuration, if anything,
		// went in its resync): refused, it left the group without a master for good
		// (strict seed 27824378). A replica of the failed master may hold such writes
		// still: then it is not adopted, and the failover waits.
		for (NodeState node : supersededButFollowed) {
			if (syncedWith(failedNode, node) && holdsWhatTheFailedMastersReplicasHold(node, nodes, failed)) {
				masters.add(node);
			}
		}
		Optional<NodeState> promoted = masters.stream()
			.filter((node) -> node.answeredInfo().role() == Role.MASTER && now - node.infoAt() <= maxInfoAge
					&& node.answeredInfo().holds(history.id(), Math.max(needed, heldBeforeRestart(node, history)))
					&& !history.branchedOff(node.answeredInfo()))
			.max(Comparator.comparingLong((NodeState node) -> node.answeredInfo().offset()));
		long refuseStreamingSeconds = refuseStreaming ? this.timers.streamingReplicaSeconds() : -1;
		if (promoted.isPresent()) {
			return Optional.of(new Choice(promoted.get(), true, refuseStreamingSeconds));
		}
		if (demoted != null && (best == null || best.answeredInfo().offset() < demoted.answeredInfo().offset())) {
			// a replica without all its writes is never the way out, even while the
			// demoted master may not be promoted again yet
			return (othersAnswer(nodes, failed, now, maxInfoAge) && demoted.answeredInfo().priority() != 0)
					? Optional.of(new Choice(demoted, false, -1)) : Optional.empty();
		}
		return Optional.ofNullable(best).map((node) -> new Choice(node, false, refuseStreamingSeconds));
	}

	/**
	 * Whether the replica's link to the master is up in the master's history: it holds no
	 * data of its own any more.
	 */
	private static boolean syncedWith(@Nullable NodeState replica, NodeState master) {
		ReplicationInfo info = (replica != null) ? replica.answeredInfo() : null;
		return info != null && info.masterLinkUp() && !info.neverSynced()
				&& info.replicationId().equals(master.answeredInfo().replicationId());
	}

	/**
	 * Whether the node holds, in its own history, all that every node last seen
	 * replicating the failed master holds.
	 */
	private static boolean holdsWhatTheFailedMastersReplicasHold(NodeState node, Iterable<NodeState> nodes,
			NodeAddress failed) {
		for (NodeState other : nodes) {
			ReplicationInfo info = other.answeredInfo();
			if (info != null && info.role() == Role.REPLICA && failed.equals(info.master())
					&& !node.answeredInfo().holds(info.replicationId(), info.offset())) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether the node's data holds a configuration that names another master than the
	 * failed one, of an epoch older than the failed master's current configuration: a
	 * leader promoted it and recorded that, and the voters made a later configuration
	 * naming the failed master again (they removed that leader, crashed and cut off, not
	 * knowing of its promotion; the failed master took writes since). That promotion was
	 * superseded; adopted, it would drop those writes (strict seed 21076342), and so
	 * would a replica of it promoted. Data that names the failed master itself, with an
	 * older configuration, only lags behind a store (a promotion whose own store was
	 * lost, or a store of a change of voters lost on the master).
	 */
	private static boolean superseded(NodeState node, NodeAddress failed, ReplicationLineage.Tenure tenure) {
		StoredConfiguration stored = node.stored();
		Configuration config = (stored != null) ? stored.config() : null;
		return config != null && config.epoch() < tenure.epoch() && !failed.equals(config.master());
	}

	/**
	 * How much of the failed master's history the node held when this member last saw it
	 * before its latest restart; 0 when it has not restarted, or held none. A node
	 * restarted from an RDB file older than its data, then promoted by a leader that had
	 * chosen it before (its promotion held up meanwhile), lacks writes it had: no
	 * promotion to adopt (strict seed 21012143).
	 */
	private static long heldBeforeRestart(NodeState node, ReplicationLineage.History history) {
		ReplicationInfo before = node.infoBeforeRestart();
		if (before == null) {
			return 0;
		}
		if (history.id().equals(before.replicationId())) {
			return before.offset();
		}
		return history.id().equals(before.secondReplicationId()) ? before.secondReplicationOffset() - 1 : 0;
	}

	/**
	 * Whether this member saw the node replicate the failed master since it followed the
	 * failed master's current tenure, before it became a master: an earlier leader of
	 * that tenure promoted it. One last seen replicating the failed master before (the
	 * target of a switchover that the failed master's tenure later replaced) is the very
	 * node that tenure replaced, and holds none of the writes the failed master took as
	 * master, even when it left the history at exactly the point where the failed master
	 * was last seen (its INFO read during the switchover's pause), and whenever this
	 * member first saw it answer as a master. Nor is one that restarted since (the INFO
	 * that shows the restart may show it replicating): it is a master for its config file
	 * lost its role, not by a promotion, and Redis 7 restarted from RDB shows the history
	 * it had as its second one, as a promotion does.
	 */
	private static boolean promotedFromFailedMaster(NodeState node, NodeAddress failed, long failedMasterSince) {
		return failed.equals(node.lastFollowed()) && node.lastFollowedAt() >= failedMasterSince
				&& node.restartedAt() <= node.lastFollowedAt();
	}

	/**
	 * Whether the failed master replicates from the node, as this member saw it since it
	 * followed the failed master: INFO from before that shows the master it replicated
	 * before its promotion, the very node its tenure replaced, which holds none of the
	 * writes it took as master.
	 */
	private static boolean followedByFailedMaster(NodeState node, @Nullable NodeState failedNode,
			ReplicationLineage.History history) {
		return failedNode != null && !history.seenBefore() && failedNode.role() == Role.REPLICA
				&& node.address().equals(failedNode.following());
	}

	/**
	 * Whether every other node answers with fresh INFO: a switchover's target that does
	 * not may still hold the promotion its leader sent (a frozen process runs it when it
	 * wakes), and promoting the demoted master again would then leave two masters.
	 * Waiting for it is safe: once it answers, it is either a master to adopt or a
	 * replica that caught up or not.
	 */
	private boolean othersAnswer(Iterable<NodeState> nodes, NodeAddress failed, long now, long maxInfoAge) {
		for (NodeState node : nodes) {
			if (!node.address().equals(failed) && (node.status(now, this.timers.downAfter()) != NodeStatus.UP
					|| node.info() == null || now - node.infoAt() > maxInfoAge)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * A master a switchover demoted to replicate itself, whose leader then died or gave
	 * up: it holds every write the group acknowledged, so no replica that lacks some of
	 * them is promoted; it is promoted again itself once every other node answers (and
	 * its priority allows), unless a replica caught up with it.
	 */
	private boolean demotedToItself(NodeState node, long now, long maxInfoAge) {
		return node.status(now, this.timers.downAfter()) == NodeStatus.UP && node.info() != null
				&& node.role() == Role.REPLICA && node.address().equals(node.following())
				&& now - node.infoAt() <= maxInfoAge;
	}

	/**
	 * A replica with its link up receives the history as the master writes it (its offset
	 * may be read before the master's latest write); one cut off holds what it has, which
	 * must be some of it, and not on a branch the failed master never had: in its current
	 * history, or in the one it continued under a new id (promoted from it, or restarted
	 * from RDB on Redis 7: the same INFO).
	 */
	private boolean eligible(NodeState node, NodeAddress failed, ReplicationLineage.History history, long masterDownFor,
			long now, long maxInfoAge) {
		ReplicationInfo info = node.answeredInfo();
		long needed = info.masterLinkUp() ? 0 : history.someOfIt();
		if (node.role() != Role.REPLICA || info.priority() == 0 || now - node.infoAt() > maxInfoAge || info.loading()
				|| info.syncInProgress() || info.neverSynced() || !info.holds(history.id(), needed)
				|| history.branchedOff(info) || history.leftFor(info, failed)) {
			return false;
		}
		long linkDownMillis = info.masterLinkUp() ? 0 : Math.max(0, info.masterLinkDownSeconds()) * 1000;
		return linkDownMillis <= masterDownFor + 10 * this.timers.downAfter();
	}

	/**
	 * Whether the replica's link to its master is up and carried something within
	 * {@link Timers#streamingReplicaSeconds()}: members keep publishing on the master, so
	 * a live link is never silent that long. Unknown silence counts as streaming.
	 */
	private boolean streamsFromLiveMaster(ReplicationInfo info) {
		long limit = this.timers.streamingReplicaSeconds();
		return limit >= 0 && info.masterLinkUp()
				&& (info.masterLastIoSeconds() < 0 || info.masterLastIoSeconds() <= limit);
	}

	/**
	 * The replica to promote for an election: the best eligible one, or the operator's
	 * target if it is eligible. An operator's failover of a healthy master accepts INFO
	 * as old as the calm-time period.
	 * @param master the master this member follows
	 */
	Optional<Choice> choose(Election election, NodeTracker nodes, MasterView master, long now) {
		return choose(election, nodes, now, tenure(election, master));
	}

	/**
	 * Whether an operator's failover or switchover would find a replica to choose now. As
	 * {@link #choose}, but a failing master that answers, and whose latest INFO predates
	 * its tenure (a configuration of a later epoch named it again, as each change of
	 * voters does), is judged on that INFO: its replicas, further along since, are not
	 * taken for a stale branch. The leader chooses later, once it has read the master's
	 * INFO again (every PING period while it predates the tenure, and during a failover).
	 * @param masterAnswers whether the failing master answers PING
	 */
	boolean wouldChoose(Election probe, NodeTracker nodes, MasterView master, boolean masterAnswers, long now) {
		ReplicationLineage.Tenure tenure = tenure(probe, master);
		NodeState failing = nodes.get(probe.failingMaster());
		if (masterAnswers && failing != null && failing.info() != null && failing.infoAt() < tenure.since()) {
			tenure = new ReplicationLineage.Tenure(failing.infoAt(), tenure.epoch());
		}
		return choose(probe, nodes, now, tenure).isPresent();
	}

	private static ReplicationLineage.Tenure tenure(Election election, MasterView master) {
		return election.failingMaster().equals(master.address())
				? new ReplicationLineage.Tenure(master.tenureSince(), election.config().epoch())
				: ReplicationLineage.Tenure.UNKNOWN;
	}

	private Optional<Choice> choose(Election election, NodeTracker nodes, long now, ReplicationLineage.Tenure tenure) {
		long maxInfoAge = election.forced() ? 2 * this.timers.infoEvery() + Timers.TICK : maxInfoAge(this.timers);
		List<NodeState> candidates = new ArrayList<>(nodes.all());
		if (election.target() != null) {
			candidates.removeIf((node) -> !node.address().equals(election.target())
					&& !node.address().equals(election.failingMaster()));
		}
		return select(candidates, election.failingMaster(), now, maxInfoAge,
				election.trigger() != GroupSnapshot.Trigger.SWITCHOVER, tenure)
			.filter((choice) -> !election.forced() || !choice.alreadyPromoted());
	}

	/**
	 * INFO older than this is stale: during a failover INFO is read every PING period.
	 */
	static long maxInfoAge(Timers timers) {
		return Math.max(3 * timers.fastInfoEvery(), 3 * Timers.TICK);
	}

}
