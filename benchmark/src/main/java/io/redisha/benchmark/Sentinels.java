package io.redisha.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import io.redisha.embedded.RedisServerBinary;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.embedded.RespClient;
import org.jspecify.annotations.Nullable;

/**
 * Real Sentinels, {@code redis-server <config> --sentinel}, each with its own
 * configuration file: quorum 2, the given down-after, failover-timeout 10 s,
 * parallel-syncs 1, monitoring the group {@value FailoverBenchmark#GROUP}. The
 * benchmark's own commands reach them directly.
 */
final class Sentinels implements AutoCloseable {

	static final int COUNT = 3;

	private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);

	private final List<Process> processes = new ArrayList<>();

	private final List<Integer> ports = new ArrayList<>();

	private final List<String> addresses = new ArrayList<>();

	private final Path directory;

	private Sentinels(Path directory) {
		this.directory = directory;
	}

	/**
	 * Starts {@value #COUNT} Sentinels monitoring the master at {@code master}
	 * ({@code host:port}), each wired as {@code wiring} says for its index and port.
	 */
	static Sentinels start(RedisServerBinary binary, String master, Duration downAfter,
			BiFunction<Integer, Integer, Wiring> wiring) throws IOException {
		Sentinels sentinels = new Sentinels(Files.createTempDirectory("redis-ha-sentinels"));
		String group = FailoverBenchmark.GROUP;
		try {
			for (int i = 0; i < COUNT; i++) {
				int port = freePort();
				Wiring wired = wiring.apply(i, port);
				List<String> lines = new ArrayList<>(List.of("port " + port, "dir " + sentinels.directory,
						"sentinel monitor " + group + " " + master.replace(':', ' ') + " 2",
						"sentinel down-after-milliseconds " + group + " " + downAfter.toMillis(),
						"sentinel failover-timeout " + group + " 10000", "sentinel parallel-syncs " + group + " 1"));
				lines.addAll(wired.lines());
				Path config = sentinels.directory.resolve("sentinel-" + port + ".conf");
				Files.writeString(config, String.join("\n", lines) + "\n");
				sentinels.processes.add(new ProcessBuilder(binary.path().toString(), config.toString(), "--sentinel")
					.redirectErrorStream(true)
					.redirectOutput(sentinels.directory.resolve("sentinel-" + port + ".log").toFile())
					.start());
				sentinels.ports.add(port);
				sentinels.addresses.add(wired.address());
			}
		}
		catch (IOException | RuntimeException ex) {
			sentinels.close();
			throw ex;
		}
		return sentinels;
	}

	/** The {@code host:port} clients reach each Sentinel at, in start order. */
	List<String> addresses() {
		return List.copyOf(this.addresses);
	}

	/** Every Sentinel knows the replicas and the other Sentinels. */
	void awaitReady(int replicas) {
		FailoverBenchmark.waitUntil(
				"every sentinel sees " + replicas + " replicas and " + (COUNT - 1) + " other sentinels",
				() -> this.ports.stream().allMatch((port) -> {
					try {
						List<?> master = (List<?>) Objects
							.requireNonNull(call(port, "SENTINEL", "MASTER", FailoverBenchmark.GROUP));
						return field(master, "num-slaves") == replicas
								&& field(master, "num-other-sentinels") == COUNT - 1;
					}
					catch (RuntimeException ex) {
						return false;
					}
				}));
	}

	/** The master each Sentinel names, as {@code host:port}, in start order. */
	List<String> masters() {
		return this.ports.stream().map((port) -> {
			List<?> master = (List<?>) Objects
				.requireNonNull(call(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", FailoverBenchmark.GROUP));
			return master.get(0) + ":" + master.get(1);
		}).toList();
	}

	private static @Nullable Object call(int port, String... command) {
		return new RespClient(RedisServerProcess.HOST, port, null, null, COMMAND_TIMEOUT).call(command);
	}

	private static long field(List<?> pairs, String name) {
		for (int i = 0; i + 1 < pairs.size(); i += 2) {
			if (name.equals(pairs.get(i))) {
				return Long.parseLong(String.valueOf(pairs.get(i + 1)));
			}
		}
		return -1;
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	@Override
	public void close() {
		for (Process process : this.processes) {
			process.destroyForcibly();
			try {
				process.waitFor(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		try (var files = Files.walk(this.directory)) {
			files.sorted((a, b) -> b.compareTo(a)).forEach((file) -> file.toFile().delete());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * How one Sentinel is reached and what its configuration adds.
	 *
	 * @param address the {@code host:port} clients reach it at
	 * @param lines configuration lines: at least its {@code bind}
	 */
	record Wiring(String address, List<String> lines) {

		/** Listening on {@code 127.0.0.1:port}, reached there. */
		static Wiring direct(int port) {
			return new Wiring(RedisServerProcess.HOST + ":" + port, List.of("bind " + RedisServerProcess.HOST));
		}

	}

}
