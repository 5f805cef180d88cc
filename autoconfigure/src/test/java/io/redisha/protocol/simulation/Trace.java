package io.redisha.protocol.simulation;

/**
 * The last things that happened in a simulated world, kept cheaply (formatted only when a
 * failure prints them).
 */
final class Trace {

	private final Entry[] entries;

	private long count;

	Trace(int capacity) {
		this.entries = new Entry[capacity];
	}

	void add(long at, String who, Object what) {
		add(at, who, "", what);
	}

	/** Keeps a label and a detail apart so that nothing is formatted unless printed. */
	void add(long at, String who, String label, Object detail) {
		this.entries[(int) (this.count++ % this.entries.length)] = new Entry(at, who, label, detail);
	}

	/** The kept entries, oldest first, one a line. */
	String dump() {
		StringBuilder text = new StringBuilder();
		long first = Math.max(0, this.count - this.entries.length);
		for (long i = first; i < this.count; i++) {
			Entry entry = this.entries[(int) (i % this.entries.length)];
			text.append(String.format("%9.1fs %-8s %s%n", entry.at / 1000.0, entry.who, abbreviate(entry.label + entry.detail)));
		}
		return text.toString();
	}

	private static String abbreviate(Object what) {
		String text = String.valueOf(what).replace("\r\n", "|").replace('\n', '|');
		return (text.length() > 400) ? text.substring(0, 400) + "..." : text;
	}

	private record Entry(long at, String who, String label, Object detail) {
	}

}
