package io.redisha.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure no redis-server outlives the JVM that started it: each process gets a pid
 * file naming its owner JVM; a JVM shutdown hook kills what this JVM started; and the
 * first start in a JVM kills the processes whose owner JVM died without cleaning up (a
 * crashed test run).
 */
final class ProcessRegistry {

	/** The directory of pid files, shared by every JVM on the machine. */
	static final Path PID_DIRECTORY = Path.of(System.getProperty("java.io.tmpdir"), "redis-ha-test-pids");

	private static final Logger logger = LoggerFactory.getLogger(ProcessRegistry.class);

	private static final Set<Process> live = ConcurrentHashMap.newKeySet();

	private static volatile boolean initialized;

	private ProcessRegistry() {
	}

	/**
	 * Records a started process; the first call reaps orphans and installs the shutdown
	 * hook.
	 */
	static void register(Process process, int port) {
		initialize();
		live.add(process);
		ProcessHandle self = ProcessHandle.current();
		String content = "owner=" + self.pid() + "\nownerStart=" + startOf(self) + "\npid=" + process.pid() + "\nstart="
				+ startOf(process.toHandle()) + "\nport=" + port + "\n";
		try {
			Files.createDirectories(PID_DIRECTORY);
			Files.writeString(pidFile(process.pid()), content);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot write the pid file of redis-server " + process.pid(), ex);
		}
	}

	/** Forgets a process that has exited. */
	static void unregister(Process process) {
		live.remove(process);
		try {
			Files.deleteIfExists(pidFile(process.pid()));
		}
		catch (IOException ex) {
			logger.warn("Cannot delete the pid file of redis-server {}", process.pid(), ex);
		}
	}

	private static synchronized void initialize() {
		if (initialized) {
			return;
		}
		reapOrphans();
		Runtime.getRuntime().addShutdownHook(new Thread(ProcessRegistry::killAll, "redis-server-reaper"));
		initialized = true;
	}

	private static void killAll() {
		for (Process process : live) {
			process.destroyForcibly();
			unregister(process);
		}
	}

	/** Kills the redis-servers whose owner JVM is gone; returns how many it killed. */
	static synchronized int reapOrphans() {
		if (!Files.isDirectory(PID_DIRECTORY)) {
			return 0;
		}
		int killed = 0;
		try (DirectoryStream<Path> files = Files.newDirectoryStream(PID_DIRECTORY, "*.pid")) {
			for (Path file : files) {
				killed += reap(file);
			}
		}
		catch (IOException ex) {
			logger.warn("Cannot list the pid files in {}", PID_DIRECTORY, ex);
		}
		return killed;
	}

	private static int reap(Path file) throws IOException {
		Map<String, String> fields = new HashMap<>();
		String content;
		try {
			content = Files.readString(file);
		}
		catch (IOException ex) {
			return 0; // deleted by its owner meanwhile
		}
		for (String line : content.split("\n")) {
			int eq = line.indexOf('=');
			if (eq > 0) {
				fields.put(line.substring(0, eq), line.substring(eq + 1));
			}
		}
		if (!fields.containsKey("owner") || !fields.containsKey("pid")) {
			logger.warn("Deleting unreadable pid file {}", file);
			Files.deleteIfExists(file);
			return 0;
		}
		if (isAlive(fields.get("owner"), fields.get("ownerStart"))) {
			return 0;
		}
		int killed = 0;
		// Same pid and same start time: the very process we started, not a recycled pid.
		Optional<ProcessHandle> orphan = handle(fields.get("pid"), fields.get("start"));
		if (orphan.isPresent()) {
			logger.warn("Killing orphan redis-server pid {} on port {} (its JVM {} is gone)", fields.get("pid"),
					fields.get("port"), fields.get("owner"));
			orphan.get().destroyForcibly();
			killed = 1;
		}
		Files.deleteIfExists(file);
		return killed;
	}

	private static boolean isAlive(String pid, @Nullable String start) {
		return handle(pid, start).isPresent();
	}

	/**
	 * The live process with this pid and start time (a recycled pid is another process).
	 */
	private static Optional<ProcessHandle> handle(String pid, @Nullable String start) {
		try {
			return ProcessHandle.of(Long.parseLong(pid))
				.filter(ProcessHandle::isAlive)
				.filter((handle) -> start == null || start.equals(startOf(handle)));
		}
		catch (NumberFormatException ex) {
			return Optional.empty();
		}
	}

	private static String startOf(ProcessHandle handle) {
		return handle.info().startInstant().map(Instant::toString).orElse("unknown");
	}

	static Path pidFile(long pid) {
		return PID_DIRECTORY.resolve(pid + ".pid");
	}

}
