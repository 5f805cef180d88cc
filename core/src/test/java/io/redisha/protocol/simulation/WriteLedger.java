package io.redisha.protocol.simulation;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.LongFunction;

import io.redisha.protocol.NodeAddress;

/**
 * Every write acknowledged to the simulated clients, judged from ground truth: the nodes'
 * data and what the majority of the member slots could reach ({@link MajorityReach}),
 * never a member's view.
 * <p>
 * A write may be lost only in the asynchronous-replication window: acknowledged while the
 * majority could not reach its master, or by a master whose history was replaced by one
 * started while (or at most {@link #GRACE_MILLIS} after) the majority could not reach it:
 * before that loss began, beyond what the successor had then, if the successor was a
 * replica of that master then or started from a prefix of its history (a lagging replica,
 * not a stale branch); or after it, by the master so deposed, which members may still
 * route to for at most {@link #STALE_ROUTE_MILLIS} once it is back. An operator's forced
 * failover counts as such a loss of the master it replaces. A later master whose data
 * held the write (promoted with it) counts as such a master too. A write whose only copy
 * a restart without persistence destroyed is lost too. Any other loss is a violation: the
 * rollback of a master the majority could reach, a stale branch winning, a resync from an
 * empty node.
 * <p>
 * For the same reason, two masters may take the majority's writes at the same time only
 * if the older one (the one that became master first) is such a deposed master.
 */
final class WriteLedger {

	/**
	 * How long before a promotion a loss still justifies it: the leader's commands may
	 * have been in flight.
	 */
	static final long GRACE_MILLIS = 1000;

	/**
	 * How long a deposed master may still take writes once it is back (or its successor
	 * took over, if later): members that have not heard of the successor yet still route
	 * to it.
	 */
	static final long STALE_ROUTE_MILLIS = 5000;

	/**
	 * How long before an INFO that shows a replica streaming its last traffic may have
	 * come: {@code master_last_io_seconds_ago} counts whole seconds and a member takes up
	 * to 1.
	 */
	static final long STREAM_SILENCE_MILLIS = 2000;

	private final MajorityReach reach;

	private final LongFunction<NodeAddress> forcedFailoverOf;

	/**
	 * Whether an election made the node master (promoted or adopted) at or after a time.
	 */
	private final BiPredicate<NodeAddress, Long> electedMasterSince;

	/**
	 * In consistent partition mode, how long after the majority lost a master (or, later,
	 * the successor stopped receiving its data) its members may still admit writes to it:
	 * fence-after, plus a tick (the simulated clients write on ticks), plus the network's
	 * largest delay (a member places a hello no earlier than the least delay it has seen
	 * after its send time, and all it has seen may have been delayed); 0 in available
	 * mode.
	 */
	private final long fenceWindow;

	private final List<AcknowledgedWrite> writes = new ArrayList<>();

	/**
	 * For each write, by its number less one: {@link MajorityReach#majorityContact} of
	 * its master as of the write.
	 */
	private final List<Long> majorityContacts = new ArrayList<>();

	/**
	 * Every history a node was seen writing to: promotions whose history did not last are
	 * among them.
	 */
	private final Set<Segment> segments = Collections.newSetFromMap(new IdentityHashMap<>());

	private final BitSet destroyed = new BitSet();

	private final Map<NodeAddress, Mastership> masterships = new HashMap<>();

	private final List<Mastership> mastershipsWithWrites = new ArrayList<>();

	/**
	 * @param forcedFailoverOf the master an operator's forced failover of that epoch
	 * replaced; null when the epoch was no forced failover
	 * @param fenceAfter the members' fence-after in consistent partition mode, 0 in
	 * available mode: then a deposed master never takes a write through a member more
	 * than fence-after after the majority lost it, nor once its successor was promoted,
	 * unless an operator forced that failover
	 * @param electedMasterSince whether an election made the node master (promoted or
	 * adopted) at or after a time
	 */
	WriteLedger(MajorityReach reach, LongFunction<NodeAddress> forcedFailoverOf,
			BiPredicate<NodeAddress, Long> electedMasterSince, long fenceAfter) {
		this.reach = reach;
		this.forcedFailoverOf = forcedFailoverOf;
		this.electedMasterSince = electedMasterSince;
		this.fenceWindow = (fenceAfter > 0) ? fenceAfter + SimWorld.TICK_MILLIS + SimNetwork.MAX_DELAY_BOUND : 0;
	}

