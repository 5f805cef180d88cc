package io.redisha.benchmark;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerProcess;

/** One node's idle cost over a window, and what each member received meanwhile. */
record NodeIdle(String node, int clients, double publishes, double deliveries, double cpuPercent,
		double decodedPerInstance, String costs, String clientCommands) {

	static NodeIdle between(RedisServerProcess node, NodeSample before, NodeSample after, double seconds,
			double decodedPerInstance) {
		double deliveries = 0;
		for (Map.Entry<String, Long> channel : after.messages().entrySet()) {
			long messages = channel.getValue() - before.messages().getOrDefault(channel.getKey(), 0L);
			List<?> numsub = (List<?>) Objects.requireNonNull(node.command("PUBSUB", "NUMSUB", channel.getKey()));
			deliveries += messages * (Long) numsub.get(1);
		}
		Map<String, long[]> commands = new TreeMap<>();
		after.commands().forEach((command, count) -> {
			long[] was = before.commands().getOrDefault(command, new long[2]);
			commands.put(command, new long[] { count[0] - was[0], count[1] - was[1] });
		});
		long commandMicros = commands.values().stream().mapToLong((count) -> count[1]).sum();
		// The window's own INFO and PUBSUB calls are in these counts: a handful.
		String busiest = String.join(", ",
				commands.entrySet()
					.stream()
					.filter((call) -> call.getValue()[0] > 0)
					.sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
					.limit(8)
					.map((call) -> String.format(Locale.ROOT, "%s %.1f/s %.0f us/s", call.getKey(),
							call.getValue()[0] / seconds, call.getValue()[1] / seconds))
					.toList());
		double cpuPercent = (after.cpu("used_cpu_sys") + after.cpu("used_cpu_user") - before.cpu("used_cpu_sys")
				- before.cpu("used_cpu_user")) / seconds * 100;
		String costs = String.format(Locale.ROOT,
				"CPU user %.2f %% sys %.2f %% (main thread user %.2f %% sys %.2f %%), in commands %.2f %%; "
						+ "%.1f connections opened/s, %.0f reads/s, %.0f writes/s, %.0f context switches/s, "
						+ "%.0f bytes in/s, %.0f bytes out/s; commands by time: %s",
				delta(before, after, "used_cpu_user", seconds), delta(before, after, "used_cpu_sys", seconds),
				delta(before, after, "used_cpu_user_main_thread", seconds),
				delta(before, after, "used_cpu_sys_main_thread", seconds), commandMicros / seconds / 1e4,
				rate(before, after, "total_connections_received", seconds),
				rate(before, after, "total_reads_processed", seconds),
				rate(before, after, "total_writes_processed", seconds),
				(after.contextSwitches() - before.contextSwitches()) / seconds,
				rate(before, after, "total_net_input_bytes", seconds),
				rate(before, after, "total_net_output_bytes", seconds), busiest);
		return new NodeIdle(node.address(), after.clients(), commands.getOrDefault("publish", new long[2])[0] / seconds,
				deliveries / seconds, cpuPercent, decodedPerInstance, costs, clientCommands(node, seconds));
	}

	private static double delta(NodeSample before, NodeSample after, String field, double seconds) {
		return (after.cpu(field) - before.cpu(field)) / seconds * 100;
	}

	private static double rate(NodeSample before, NodeSample after, String field, double seconds) {
		return (after.stat(field) - before.stat(field)) / seconds;
	}

	/**
	 * The node's clients by the last command they sent ({@code CLIENT LIST} cmd=), and
	 * how many connected within the window.
	 */
	private static String clientCommands(RedisServerProcess node, double seconds) {
		Map<String, Integer> byCommand = new TreeMap<>();
		int young = 0;
		for (String client : ((String) Objects.requireNonNull(node.command("CLIENT", "LIST"))).split("\n")) {
			Map<String, String> fields = new TreeMap<>();
			for (String field : client.trim().split(" ")) {
				int equals = field.indexOf('=');
				if (equals > 0) {
					fields.put(field.substring(0, equals), field.substring(equals + 1));
				}
			}
			if (fields.isEmpty()) {
				continue;
			}
			byCommand.merge(fields.getOrDefault("cmd", "?"), 1, Integer::sum);
			if (Long.parseLong(fields.getOrDefault("age", "0")) < seconds) {
				young++;
			}
		}
		return byCommand + ", " + young + " connected within the window";
	}

	String describe() {
		return String.format(Locale.ROOT,
				"%s: %d clients, %.0f PUBLISH/s, %.0f deliveries/s, CPU %.2f %%; %s; clients by last command %s",
				this.node, this.clients, this.publishes, this.deliveries, this.cpuPercent, this.costs,
				this.clientCommands);
	}

	/**
	 * Each node's idle traffic over the window, and the messages each member received
	 * meanwhile.
	 */
	static List<NodeIdle> measure(LocalRedisGroup redis, Duration window, LongAdder received, int size)
			throws IOException {
		List<ChannelTally> tallies = new ArrayList<>();
		try {
			for (RedisServerProcess node : redis.nodes()) {
				tallies.add(new ChannelTally(FailoverBenchmark.address(node), ScaleBenchmark.HA_CHANNELS));
			}
			List<NodeSample> before = new ArrayList<>();
			for (int i = 0; i < tallies.size(); i++) {
				before.add(NodeSample.of(redis.node(i), tallies.get(i)));
			}
			long receivedBefore = received.sum();
			long startedAt = System.nanoTime();
			LockSupport.parkNanos(window.toNanos());
			double seconds = (System.nanoTime() - startedAt) / 1e9;
			double decoded = (received.sum() - receivedBefore) / seconds / size;
			List<NodeIdle> idle = new ArrayList<>();
			for (int i = 0; i < tallies.size(); i++) {
				NodeSample after = NodeSample.of(redis.node(i), tallies.get(i));
				idle.add(NodeIdle.between(redis.node(i), before.get(i), after, seconds, decoded));
			}
			return idle;
		}
		finally {
			for (ChannelTally tally : tallies) {
				tally.close();
			}
		}
	}

}
