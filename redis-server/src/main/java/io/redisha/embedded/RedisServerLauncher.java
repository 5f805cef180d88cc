package io.redisha.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches the {@code redis-server} processes of {@link RedisServerProcess}, each in a
 * directory of its own, and waits until they answer.
 */
final class RedisServerLauncher {

	/** How long a server may take to answer PING after its launch, or to exit. */
	static final Duration START_TIMEOUT = Duration.ofSeconds(15);

	private static final Logger logger = LoggerFactory.getLogger(RedisServerProcess.class);

	private RedisServerLauncher() {
	}

	static Process launch(RedisServerBinary binary, Path directory, int port, RedisServerOptions options) {
		List<String> command = new ArrayList<>();
		command.add(binary.path().toString());
		if (options.sentinel()) {
			// A Sentinel refuses to start without a configuration file to save its state
			// in.
			command.add(sentinelConfiguration(directory, port).toString());
		}
		command.addAll(options.arguments(port, directory.toString()));
		if (binary.majorVersion() >= 7) {
			// Redis 7 refuses DEBUG (used by loadSlowly) unless enabled; older servers
			// allow it.
			command.addAll(List.of("--enable-debug-command", "local"));
		}
		Path log = directory.resolve("redis-" + port + ".log");
		Process process;
		try {
			process = new ProcessBuilder(command).directory(directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start " + binary.path(), ex);
		}
		ProcessRegistry.register(process, port);
		awaitPing(process, port, options, log);
		logger.debug("Started redis-server pid {} on port {} with {}", process.pid(), port, options);
		return process;
	}

	private static Path sentinelConfiguration(Path directory, int port) {
		Path file = directory.resolve("sentinel-" + port + ".conf");
		try {
			return Files.exists(file) ? file : Files.createFile(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create " + file, ex);
		}
	}

	private static void awaitPing(Process process, int port, RedisServerOptions options, Path log) {
		RespClient client = RedisServerProcess.client(port, options, options.username(), options.password(),
				Duration.ofMillis(500));
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		RuntimeException lastFailure = null;
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				ProcessRegistry.unregister(process);
				String output = readLog(log);
				throw new RedisServerException(
						"redis-server on port " + port + " exited with code " + process.exitValue() + ":\n" + output,
						output.contains("Address already in use"));
			}
			try {
				if ("PONG".equals(client.call("PING"))) {
					return;
				}
			}
			catch (RuntimeException ex) {
				lastFailure = ex;
			}
			sleepBriefly();
		}
		process.destroyForcibly();
		ProcessRegistry.unregister(process);
		throw new RedisServerException("redis-server on port " + port + " did not answer PING within "
				+ START_TIMEOUT.toSeconds() + " s (" + lastFailure + "):\n" + readLog(log), false);
	}

	private static void sleepBriefly() {
		try {
			TimeUnit.MILLISECONDS.sleep(20);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RedisServerException("Interrupted while waiting for redis-server", false);
		}
	}

	private static String readLog(Path log) {
		try {
			return Files.exists(log) ? Files.readString(log) : "";
		}
		catch (IOException ex) {
			return "(cannot read " + log + ": " + ex.getMessage() + ")";
		}
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(RedisServerProcess.HOST))) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot find a free loopback port", ex);
		}
	}

	static Path createDirectory() {
		try {
			return Files.createTempDirectory("redis-ha-server-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create a directory for redis-server", ex);
		}
	}

	static void deleteDirectory(Path directory) {
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			logger.debug("Cannot delete {}", directory, ex);
		}
	}

}