	/**
	 * Records a write the node just acknowledged.
	 * @return why it makes two masters take writes at once, or null when it does not
	 */
	String acknowledged(String member, SimNode node, long now) {
		NodeAddress address = node.address();
		AcknowledgedWrite write = new AcknowledgedWrite(this.writes.size() + 1, member, address, node.lineage().head(),
				node.offset(), now, this.reach.reaches(address), node.acknowledgements());
		this.writes.add(write);
		this.majorityContacts.add(this.reach.majorityContact(address));
		Mastership mastership = this.masterships.get(address);
		if (mastership == null || mastership.since != node.masterSince()) {
			mastership = new Mastership(address, node.masterSince(), write.segment());
			this.masterships.put(address, mastership);
			this.mastershipsWithWrites.add(mastership);
		}
		mastership.took(write);
		for (Mastership other : this.mastershipsWithWrites) {
			if (!other.node.equals(address)) {
				String overlap = (other.since <= mastership.since) ? overlap(other, mastership, write)
						: overlap(mastership, other, write);
				if (overlap != null) {
					return overlap;
				}
			}
		}
		return null;
	}

	/**
	 * Whether the older master took a write of the majority while the newer one was
	 * taking writes, unjustified.
	 */
	private String overlap(Mastership older, Mastership newer, AcknowledgedWrite latest) {
		AcknowledgedWrite olderWrite = older.lastMajorityWrite;
		boolean overlapping = olderWrite != null && newer.firstWrite != null && olderWrite.at() >= newer.firstWrite.at()
				&& olderWrite.at() <= newer.lastWrite.at() && (latest == olderWrite || latest == newer.lastWrite);
		if (!overlapping || excused(olderWrite, newer.origin, true)) {
			return null;
		}
		return "two masters take writes at once: " + older.node + " (master since " + seconds(older.since)
				+ ") acknowledged " + olderWrite + " after " + newer.node + " (" + newer.origin + ") had acknowledged "
				+ newer.firstWrite + ", and the majority had not lost " + older.node + " when " + newer.node
				+ " took over, or not lately";
	}

	/** Takes note of the histories the nodes write to now; called at every tick. */
	void observe(Collection<SimNode> nodes) {
		for (SimNode node : nodes) {
			this.segments.add(node.lineage().head());
		}
	}

	/**
	 * Before the node loses its data (a restart without persistence): the writes no other
	 * node holds are destroyed by the fault, not lost by the protocol.
	 */
	void beforeDataLoss(SimNode node, Collection<SimNode> nodes) {
		Lineage lost = node.lineage();
		List<Lineage> others = nodes.stream().filter((other) -> other != node).map(SimNode::lineage).toList();
		for (AcknowledgedWrite write : this.writes) {
			if (lost.contains(write) && others.stream().noneMatch((data) -> data.contains(write))) {
				this.destroyed.set((int) write.id());
			}
		}
	}

	/** Judges every write against the final master's data. */
	Verdict judge(SimNode finalMaster) {
		FinalHistory history = new FinalHistory(finalMaster.lineage());
		Verdict verdict = new Verdict(this.writes.size());
		for (AcknowledgedWrite write : this.writes) {
			if (history.data.contains(write)) {
				continue;
			}
			if (this.destroyed.get((int) write.id())) {
				verdict.destroyed++;
			}
			else if (!write.majority() && beforeTheFence(write, history)) {
				verdict.inMinority++;
			}
			else {
				judgeLoss(write, history, finalMaster, verdict);
			}
		}
		return verdict;
	}

	/**
	 * Whether a write the majority could not see was taken before the members' fence
	 * closed: always in available mode; in consistent mode within the fence window of
	 * that loss, or of the moment from which a majority of the voters had each reached
	 * that master, one at a time or together, unless a node was promoted from its history
	 * in between (the members' lease counts each voter's latest reply: any majority that
	 * fails the master over shares a voter with them, who votes only down-after after its
	 * last reply; strict seed 88373), or of the last time the final history's successor
	 * acknowledged that master's stream (plus the silence an INFO still reads as
	 * streaming), or of the last write of the same master that the final data holds, if
	 * later (while the replicas still streamed from it, a member may admit writes on
	 * their evidence, see WriteLease).
	 */
	private boolean beforeTheFence(AcknowledgedWrite write, FinalHistory history) {
		if (this.fenceWindow == 0) {
			return true;
		}
		MajorityReach.Loss loss = this.reach.lossDuring(write.node(), write.at(), write.at());
		long from = (loss != null) ? loss.since() : Long.MIN_VALUE / 2;
		long majorityContact = this.majorityContacts.get((int) write.id() - 1);
		if (majorityContact > from && !promotedFromItsHistory(write, from)) {
			from = majorityContact;
		}
		Segment successor = new Branch(write, history).successor();
		if (successor != null) {
			from = Math.max(from, lastSeenStreaming(write, successor));
		}
		for (AcknowledgedWrite kept : this.writes) {
			if (kept.at() > write.at()) {
				break;
			}
			if (kept.node().equals(write.node()) && kept.at() > from && history.data.contains(kept)) {
				from = kept.at();
			}
		}
		return write.at() <= from + this.fenceWindow;
	}

