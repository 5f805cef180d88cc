package io.redisha.benchmark;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.redisha.protocol.NodeAddress;

/**
 * Counts, by channel, the messages published on one node on the channels matching a
 * pattern, from a pattern subscription of its own (a pattern subscriber is not counted by
 * {@code PUBSUB NUMSUB}, so it does not change what it measures).
 */
final class ChannelTally implements AutoCloseable {

	/** A subscriber may stay silent for long: only the close ends its wait. */
	private static final int READ_TIMEOUT_MILLIS = 600_000;

	private final RawRedisConnection connection;

	private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

	private final Thread reader;

	private volatile boolean closed;

	ChannelTally(NodeAddress node, String pattern) throws IOException {
		this.connection = new RawRedisConnection(node, READ_TIMEOUT_MILLIS);
		this.connection.psubscribe(pattern);
		this.reader = new Thread(this::read, "tally-" + node);
		this.reader.setDaemon(true);
		this.reader.start();
	}

	private void read() {
		try {
			while (!this.closed) {
				this.counts.computeIfAbsent(this.connection.nextMessageChannel(), (channel) -> new LongAdder())
					.increment();
			}
		}
		catch (IOException ex) {
			// Closed, or the node died (the master of a kill): the counts stay as they
			// were.
		}
	}

	/** The messages counted so far, by channel. */
	Map<String, Long> counts() {
		Map<String, Long> counts = new TreeMap<>();
		this.counts.forEach((channel, count) -> counts.put(channel, count.sum()));
		return counts;
	}

	@Override
	public void close() throws IOException {
		this.closed = true;
		this.connection.close();
	}

}
