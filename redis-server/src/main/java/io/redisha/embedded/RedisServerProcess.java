package io.redisha.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One local {@code redis-server} on a loopback port, in a temporary directory of its own,
 * that can be killed, stopped, paused, resumed and restarted on the same port. Not
 * thread-safe: one test drives it.
 */
public final class RedisServerProcess implements AutoCloseable {

	/** The host every process listens on. */
	public static final String HOST = "127.0.0.1";

	private static final Logger logger = LoggerFactory.getLogger(RedisServerProcess.class);

	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

	private static final int PORT_ATTEMPTS = 10;

	private final RedisServerBinary binary;

	private final Path directory;

	private final int port;

	private RedisServerOptions options;

	private Process process;

	private boolean paused;

	private RedisServerProcess(RedisServerBinary binary, Path directory, int port, RedisServerOptions options,
			Process process) {
		this.binary = binary;
		this.directory = directory;
		this.port = port;
		this.options = options;
		this.process = process;
	}

	/** Starts a server on a free port and waits until it answers PING. */
	public static RedisServerProcess start(RedisServerOptions options) {
		RedisServerBinary binary = RedisServerBinary.get();
		Path directory = RedisServerLauncher.createDirectory();
		RedisServerException lastFailure = null;
		// Another process may take the free port before redis-server binds it: try
		// others.
		for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
			int port = RedisServerLauncher.freePort();
			try {
				Process process = RedisServerLauncher.launch(binary, directory, port, options);
				return new RedisServerProcess(binary, directory, port, options, process);
			}
			catch (RedisServerException ex) {
				if (!ex.isPortTaken()) {
					RedisServerLauncher.deleteDirectory(directory);
					throw ex;
				}
				logger.debug("Port {} was taken before redis-server bound it, trying another", port);
				lastFailure = ex;
			}
		}
		RedisServerLauncher.deleteDirectory(directory);
		throw lastFailure;
	}

	/** Starts a master without password on a free port. */
	public static RedisServerProcess start() {
		return start(RedisServerOptions.defaults());
	}

	/** The loopback host it listens on. */
	public String host() {
		return HOST;
	}

	/** The port it listens on; it stays the same across restarts. */
	public int port() {
		return this.port;
	}

	/** {@code 127.0.0.1:port}. */
	public String address() {
		return HOST + ":" + this.port;
	}

	/** The options it was last started with. */
	public RedisServerOptions options() {
		return this.options;
	}

	/** The pid of the current process. */
	public long pid() {
		return this.process.pid();
	}

	/** Whether the process is running (a paused process is still alive). */
	public boolean isAlive() {
		return this.process.isAlive();
	}

	/** Whether it is paused with SIGSTOP. */
	public boolean isPaused() {
		return this.paused;
	}

	/** Kills it with SIGKILL, as a crash would, and waits until it is gone. */
	public void kill() {
		this.process.destroyForcibly();
		awaitExit();
	}

	/**
	 * Stops it with SIGTERM (resuming it first when paused) and waits until it is gone.
	 */
	public void stop() {
		if (this.paused) {
			resume();
		}
		this.process.destroy();
		awaitExit();
	}

	private void awaitExit() {
		try {
			if (!this.process.waitFor(RedisServerLauncher.START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
				this.process.waitFor(RedisServerLauncher.START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.paused = false;
		ProcessRegistry.unregister(this.process);
	}

	/** Freezes it with SIGSTOP: it keeps its connections but answers nothing. */
	public void pause() {
		signal("STOP");
		this.paused = true;
	}

	/** Thaws it with SIGCONT. */
	public void resume() {
		signal("CONT");
		this.paused = false;
	}

	private void signal(String signal) {
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).redirectErrorStream(true)
				.start();
			String output = new String(kill.getInputStream().readAllBytes());
			if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
				throw new RedisServerException("kill -" + signal + " " + pid() + " failed: " + output, false);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot run kill -" + signal, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RedisServerException("Interrupted while sending SIG" + signal, false);
		}
	}

	/**
	 * Starts it again on the same port with the same options (kills the running process
	 * first). A former master comes back as a master that still thinks it is one.
	 */
	public void restart() {
		restart(this.options);
	}

	/** Starts it again on the same port as a master (kills the running process first). */
	public void restartAsMaster() {
		restart(this.options.withReplicaOf(null));
	}

	/**
	 * Starts it again on the same port as a replica of {@code master}
	 * ({@code host:port}).
	 */
	public void restartAsReplicaOf(String master) {
		restart(this.options.withReplicaOf(master));
	}

	/**
	 * Starts it again on the same port with other options (kills the running process
	 * first).
	 */
	public void restart(RedisServerOptions newOptions) {
		if (this.process.isAlive()) {
			kill();
		}
		this.process = RedisServerLauncher.launch(this.binary, this.directory, this.port, newOptions);
		this.options = newOptions;
	}

	/** Sets {@code replica-priority} on the running server (and for later restarts). */
	public void setReplicaPriority(int priority) {
		command("CONFIG", "SET", "replica-priority", Integer.toString(priority));
		this.options = this.options.withReplicaPriority(priority);
	}

	/** Makes the running server a replica of {@code master} ({@code host:port}). */
	public void replicaOf(String master) {
		int colon = master.lastIndexOf(':');
		command("REPLICAOF", master.substring(0, colon), master.substring(colon + 1));
		this.options = this.options.withReplicaOf(master);
	}

	/** Makes the running server a master. */
	public void replicaOfNoOne() {
		command("REPLICAOF", "NO", "ONE");
		this.options = this.options.withReplicaOf(null);
	}

	/**
	 * Runs a command and returns the raw reply (see {@link RespClient}).
	 * @throws RedisErrorReplyException on an error reply
	 */
	public @Nullable Object command(String... command) {
		return client().call(command);
	}

	private RespClient client() {
		return client(this.options.username(), this.options.password());
	}

	/**
	 * A client of this server (over TLS when it listens with TLS) as this user (null: the
	 * default user).
	 */
	public RespClient client(@Nullable String username, @Nullable String password) {
		return client(this.port, this.options, username, password, COMMAND_TIMEOUT);
	}

	static RespClient client(int port, RedisServerOptions options, @Nullable String username, @Nullable String password,
			Duration timeout) {
		return new RespClient(HOST, port, username, password, timeout,
				(options.tls() != null) ? options.tls().socketFactory() : null);
	}

	/** One section of {@code INFO}, e.g. {@code replication}, as field -> value. */
	public Map<String, String> info(String section) {
		Map<String, String> fields = new LinkedHashMap<>();
		for (String line : ((String) Objects.requireNonNull(command("INFO", section))).split("\r\n")) {
			int colon = line.indexOf(':');
			if (colon > 0 && !line.startsWith("#")) {
				fields.put(line.substring(0, colon), line.substring(colon + 1));
			}
		}
		return fields;
	}

	/**
	 * Makes the server load its data set again, slowly, as after a restart with a large
	 * data set: for about {@code duration} it answers {@code LOADING} to every command,
	 * also PING. Adds a thousand keys of 10 KB named {@code loading:*} to make the load
	 * take time.
	 * @return completes when the server has loaded and answers normally again
	 */
	public CompletableFuture<Void> loadSlowly(Duration duration) {
		int keys = 1000;
		// 10 MB: a loading server answers other clients (LOADING) after every 2 MB it
		// read.
		command("DEBUG", "POPULATE", Integer.toString(keys), "loading", "10240");
		command("CONFIG", "SET", "rdbcompression", "no");
		command("SAVE");
		long delayMicros = Math.max(1, duration.toNanos() / 1000 / keys);
		command("CONFIG", "SET", "key-load-delay", Long.toString(delayMicros));
		RespClient patient = client(this.port, this.options, this.options.username(), this.options.password(),
				duration.plus(RedisServerLauncher.START_TIMEOUT));
		return CompletableFuture.runAsync(() -> patient.call("DEBUG", "RELOAD", "NOSAVE"))
			.thenRun(() -> command("CONFIG", "SET", "key-load-delay", "0"));
	}

	/** The value of one configuration parameter, from {@code CONFIG GET}. */
	public String config(String parameter) {
		return String.valueOf(((List<?>) Objects.requireNonNull(command("CONFIG", "GET", parameter))).get(1));
	}

	/** {@code master} or {@code slave}, from {@code ROLE}. */
	public String role() {
		return (String) ((List<?>) Objects.requireNonNull(command("ROLE"))).get(0);
	}

	/** Kills it and deletes its directory. */
	@Override
	public void close() {
		if (this.process.isAlive()) {
			kill();
		}
		RedisServerLauncher.deleteDirectory(this.directory);
	}

	@Override
	public String toString() {
		return "redis-server[" + address() + ", pid " + pid() + (isAlive() ? "" : ", dead") + "]";
	}

}