	/**
	 * Whether another node started a history of its own from the write's history (or one
	 * it continues) between {@code since} (less the grace of a leader's commands in
	 * flight) and the write, and an election made it master: a promotion the members'
	 * lease must not outlast. A node restarted as a standalone master that no election
	 * adopted is a stray, not a successor.
	 */
	private boolean promotedFromItsHistory(AcknowledgedWrite write, long since) {
		Set<Segment> chain = Collections.newSetFromMap(new IdentityHashMap<>());
		for (Segment segment = write.segment(); segment != null; segment = segment.parent()) {
			chain.add(segment);
		}
		for (Segment segment : this.segments) {
			if (!segment.node().equals(write.node()) && segment.parent() != null && chain.contains(segment.parent())
					&& !chain.contains(segment) && segment.createdAt() >= since - GRACE_MILLIS
					&& segment.createdAt() <= write.at() && (segment.epoch() != Segment.NO_EPOCH
							|| this.electedMasterSince.test(segment.node(), segment.createdAt()))) {
				return true;
			}
		}
		return false;
	}

	private void judgeLoss(AcknowledgedWrite write, FinalHistory history, SimNode finalMaster, Verdict verdict) {
		Branch branch = new Branch(write, history);
		Segment meeting = branch.meeting;
		long branchedAt = branch.branchedAt;
		Segment successor = branch.successor();
		boolean prefix = successor != null && (meeting == null || successor.from() <= branchedAt);
		if (successor != null && excused(write, successor, prefix) || droppedByAnEarlierSuccessor(write)
				|| lostWithACarrier(write, history)) {
			verdict.inWindow++;
			return;
		}
		verdict.violations++;
		if (verdict.firstViolation != null) {
			return;
		}
		Replacement replacement = (successor != null) ? replacement(write.node(), successor) : null;
		String lost = write + " is not in the data of the final master " + finalMaster + ": ";
		if (successor == null || !prefix && !replicaThen(write, replacement)) {
			verdict.firstViolation = lost + "its history went on with " + meeting + " past offset " + branchedAt
					+ ", where the write's branched off" + ((successor != null) ? ", then " + successor : "");
		}
		else if (replacement == null) {
			verdict.firstViolation = lost
					+ ((meeting != null) ? "its history left " + write.node() + "'s with "
							: "its history shares nothing with the write's, and starts with ")
					+ successor + ", while the majority could reach " + write.node();
		}
		else if (write.at() >= replacement.since() && this.fenceWindow > 0 && !replacement.forced()) {
			verdict.firstViolation = lost + "its history left " + write.node() + "'s with " + successor + ", and "
					+ write.node() + " took the write through a member after the fence should have closed: "
					+ this.fenceWindow + " ms after the majority lost it at " + seconds(replacement.since())
					+ ", or after the successor's promotion";
		}
		else if (write.at() >= replacement.since()) {
			verdict.firstViolation = lost + "its history left " + write.node() + "'s with " + successor + ", and "
					+ write.node() + " took the write more than " + STALE_ROUTE_MILLIS
					+ " ms after it was back from its loss at " + seconds(replacement.since());
		}
		else {
			verdict.firstViolation = lost + successor.node() + " had it when the majority lost " + write.node() + " at "
					+ seconds(replacement.since()) + ", yet took over without it: " + successor;
		}
	}

