package io.redisha.protocol.simulation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The links between simulated endpoints (members by slot name, nodes by address), each
 * direction on its own: cut or up, and the weather on the ones that are up (loss,
 * duplication, bounded delay, reordering). A direction stays cut until every fault that
 * cut it has ended (overlapping faults share links: the end of one must not heal
 * another's cut). Commands travel on one connection per member and node and so stay in
 * order; pub/sub messages may overtake each other while reordering is on.
 */
final class SimNetwork {

	/** The longest delay a message may have in bad weather. */
	static final long MAX_DELAY_BOUND = 400;

	private static final long[] LOST = {};

	private final RandomGenerator random;

	/**
	 * Zero latency, no loss, order kept, whatever the weather: what the deterministic
	 * tests stage their scenarios on. It draws nothing from the random source.
	 */
	private final boolean instant;

	private final Map<String, Map<String, Link>> links = new HashMap<>();

	private double loss;

	private double duplication;

	private long maxDelay;

	private boolean reorder;

	SimNetwork(RandomGenerator random) {
		this(random, false);
	}

	private SimNetwork(RandomGenerator random, boolean instant) {
		this.random = random;
		this.instant = instant;
		calm();
	}

	/**
	 * A network whose messages arrive at the moment they are sent, in the order they were
	 * sent; cuts still apply.
	 */
	static SimNetwork instant(RandomGenerator random) {
		return new SimNetwork(random, true);
	}

	/** Cuts the direction {@code from -> to}. */
	void cut(String from, String to) {
		link(from, to).cuts++;
	}

	/** Cuts both directions. */
	void cutBoth(String a, String b) {
		cut(a, b);
		cut(b, a);
	}

	/**
	 * Ends one cut of the direction {@code from -> to}; it is up once every cut of it
	 * ended.
	 */
	void restore(String from, String to) {
		Link link = link(from, to);
		link.cuts = Math.max(0, link.cuts - 1);
	}

	/** Restores both directions. */
	void restoreBoth(String a, String b) {
		restore(a, b);
		restore(b, a);
	}

	boolean isUp(String from, String to) {
		return link(from, to).cuts == 0;
	}

	/** Bad weather on every link that is up. */
	void weather(double loss, double duplication, long maxDelay, boolean reorder) {
		this.loss = loss;
		this.duplication = duplication;
		this.maxDelay = Math.min(maxDelay, MAX_DELAY_BOUND);
		this.reorder = reorder;
	}

	/** Good weather: no loss, no duplicates, a few milliseconds of delay, order kept. */
	void calm() {
		weather(0, 0, 5, false);
	}

	/** Heals every cut and calms the weather. */
	void heal() {
		this.links.values().forEach((targets) -> targets.values().forEach((link) -> link.cuts = 0));
		calm();
	}

	/**
	 * When one message sent now from {@code from} to {@code to} arrives: no time when it
	 * is cut or lost, two when it is duplicated.
	 * @param ordered whether it travels on a connection that keeps order (commands,
	 * replies)
	 */
	long[] deliveries(String from, String to, long now, boolean ordered) {
		Link link = link(from, to);
		if (this.instant) {
			return (link.cuts > 0) ? LOST : new long[] { now };
		}
		if (link.cuts > 0 || (this.loss > 0 && this.random.nextDouble() < this.loss)) {
			return LOST;
		}
		boolean duplicate = this.duplication > 0 && this.random.nextDouble() < this.duplication;
		long first = arrival(link, now, ordered);
		return duplicate ? new long[] { first, arrival(link, now, ordered) } : new long[] { first };
	}

	/**
	 * How long a {@code PUBLISH} takes down the replication stream from a master to its
	 * replica.
	 */
	long streamDelay() {
		return this.instant ? 0 : 1 + this.random.nextLong(20);
	}

	private long arrival(Link link, long now, boolean ordered) {
		long at = now + 1 + this.random.nextLong(this.maxDelay);
		if (ordered) {
			at = Math.max(at, link.lastCommand);
			link.lastCommand = at;
		}
		else if (!this.reorder) {
			at = Math.max(at, link.lastPubsub);
			link.lastPubsub = at;
		}
		return at;
	}

	private Link link(String from, String to) {
		return this.links.computeIfAbsent(from, (key) -> new HashMap<>()).computeIfAbsent(to, (key) -> new Link());
	}

	@Override
	public String toString() {
		List<String> cut = new ArrayList<>();
		this.links.forEach((from, targets) -> targets.forEach((to, link) -> {
			if (link.cuts > 0) {
				cut.add(from + ">" + to);
			}
		}));
		cut.sort(null);
		return "network[cut=" + cut + ", loss=" + this.loss + ", dup=" + this.duplication + ", maxDelay="
				+ this.maxDelay + ", reorder=" + this.reorder + "]";
	}

	/**
	 * One direction between two endpoints: how many faults cut it, and when its last
	 * in-order message arrives.
	 */
	private static final class Link {

		private int cuts;

		private long lastCommand;

		private long lastPubsub;

	}

}
