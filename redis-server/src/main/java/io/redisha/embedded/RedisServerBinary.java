package io.redisha.embedded;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code redis-server} executable the processes run. Resolution order: the system
 * property {@value #OVERRIDE_PROPERTY} or the environment variable {@value #OVERRIDE_ENV}
 * (a path, or {@value #JAR} to force the binary shipped in
 * {@code com.github.codemonstur:embedded-redis}); then {@code redis-server} on the
 * {@code PATH}; then the shipped binary, extracted once to a cache directory.
 */
public final class RedisServerBinary {

	/** System property naming the binary to use, or {@value #JAR}. */
	public static final String OVERRIDE_PROPERTY = "redis-ha.redis-server";

	/** Environment variable naming the binary to use, or {@value #JAR}. */
	public static final String OVERRIDE_ENV = "REDIS_SERVER_BIN";

	/** The override value that forces the binary shipped in the embedded-redis jar. */
	public static final String JAR = "jar";

	private static final Logger logger = LoggerFactory.getLogger(RedisServerBinary.class);

	private static final Pattern VERSION = Pattern.compile("v=(\\S+)");

	private static volatile @Nullable RedisServerBinary resolved;

	private final Path path;

	private final String source;

	private final String version;

	/** Why it cannot listen with TLS ("" when it can), once tried. */
	private volatile @Nullable String tlsProblem;

	private RedisServerBinary(Path path, String source) {
		this.path = path;
		this.source = source;
		this.version = readVersion(path);
	}

	/** The binary to use, resolved once per JVM; logs which one and its version. */
	public static RedisServerBinary get() {
		RedisServerBinary binary = resolved;
		if (binary == null) {
			synchronized (RedisServerBinary.class) {
				binary = resolved;
				if (binary == null) {
					binary = resolve();
					logger.info("Using redis-server {} from {} ({})", binary.version, binary.path, binary.source);
					resolved = binary;
				}
			}
		}
		return binary;
	}

	private static RedisServerBinary resolve() {
		String override = System.getProperty(OVERRIDE_PROPERTY, System.getenv(OVERRIDE_ENV));
		if (override != null && !override.isBlank()) {
			if (JAR.equalsIgnoreCase(override.trim())) {
				return new RedisServerBinary(extractFromJar(), "embedded-redis jar, forced by " + OVERRIDE_PROPERTY);
			}
			Path path = Path.of(override.trim());
			if (!Files.isExecutable(path)) {
				throw new IllegalStateException(OVERRIDE_PROPERTY + "/" + OVERRIDE_ENV + " names '" + override
						+ "', which is not an executable file");
			}
			return new RedisServerBinary(path, "override " + OVERRIDE_PROPERTY + "/" + OVERRIDE_ENV);
		}
		Path onPath = findOnPath();
		return (onPath != null) ? new RedisServerBinary(onPath, "PATH")
				: new RedisServerBinary(extractFromJar(), "embedded-redis jar");
	}

	private static @Nullable Path findOnPath() {
		String pathVariable = System.getenv("PATH");
		if (pathVariable == null) {
			return null;
		}
		for (String directory : pathVariable.split(File.pathSeparator)) {
			if (!directory.isEmpty()) {
				Path candidate = Path.of(directory, "redis-server");
				if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
					return candidate;
				}
			}
		}
		return null;
	}

	private static Path extractFromJar() {
		String resource = jarResourceName();
		Path cache = Path.of(System.getProperty("java.io.tmpdir"), "redis-ha-redis-server");
		Path target = cache.resolve(resource);
		try (InputStream in = RedisServerBinary.class.getResourceAsStream("/" + resource)) {
			if (in == null) {
				throw new IllegalStateException("No redis-server on PATH and no /" + resource
						+ " on the classpath: add com.github.codemonstur:embedded-redis or install redis-server");
			}
			byte[] content = in.readAllBytes();
			if (Files.isExecutable(target) && Files.size(target) == content.length) {
				return target;
			}
			Files.createDirectories(cache);
			// Several JVMs may extract at once: write aside, then move into place
			// atomically.
			Path temporary = Files.createTempFile(cache, resource, ".tmp");
			Files.write(temporary, content);
			if (!temporary.toFile().setExecutable(true)) {
				throw new IOException("cannot make " + temporary + " executable");
			}
			try {
				Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (AtomicMoveNotSupportedException ex) {
				Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
			}
			return target;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot extract /" + resource + " to " + target, ex);
		}
	}

	private static String jarResourceName() {
		String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
		boolean arm = arch.equals("aarch64") || arch.equals("arm64");
		boolean amd64 = arch.equals("amd64") || arch.equals("x86_64");
		if (os.contains("linux")) {
			if (amd64) {
				return "redis-server-6.2.6-v5-linux-amd64";
			}
			if (arm) {
				return "redis-server-6.2.7-linux-arm64";
			}
			if (arch.equals("x86") || arch.equals("i386") || arch.equals("i686")) {
				return "redis-server-6.2.7-linux-386";
			}
		}
		else if (os.contains("mac")) {
			return arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
		}
		throw new IllegalStateException("No shipped redis-server for os.name=" + os + ", os.arch=" + arch
				+ ": install redis-server on the PATH or set " + OVERRIDE_ENV);
	}

	private static String readVersion(Path path) {
		try {
			Process process = new ProcessBuilder(path.toString(), "--version").redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly();
			}
			Matcher matcher = VERSION.matcher(output);
			if (!matcher.find()) {
				throw new IllegalStateException(path + " --version printed no version: " + output.trim());
			}
			return matcher.group(1);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot run " + path + " --version", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while reading the version of " + path, ex);
		}
	}

	/** The executable. */
	public Path path() {
		return this.path;
	}

	/** Where it came from: PATH, the embedded-redis jar or an override. */
	public String source() {
		return this.source;
	}

	/** Its major version, e.g. 7 for {@code 7.0.15}. */
	public int majorVersion() {
		int dot = this.version.indexOf('.');
		return Integer.parseInt((dot > 0) ? this.version.substring(0, dot) : this.version);
	}

	/**
	 * Why this binary cannot listen with TLS (a build without TLS, such as the
	 * embedded-redis jar's), or null when it can: tried once per JVM by starting a
	 * TLS-only server.
	 */
	public @Nullable String tlsUnsupportedReason() {
		if (this.tlsProblem == null) {
			try (RedisServerProcess server = RedisServerProcess
				.start(RedisServerOptions.defaults().withTls(TlsCertificates.generate()))) {
				this.tlsProblem = "";
			}
			catch (RedisServerException ex) {
				this.tlsProblem = "redis-server " + this.version + " from " + this.path + " (" + this.source
						+ ") cannot listen with TLS: " + ex.getMessage();
			}
		}
		return this.tlsProblem.isEmpty() ? null : this.tlsProblem;
	}

	/** Its version, e.g. {@code 6.2.6}. */
	public String version() {
		return this.version;
	}

}