	/**
	 * Whether a node promoted from the write's own history, before the write, replaced
	 * its master legitimately without it: the write was lost then, in the replication
	 * window, whatever became of that node's history later (it may itself have been
	 * deposed since, and the final history started from an older point).
	 */
	private boolean droppedByAnEarlierSuccessor(AcknowledgedWrite write) {
		for (Segment segment : this.segments) {
			if (segment.parent() == write.segment() && segment.from() < write.offset()
					&& excused(write, segment, true)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether the write was lost in the replication window of a later master that carried
	 * it: a node promoted (or restarted as master) on top of data that held the write,
	 * that the majority lost as a master with the write in its data, replaced by a
	 * successor that did not have it then and was its replica or held a prefix of its
	 * history. The write is that master's data as much as its own writes are, whether the
	 * master that acknowledged it is back or not (seed 75104).
	 */
	private boolean lostWithACarrier(AcknowledgedWrite write, FinalHistory history) {
		for (Segment carrier : this.segments) {
			if (carrier == write.segment() || !new Lineage(carrier, Long.MAX_VALUE).contains(write)) {
				continue;
			}
			// only its segment matters to the branch: where the carrier's history meets
			// the final one
			AcknowledgedWrite carried = new AcknowledgedWrite(write.id(), write.member(), carrier.node(), carrier,
					write.offset(), write.at(), write.majority(), write.streamed());
			Branch branch = new Branch(carried, history);
			Segment successor = branch.successor();
			if (successor == null) {
				continue;
			}
			boolean prefix = branch.meeting == null || successor.from() <= branch.branchedAt;
			long promoted = successor.createdAt();
			MajorityReach.Loss loss = this.reach.lossDuring(carrier.node(), promoted - GRACE_MILLIS, promoted);
			if (loss == null || write.at() >= loss.since()) {
				continue;
			}
			SimNode.State carrierThen = loss.stateOf(carrier.node());
			SimNode.State successorThen = loss.stateOf(successor.node());
			// the carrier must have been a master when the majority lost it, not a
			// node that became one later (a frozen switchover target waking up)
			if (carrierThen != null && carrierThen.following() == null && carrier.createdAt() <= loss.since()
					&& carrierThen.data().contains(write) && successorThen != null
					&& !successorThen.data().contains(write)
					&& (prefix || carrier.node().equals(successorThen.following()))) {
				return true;
			}
		}
		return false;
	}

	private static boolean replicaThen(AcknowledgedWrite write, Replacement replacement) {
		return replacement != null && write.node().equals(replacement.successorThen().following());
	}

	/**
	 * Whether the write may be lost to the successor's history: its master was replaced
	 * legitimately, and the write was taken by the deposed master before members could
	 * know, or, when the successor started from a prefix of the history the write went to
	 * (a lagging replica of it), before the loss and beyond what the successor had then.
	 */
	private boolean excused(AcknowledgedWrite write, Segment successor, boolean fromPrefix) {
		Replacement replacement = replacement(write.node(), successor);
		if (replacement == null) {
			return false;
		}
		if (write.at() < replacement.since()) {
			return (fromPrefix || replicaThen(write, replacement))
					&& !replacement.successorThen().data().contains(write);
		}
		if (this.fenceWindow > 0 && !replacement.forced()
				&& (write.at() >= successor.createdAt() || write.at() > replacement.since() + this.fenceWindow)
				&& write.at() > lastSeenStreaming(write, successor) + this.fenceWindow) {
			return false;
		}
		return write.at() - STALE_ROUTE_MILLIS <= replacement.back();
	}

	/**
	 * Until when an INFO of the successor may still have shown it streaming from the
	 * write's master: a member admits writes for fence-after on that evidence (the
	 * documented window of "No needless fence": the master may take them after the
	 * successor stopped receiving, even after its promotion; seed 11916).
	 */
	private static long lastSeenStreaming(AcknowledgedWrite write, Segment successor) {
		return write.streamed().getOrDefault(successor.node(), Long.MIN_VALUE / 2) + STREAM_SILENCE_MILLIS;
	}

	/**
	 * How the old master's history came to be replaced by the successor legitimately: by
	 * an operator's forced failover of it, or while the majority had lost it; null when
	 * neither.
	 */
	private Replacement replacement(NodeAddress oldMaster, Segment successor) {
		long promoted = successor.createdAt();
		boolean forced = successor.epoch() != Segment.NO_EPOCH
				&& oldMaster.equals(this.forcedFailoverOf.apply(successor.epoch()));
		MajorityReach.Loss loss = this.reach.lossDuring(oldMaster, promoted - GRACE_MILLIS, promoted);
		if (loss != null) {
			return new Replacement(loss.since(), Math.max(loss.until(), promoted), loss.stateOf(successor.node()),
					forced);
		}
		return forced ? new Replacement(promoted, promoted,
				new SimNode.State(new Lineage(successor.parent(), successor.from()), oldMaster), true) : null;
	}

	private static String seconds(long millis) {
		return String.format("%.1fs", millis / 1000.0);
	}

	/** The final master's data, and the chain of segments it descends from. */
	private final class FinalHistory {

		private final Lineage data;

		/** Each segment of the chain but the newest, with the next one. */
		private final Map<Segment, Segment> next = new IdentityHashMap<>();

		private final Segment root;

		FinalHistory(Lineage data) {
			this.data = data;
			Segment segment = data.head();
			for (; segment.parent() != null; segment = segment.parent()) {
				this.next.put(segment.parent(), segment);
			}
			this.root = segment;
		}

		/** Whether the segment is on this chain. */
		boolean contains(Segment segment) {
			return segment == this.data.head() || this.next.containsKey(segment);
		}

		/**
		 * The segment of this history that took over from the meeting point: the next
		 * one, or the root when the histories do not meet; null when this history ends
		 * there (it kept the older branch). A restart as master that no election made
		 * master and that this history holds nothing of (the next segment starts where it
		 * did) took over nothing: a replica that followed it, still a prefix of the old
		 * master's history, took over when it was promoted (seed 17058809).
		 */
		Segment successor(Segment meeting) {
			if (meeting == null) {
				return this.root;
			}
			Segment successor = this.next.get(meeting);
			while (successor != null && isEmptyStray(successor)) {
				successor = this.next.get(successor);
			}
			return successor;
		}

		private boolean isEmptyStray(Segment segment) {
			Segment after = this.next.get(segment);
			return after != null && after.from() == segment.from() && segment.epoch() == Segment.NO_EPOCH
					&& !WriteLedger.this.electedMasterSince.test(segment.node(), segment.createdAt());
		}

	}

	/**
	 * Where the history a write went to meets the final history, and what took over
	 * there.
	 */
	private static final class Branch {

		private Segment meeting;

		private long branchedAt = Long.MAX_VALUE;

		private final FinalHistory history;

		Branch(AcknowledgedWrite write, FinalHistory history) {
			this.history = history;
			for (Segment segment = write.segment(); segment != null
					&& this.meeting == null; segment = segment.parent()) {
				if (history.contains(segment)) {
					this.meeting = segment;
				}
				else {
					this.branchedAt = segment.from();
				}
			}
		}

		Segment successor() {
			return this.history.successor(this.meeting);
		}

	}

	/** What became of the acknowledged writes. */
	static final class Verdict {

		private final int acknowledged;

		private int inWindow;

		private int inMinority;

		private int destroyed;

		private int violations;

		private String firstViolation;

		Verdict(int acknowledged) {
			this.acknowledged = acknowledged;
		}

		int acknowledged() {
			return this.acknowledged;
		}

		/**
		 * Lost from a master the majority had lost, beyond what its successor had then.
		 */
		int lostInWindow() {
			return this.inWindow;
		}

		/** Lost, acknowledged by a master the majority could not reach. */
		int lostInMinority() {
			return this.inMinority;
		}

		/** Lost with the only node that had them, restarted without persistence. */
		int destroyed() {
			return this.destroyed;
		}

		int violations() {
			return this.violations;
		}

		/** The first lost write that nothing excuses, and why; null when none. */
		String firstViolation() {
			return this.firstViolation;
		}

	}

	/**
	 * A legitimate replacement of an old master.
	 *
	 * @param since when the majority lost it
	 * @param back when it was back and the successor had taken over
	 * @param successorThen the successor's node when the loss began: its data and its
	 * master
	 */
	private record Replacement(long since, long back, SimNode.State successorThen, boolean forced) {
	}

	/**
	 * One node's time as master, from its first write: the writes it took, for the
	 * overlap check.
	 */
	private static final class Mastership {

		private final NodeAddress node;

		private final long since;

		private final Segment origin;

		private AcknowledgedWrite firstWrite;

		private AcknowledgedWrite lastWrite;

		private AcknowledgedWrite lastMajorityWrite;

		Mastership(NodeAddress node, long since, Segment origin) {
			this.node = node;
			this.since = since;
			this.origin = origin;
		}

		void took(AcknowledgedWrite write) {
			this.firstWrite = (this.firstWrite != null) ? this.firstWrite : write;
			this.lastWrite = write;
			if (write.majority()) {
				this.lastMajorityWrite = write;
			}
		}

	}

}
