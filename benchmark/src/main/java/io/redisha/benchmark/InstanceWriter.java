package io.redisha.benchmark;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * One application instance writing a new key every few milliseconds through its
 * {@link StringRedisTemplate}, on a thread of its own. Remembers, by the phase the write
 * was sent in, every key acknowledged and every error by class.
 */
final class InstanceWriter {

	/**
	 * Between two writes: a steady load that leaves the members and the proxies a CPU.
	 */
	private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

	/**
	 * Errors that say for sure the write was not applied: refused by the fence, refused
	 * while there is no usable master (nothing sent), or a replica's READONLY. Matched by
	 * class name, anywhere in the causes: the fence's exception may not exist in the
	 * build measured.
	 */
	private static final Set<String> CLEAR_REFUSALS = Set.of("RedisHaFencedException",
			"RedisMasterUnavailableException", "RedisReadOnlyException");

	/** When a write was sent, relative to the cut. */
	enum Phase {

		BEFORE_CUT, DURING_CUT, AFTER_HEAL

	}

	private final String instance;

	private final StringRedisTemplate template;

	private final Supplier<Phase> phase;

	private final Map<Phase, List<String>> acknowledged = new EnumMap<>(Phase.class);

	private final Map<Phase, Map<String, Integer>> errors = new EnumMap<>(Phase.class);

	private final Thread thread;

	private volatile boolean stopped;

	InstanceWriter(String instance, StringRedisTemplate template, Supplier<Phase> phase) {
		this.instance = instance;
		this.template = template;
		this.phase = phase;
		for (Phase each : Phase.values()) {
			this.acknowledged.put(each, new ArrayList<>());
			this.errors.put(each, new TreeMap<>());
		}
		this.thread = new Thread(this::write, "writer-" + instance);
		this.thread.setDaemon(true);
		this.thread.start();
	}

	String instance() {
		return this.instance;
	}

	private void write() {
		for (long i = 1; !this.stopped; i++) {
			String key = this.instance + ":" + i;
			Phase sent = this.phase.get();
			try {
				this.template.opsForValue().set(key, "1");
				synchronized (this) {
					Objects.requireNonNull(this.acknowledged.get(sent)).add(key);
				}
			}
			catch (RuntimeException ex) {
				synchronized (this) {
					Objects.requireNonNull(this.errors.get(sent)).merge(describe(ex), 1, Integer::sum);
				}
			}
			LockSupport.parkNanos(PAUSE_NANOS);
		}
	}

	/** Stops writing and waits for the write under way (at most its command timeout). */
	void stop() throws InterruptedException {
		this.stopped = true;
		this.thread.join(TimeUnit.SECONDS.toMillis(10));
	}

	synchronized List<String> acknowledged(Phase sent) {
		return List.copyOf(this.acknowledged.get(sent));
	}

	/** The errors of writes sent in that phase, by {@link #describe(Throwable)}. */
	synchronized Map<String, Integer> errors(Phase sent) {
		return Map.copyOf(this.errors.get(sent));
	}

	/** How many writes sent in that phase failed with a clear refusal. */
	synchronized int clearRefusals(Phase sent) {
		return Objects.requireNonNull(this.errors.get(sent))
			.entrySet()
			.stream()
			.filter((error) -> error.getKey().startsWith("refused:"))
			.mapToInt(Map.Entry::getValue)
			.sum();
	}

	/**
	 * {@code refused: } or {@code unclear: } with the outermost class and, if other, the
	 * innermost.
	 */
	static String describe(Throwable error) {
		boolean clear = false;
		Throwable root = error;
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			clear |= CLEAR_REFUSALS.contains(cause.getClass().getSimpleName());
			root = cause;
		}
		String classes = error.getClass().getSimpleName()
				+ ((root != error) ? " < " + root.getClass().getSimpleName() : "");
		return (clear ? "refused: " : "unclear: ") + classes;
	}

}
