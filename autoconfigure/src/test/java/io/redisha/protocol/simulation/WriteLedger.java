package io.redisha.protocol.simulation;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

import io.redisha.protocol.NodeAddress;

/**
 * Every write acknowledged to the simulated clients, judged from ground truth: the nodes'
 * data and what the majority of the member slots could reach ({@link MajorityReach}), never
 * a member's view.
 * <p>
 * A write may be lost only in the asynchronous-replication window: acknowledged while the
 * majority could not reach its master, or by a master whose history was replaced by one
 * started while (or at most {@link #GRACE_MILLIS} after) the majority could not reach it,
 * either before that loss began and beyond what the successor had then, or after it, by a
 * master deposed that way that members still route to for at most
 * {@link #STALE_ROUTE_MILLIS} once it is back. An operator's forced failover counts as such
 * a loss of the master it replaces. A write whose only copy a restart without persistence
 * destroyed is lost too. Any other loss is a violation: the rollback of a master the majority
 * could reach, a stale branch winning, a resync from an empty node.
 * <p>
 * For the same reason, two masters may take the majority's writes at the same time only if
 * the older one (the one that became master first) is such a deposed master.
 */
final class WriteLedger {

	/** How long before a promotion a loss still justifies it: the leader's commands may have been in flight. */
	static final long GRACE_MILLIS = 1000;

	/**
	 * How long a deposed master may still take writes once it is back (or its successor took
	 * over, if later): members that have not heard of the successor yet still route to it.
	 */
	static final long STALE_ROUTE_MILLIS = 5000;

	private final MajorityReach reach;

	private final LongFunction<NodeAddress> forcedFailoverOf;

	private final List<AcknowledgedWrite> writes = new ArrayList<>();

	private final BitSet destroyed = new BitSet();

	private final Map<NodeAddress, Mastership> masterships = new HashMap<>();

	private final List<Mastership> mastershipsWithWrites = new ArrayList<>();

	/**
	 * @param forcedFailoverOf the master an operator's forced failover of that epoch replaced;
	 * null when the epoch was no forced failover
	 */
	WriteLedger(MajorityReach reach, LongFunction<NodeAddress> forcedFailoverOf) {
		this.reach = reach;
		this.forcedFailoverOf = forcedFailoverOf;
	}

