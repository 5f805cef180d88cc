package io.redisha.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import io.redisha.embedded.RedisServerProcess;

/** One node's counters at one moment. */
record NodeSample(int clients, Map<String, String> stats, Map<String, long[]> commands, Map<String, String> cpu,
		long contextSwitches, Map<String, Long> messages) {

	static NodeSample of(RedisServerProcess node, ChannelTally tally) {
		Map<String, long[]> commands = new TreeMap<>();
		node.info("commandstats")
			.forEach((command, stats) -> commands.put(command.substring("cmdstat_".length()),
					new long[] { field(stats, "calls"), field(stats, "usec") }));
		// Less this sample's own connection and the tally's.
		int clients = Integer.parseInt(node.info("clients").get("connected_clients")) - 2;
		return new NodeSample(clients, node.info("stats"), commands, node.info("cpu"), contextSwitches(node),
				tally.counts());
	}

	private static long field(String stats, String name) {
		int from = stats.indexOf(name + "=") + name.length() + 1;
		int to = stats.indexOf(',', from);
		return Long.parseLong(stats.substring(from, (to < 0) ? stats.length() : to));
	}

	/**
	 * The server's voluntary and involuntary context switches so far (about one wake-up
	 * of its event loop each), from {@code /proc}; -1 where there is none.
	 */
	private static long contextSwitches(RedisServerProcess node) {
		try {
			long switches = 0;
			for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(node.pid()), "status"))) {
				if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
					switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
				}
			}
			return switches;
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	double cpu(String field) {
		return Double.parseDouble(this.cpu.getOrDefault(field, "0"));
	}

	long stat(String field) {
		return Long.parseLong(this.stats.getOrDefault(field, "0"));
	}

}
