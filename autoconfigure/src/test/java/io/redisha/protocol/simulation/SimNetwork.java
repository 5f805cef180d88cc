package io.redisha.protocol.simulation;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The links between simulated endpoints (members by slot name, nodes by address), each
 * direction on its own: cut or up, and the weather on the ones that are up (loss,
 * duplication, bounded delay, reordering). Commands travel on one connection per member and
 * node and so stay in order; pub/sub messages may overtake each other while reordering is on.
 */
final class SimNetwork {

	/** The longest delay a message may have in bad weather. */
	static final long MAX_DELAY_BOUND = 400;

	private static final long[] LOST = {};

	private final RandomGenerator random;

	private final Set<String> cut = new HashSet<>();

	private final Map<String, Long> lastDelivery = new HashMap<>();

	private double loss;

	private double duplication;

	private long maxDelay;

	private boolean reorder;

	SimNetwork(RandomGenerator random) {
		this.random = random;
		calm();
	}

	/** Cuts the direction {@code from -> to}. */
	void cut(String from, String to) {
		this.cut.add(key(from, to));
	}

	/** Cuts both directions. */
	void cutBoth(String a, String b) {
		cut(a, b);
		cut(b, a);
	}

	void restore(String from, String to) {
		this.cut.remove(key(from, to));
	}

	void restoreBoth(String a, String b) {
		restore(a, b);
		restore(b, a);
	}

	boolean isUp(String from, String to) {
		return !this.cut.contains(key(from, to));
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
		this.cut.clear();
		calm();
	}

	/**
	 * When one message sent now from {@code from} to {@code to} arrives: no time when it is cut
	 * or lost, two when it is duplicated.
	 * @param ordered whether it travels on a connection that keeps order (commands, replies)
	 */
	long[] deliveries(String from, String to, long now, boolean ordered) {
		if (!isUp(from, to) || (this.loss > 0 && this.random.nextDouble() < this.loss)) {
			return LOST;
		}
		boolean duplicate = this.duplication > 0 && this.random.nextDouble() < this.duplication;
		long first = arrival(from, to, now, ordered);
		return duplicate ? new long[] { first, arrival(from, to, now, ordered) } : new long[] { first };
	}

	private long arrival(String from, String to, long now, boolean ordered) {
		long at = now + 1 + this.random.nextLong(this.maxDelay);
		if (ordered || !this.reorder) {
			String key = key(from, to) + (ordered ? " command" : " pubsub");
			at = Math.max(at, this.lastDelivery.getOrDefault(key, 0L));
			this.lastDelivery.put(key, at);
		}
		return at;
	}

	private static String key(String from, String to) {
		return from + ">" + to;
	}

	@Override
	public String toString() {
		return "network[cut=" + this.cut + ", loss=" + this.loss + ", dup=" + this.duplication + ", maxDelay="
				+ this.maxDelay + ", reorder=" + this.reorder + "]";
	}

}
