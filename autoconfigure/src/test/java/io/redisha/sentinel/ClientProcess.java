package io.redisha.sentinel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.redisha.embedded.RedisServerBinary;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client program in another language (redis-cli, a redis-py script) run as a process:
 * its output lines are collected as they come, its input takes lines. Destroyed on close.
 */
final class ClientProcess implements AutoCloseable {

	private final Process process;

	private final List<String> lines = new CopyOnWriteArrayList<>();

	private final Writer input;

	private final Thread reader;

	ClientProcess(List<String> command) {
		try {
			this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot start " + command, ex);
		}
		this.input = new OutputStreamWriter(this.process.getOutputStream(), StandardCharsets.UTF_8);
		this.reader = new Thread(this::collect, "client-process-" + this.process.pid());
		this.reader.setDaemon(true);
		this.reader.start();
	}

	/** Runs a command to its end and returns its output lines. */
	static List<String> run(List<String> command) {
		try (ClientProcess process = new ClientProcess(command)) {
			assertThat(process.process.waitFor(30, TimeUnit.SECONDS)).as("%s ends", command).isTrue();
			process.reader.join(TimeUnit.SECONDS.toMillis(10));
			return process.lines();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** redis-cli next to the redis-server the tests use; null when there is none. */
	static Path redisCli() {
		Path cli = RedisServerBinary.get().path().resolveSibling("redis-cli");
		return Files.isExecutable(cli) ? cli : null;
	}

	/**
	 * A Python 3 that imports redis (Debian's python3-redis lands in /usr/bin/python3);
	 * null when none.
	 */
	static String pythonWithRedis() {
		return pythonThatRuns("import redis");
	}

	/**
	 * A Python 3 whose redis-py speaks RESP3 ({@code protocol=3}, redis-py 5 or later);
	 * null when none.
	 */
	static String pythonWithResp3Redis() {
		return pythonThatRuns("import sys, redis; sys.exit(int(redis.__version__.split('.')[0]) < 5)");
	}

	private static String pythonThatRuns(String check) {
		for (String python : List.of("/usr/bin/python3", "python3")) {
			try {
				Process probe = new ProcessBuilder(python, "-c", check).redirectErrorStream(true).start();
				if (probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0) {
					return python;
				}
			}
			catch (IOException ex) {
				// Not installed: try the next one.
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return null;
			}
		}
		return null;
	}

	void send(String line) {
		try {
			this.input.write(line + "\n");
			this.input.flush();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("the client process " + this.lines + " does not take input", ex);
		}
	}

	/** The lines received so far. */
	List<String> lines() {
		return List.copyOf(this.lines);
	}

	private void collect() {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				this.lines.add(line);
			}
		}
		catch (IOException ex) {
			// The process was destroyed.
		}
	}

	@Override
	public void close() {
		this.process.destroy();
	}

}
