package io.redisha.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Durations measured over the rounds of a benchmark, summarised the way the benchmarks
 * report them: count, min, median, p95 and max (nearest-rank percentiles, no
 * interpolation).
 */
final class Samples {

	private final String name;

	private final List<Long> nanos = new ArrayList<>();

	Samples(String name) {
		this.name = name;
	}

	void add(long elapsedNanos) {
		this.nanos.add(elapsedNanos);
	}

	/** Every sample, in the order added. */
	List<Long> nanos() {
		return List.copyOf(this.nanos);
	}

	int count() {
		return this.nanos.size();
	}

	/** The value at the given percentile (0 < p <= 100) by nearest rank. */
	Duration percentile(double p) {
		List<Long> sorted = sorted();
		int rank = (int) Math.ceil(p / 100.0 * sorted.size());
		return Duration.ofNanos(sorted.get(Math.max(rank, 1) - 1));
	}

	/** One line: {@code name: n=10 min=… median=… p95=… max=…} in milliseconds. */
	String summary() {
		if (this.nanos.isEmpty()) {
			return this.name + ": no samples";
		}
		List<Long> sorted = sorted();
		return String.format(Locale.ROOT, "%s: n=%d min=%s median=%s p95=%s max=%s", this.name, count(),
				millis(Duration.ofNanos(sorted.get(0))), millis(percentile(50)), millis(percentile(95)),
				millis(Duration.ofNanos(sorted.get(sorted.size() - 1))));
	}

	private List<Long> sorted() {
		if (this.nanos.isEmpty()) {
			throw new IllegalStateException("no samples of " + this.name);
		}
		List<Long> sorted = new ArrayList<>(this.nanos);
		Collections.sort(sorted);
		return sorted;
	}

	static String millis(Duration duration) {
		return String.format(Locale.ROOT, "%.1f ms", duration.toNanos() / 1_000_000.0);
	}

}
