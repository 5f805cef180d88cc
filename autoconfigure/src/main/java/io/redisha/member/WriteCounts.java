package io.redisha.member;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Application writes of one kind (refused by the partition fence, or replied to too
 * late), by group: counted on the connections' threads, read by the metrics. A write to a
 * group the member does not have is not counted.
 */
final class WriteCounts {

	/** By group; the map itself never changes. */
	private final Map<String, LongAdder> counts = new HashMap<>();

	WriteCounts(Collection<String> groups) {
		for (String group : groups) {
			this.counts.put(group, new LongAdder());
		}
	}

	void count(String group) {
		LongAdder count = this.counts.get(group);
		if (count != null) {
			count.increment();
		}
	}

	long total(String group) {
		LongAdder count = this.counts.get(group);
		return (count != null) ? count.sum() : 0;
	}

}