	/**
	 * Records a write the node just acknowledged.
	 * @return why it makes two masters take writes at once, or null when it does not
	 */
	String acknowledged(String member, SimNode node, long now) {
		NodeAddress address = node.address();
		AcknowledgedWrite write = new AcknowledgedWrite(this.writes.size() + 1, member, address,
				node.lineage().head(), node.offset(), now, this.reach.reaches(address));
		this.writes.add(write);
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

	/** Whether the older master took a write of the majority while the newer one was taking writes, unjustified. */
	private String overlap(Mastership older, Mastership newer, AcknowledgedWrite latest) {
		AcknowledgedWrite olderWrite = older.lastMajorityWrite;
		boolean overlapping = olderWrite != null && newer.firstWrite != null && olderWrite.at() >= newer.firstWrite.at()
				&& olderWrite.at() <= newer.lastWrite.at() && (latest == olderWrite || latest == newer.lastWrite);
		if (!overlapping || excused(olderWrite, newer.origin)) {
			return null;
		}
		return "two masters take writes at once: " + older.node + " (master since " + seconds(older.since)
				+ ") acknowledged " + olderWrite + " after " + newer.node + " (" + newer.origin + ") had acknowledged "
				+ newer.firstWrite + ", and the majority had not lost " + older.node + " when " + newer.node
				+ " took over, or not lately";
	}

	/**
	 * Before the node loses its data (a restart without persistence): the writes no other node
	 * holds are destroyed by the fault, not lost by the protocol.
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
		Lineage end = finalMaster.lineage();
		Map<Segment, Segment> nextOnFinal = new IdentityHashMap<>();
		Segment root = end.head();
		for (Segment segment = end.head(); segment.parent() != null; segment = segment.parent()) {
			nextOnFinal.put(segment.parent(), segment);
			root = segment.parent();
		}
		Verdict verdict = new Verdict(this.writes.size());
		for (AcknowledgedWrite write : this.writes) {
			if (end.contains(write)) {
				continue;
			}
			if (this.destroyed.get((int) write.id())) {
				verdict.destroyed++;
			}
			else if (!write.majority()) {
				verdict.inMinority++;
			}
			else {
				judgeLoss(write, successor(write.segment(), end, nextOnFinal, root), finalMaster, verdict);
			}
		}
		return verdict;
	}

	private void judgeLoss(AcknowledgedWrite write, Segment successor, SimNode finalMaster, Verdict verdict) {
		if (successor != null && excused(write, successor)) {
			verdict.inWindow++;
			return;
		}
		Replacement replacement = (successor != null) ? replacement(write.node(), successor) : null;
		verdict.violations++;
		if (verdict.firstViolation != null) {
			return;
		}
		String lost = write + " is not in the data of the final master " + finalMaster + ": ";
		if (successor == null) {
			verdict.firstViolation = lost + "it kept an older history, and discarded " + write.segment();
		}
		else if (replacement == null) {
			verdict.firstViolation = lost + "its history left " + write.node() + "'s with " + successor
					+ ", while the majority could reach " + write.node();
		}
		else if (write.at() >= replacement.since()) {
			verdict.firstViolation = lost + "its history left " + write.node() + "'s with " + successor
					+ ", and " + write.node() + " took the write more than " + STALE_ROUTE_MILLIS
					+ " ms after it was back from its loss at " + seconds(replacement.since());
		}
		else {
			verdict.firstViolation = lost + successor.node() + " had it when the majority lost " + write.node() + " at "
					+ seconds(replacement.since()) + ", yet took over without it: " + successor;
		}
	}

	/**
	 * The first segment of the final history after the point where it left the history the
	 * write went to; null when the final history is the older one.
	 */
	private static Segment successor(Segment written, Lineage end, Map<Segment, Segment> nextOnFinal, Segment root) {
		for (Segment segment = written; segment != null; segment = segment.parent()) {
			if (segment == end.head()) {
				return null;
			}
			Segment next = nextOnFinal.get(segment);
			if (next != null) {
				return next;
			}
		}
		return root;
	}

	/**
	 * Whether the write may be lost to the successor's history: its master was replaced
	 * legitimately, and the write is beyond what the successor had when that loss began, or
	 * was taken by the deposed master before members could know.
	 */
	private boolean excused(AcknowledgedWrite write, Segment successor) {
		Replacement replacement = replacement(write.node(), successor);
		if (replacement == null) {
			return false;
		}
		return (write.at() < replacement.since()) ? !replacement.data().contains(write)
				: write.at() - STALE_ROUTE_MILLIS <= replacement.back();
	}

	/**
	 * How the old master's history came to be replaced by the successor legitimately: by an
	 * operator's forced failover of it, or while the majority had lost it; null when neither.
	 */
	private Replacement replacement(NodeAddress oldMaster, Segment successor) {
		long promoted = successor.createdAt();
		if (successor.epoch() != Segment.NO_EPOCH && oldMaster.equals(this.forcedFailoverOf.apply(successor.epoch()))) {
			return new Replacement(promoted, promoted, new Lineage(successor.parent(), successor.from()));
		}
		MajorityReach.Loss loss = this.reach.lossDuring(oldMaster, promoted - GRACE_MILLIS, promoted);
		return (loss != null) ? new Replacement(loss.since(), Math.max(loss.until(), promoted),
				loss.dataOf(successor.node())) : null;
	}

	private static String seconds(long millis) {
		return String.format("%.1fs", millis / 1000.0);
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

		/** Lost from a master the majority had lost, beyond what its successor had then. */
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
	 * @param since when the majority lost it
	 * @param back when it was back and the successor had taken over
	 * @param data what the successor's node had when the loss began
	 */
	private record Replacement(long since, long back, Lineage data) {
	}

	/** One node's time as master, from its first write: the writes it took, for the overlap check. */
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
