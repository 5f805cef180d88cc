package io.redisha.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Writes a new key through each of many instances' templates in turn, on a thread of its
 * own, and remembers when each acknowledged write was acknowledged. Errors are expected
 * while the group has no master and are only counted.
 */
final class RouteWriter {

	private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

	/**
	 * One acknowledged write: its key, and when the acknowledgement arrived
	 * ({@link System#nanoTime()}).
	 */
	record Acknowledged(String key, long atNanos) {
	}

	private final String name;

	private final List<StringRedisTemplate> templates;

	private final List<Acknowledged> acknowledged = new ArrayList<>();

	private final Thread thread;

	private volatile boolean stopped;

	private int errors;

	RouteWriter(String name, List<StringRedisTemplate> templates) {
		this.name = name;
		this.templates = List.copyOf(templates);
		this.thread = new Thread(this::write, "route-writer-" + name);
		this.thread.setDaemon(true);
		this.thread.start();
	}

	private void write() {
		for (long i = 0; !this.stopped; i++) {
			String key = "scale:" + this.name + ":" + i;
			try {
				this.templates.get((int) (i % this.templates.size())).opsForValue().set(key, "1");
				long at = System.nanoTime();
				synchronized (this) {
					this.acknowledged.add(new Acknowledged(key, at));
				}
			}
			catch (RuntimeException ex) {
				synchronized (this) {
					this.errors++;
				}
			}
			LockSupport.parkNanos(PAUSE_NANOS);
		}
	}

	/** Stops writing and waits for the write under way. */
	void stop() throws InterruptedException {
		this.stopped = true;
		this.thread.join(TimeUnit.SECONDS.toMillis(10));
	}

	/** The writes acknowledged after {@code nanos}. */
	synchronized List<Acknowledged> acknowledgedAfter(long nanos) {
		return this.acknowledged.stream().filter((write) -> write.atNanos() - nanos > 0).toList();
	}

	synchronized int errors() {
		return this.errors;
	}

}
