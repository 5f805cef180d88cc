package io.redisha.protocol.simulation;

/**
 * What happened lately in a simulated world, kept cheaply (formatted only when a failure
 * prints it): the key events (faults, protocol events, promotions and reconfigurations)
 * and, apart, the latest routine traffic (gossip, PING, INFO), which would drown them.
 */
final class Trace {

	/**
	 * How many key events a failure prints; {@code -Dredisha.simulation.traceEvents=N}
	 * keeps more for a replay.
	 */
	private final Ring events = new Ring(Integer.getInteger("redisha.simulation.traceEvents", 300));

	/**
	 * How much routine traffic a failure prints;
	 * {@code -Dredisha.simulation.traceTraffic=N} keeps more for a replay.
	 */
	private final Ring traffic = new Ring(Integer.getInteger("redisha.simulation.traceTraffic", 60));

	/** A key event. */
	void add(long at, String who, Object what) {
		this.events.add(new Entry(at, who, "", what));
	}

	/** Routine traffic; the label and the detail are only joined when printed. */
	void traffic(long at, String who, String label, Object detail) {
		this.traffic.add(new Entry(at, who, label, detail));
	}

	/** The kept entries, oldest first, one a line. */
	String dump() {
		return "key events:" + System.lineSeparator() + this.events.dump() + "latest traffic:" + System.lineSeparator()
				+ this.traffic.dump();
	}

	private static final class Ring {

		private final Entry[] entries;

		private long count;

		Ring(int capacity) {
			this.entries = new Entry[capacity];
		}

		void add(Entry entry) {
			this.entries[(int) (this.count++ % this.entries.length)] = entry;
		}

		String dump() {
			StringBuilder text = new StringBuilder();
			for (long i = Math.max(0, this.count - this.entries.length); i < this.count; i++) {
				Entry entry = this.entries[(int) (i % this.entries.length)];
				String what = String.valueOf(entry.label() + entry.detail()).replace("\r\n", "|");
				text.append(String.format("%9.1fs %-14s %s%n", entry.at() / 1000.0, entry.who(),
						(what.length() > 1000) ? what.substring(0, 1000) + "..." : what));
			}
			return text.toString();
		}

	}

	private record Entry(long at, String who, String label, Object detail) {
	}

}
