package io.redisha.failover;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.redisha.embedded.RedisServerProcess;
import io.redisha.embedded.RespClient;

/**
 * An application writing to one node directly, a key every few milliseconds on a thread
 * of its own, remembering every write the node acknowledged: those must never be lost.
 */
final class AcknowledgedWrites implements AutoCloseable {

	private static final Duration PERIOD = Duration.ofMillis(10);

	private static final int BATCH = 200;

	private final String prefix;

	private final RespClient client;

	private final ScheduledExecutorService writer;

	private final AtomicInteger attempted = new AtomicInteger();

	private final Queue<String> acknowledged = new ConcurrentLinkedQueue<>();

	private AcknowledgedWrites(RedisServerProcess node, String prefix) {
		this.prefix = prefix;
		this.client = new RespClient(node.host(), node.port(), null, null, Duration.ofMillis(500));
		this.writer = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "writes-to-" + node.port());
			thread.setDaemon(true);
			return thread;
		});
	}

	/** Starts writing keys named {@code prefix:n} to {@code node}. */
	static AcknowledgedWrites start(RedisServerProcess node, String prefix) {
		AcknowledgedWrites writes = new AcknowledgedWrites(node, prefix);
		writes.writer.scheduleWithFixedDelay(writes::writeOne, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
		return writes;
	}

	private void writeOne() {
		String key = this.prefix + ":" + this.attempted.incrementAndGet();
		try {
			if ("OK".equals(this.client.call("SET", key, key))) {
				this.acknowledged.add(key);
			}
		}
		catch (RuntimeException ex) {
			// Refused, read-only or unreachable: not acknowledged, so nobody may count on
			// it.
		}
	}

	/** How many writes the node acknowledged so far. */
	int acknowledgedCount() {
		return this.acknowledged.size();
	}

	/** How many writes were tried so far. */
	int attemptedCount() {
		return this.attempted.get();
	}

	/** The acknowledged keys that {@code node} does not have. */
	List<String> missingOn(RedisServerProcess node) {
		return missing(node, List.copyOf(this.acknowledged));
	}

	/** The {@code keys} that {@code node} does not have, asked in batches. */
	static List<String> missing(RedisServerProcess node, List<String> keys) {
		List<String> missing = new ArrayList<>();
		for (int from = 0; from < keys.size(); from += BATCH) {
			List<String> batch = keys.subList(from, Math.min(from + BATCH, keys.size()));
			List<String> command = new ArrayList<>(batch.size() + 1);
			command.add("MGET");
			command.addAll(batch);
			List<?> values = (List<?>) node.command(command.toArray(String[]::new));
			for (int i = 0; i < batch.size(); i++) {
				if (values.get(i) == null) {
					missing.add(batch.get(i));
				}
			}
		}
		return missing;
	}

	/** Stops writing and waits for the write under way. */
	@Override
	public void close() {
		this.writer.shutdownNow();
		try {
			this.writer.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
