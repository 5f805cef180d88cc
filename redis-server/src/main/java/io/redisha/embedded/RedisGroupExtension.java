package io.redisha.embedded;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension giving each test a fresh {@link LocalRedisGroup} (or one per class
 * with {@link #perClass()}) and killing it afterwards, also when the test fails.
 * Processes and proxies started through {@link #startServer} and {@link #proxyTo} are
 * closed after each test.
 *
 * <pre>
 * &#64;RegisterExtension
 * static RedisGroupExtension redis = RedisGroupExtension.withReplicas(2).password("secret");
 * </pre>
 */
public final class RedisGroupExtension
		implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

	private final Integer[] priorities;

	private final RedisServerOptions options;

	private final boolean perClass;

	private final List<AutoCloseable> extras = new ArrayList<>();

	private @Nullable LocalRedisGroup group;

	private RedisGroupExtension(Integer[] priorities, RedisServerOptions options, boolean perClass) {
		this.priorities = priorities;
		this.options = options;
		this.perClass = perClass;
	}

	/**
	 * A master and {@code replicas} replicas with default priorities, fresh for each
	 * test.
	 */
	public static RedisGroupExtension withReplicas(int replicas) {
		return new RedisGroupExtension(new Integer[replicas], RedisServerOptions.defaults(), false);
	}

	/** A master and one replica per priority, fresh for each test. */
	public static RedisGroupExtension withReplicaPriorities(Integer... priorities) {
		return new RedisGroupExtension(priorities.clone(), RedisServerOptions.defaults(), false);
	}

	/** Every node requires this password. */
	public RedisGroupExtension password(String password) {
		return new RedisGroupExtension(this.priorities, this.options.withPassword(password), this.perClass);
	}

	/** Every node requires this ACL user and password. */
	public RedisGroupExtension user(String username, String password) {
		return new RedisGroupExtension(this.priorities, this.options.withUser(username, password), this.perClass);
	}

	/**
	 * Every node listens with TLS only, with a certificate generated for the test, and
	 * replicas replicate over TLS. Where redis-server cannot listen with TLS the tests
	 * are skipped, saying why.
	 */
	public RedisGroupExtension tls() {
		return new RedisGroupExtension(this.priorities, this.options.withTls(TlsCertificates.generate()),
				this.perClass);
	}

	/** One group shared by every test of the class, for tests that leave it healthy. */
	public RedisGroupExtension perClass() {
		return new RedisGroupExtension(this.priorities, this.options, true);
	}

	/** The running group. */
	public LocalRedisGroup group() {
		if (this.group == null) {
			throw new IllegalStateException("No redis group: is the extension registered with @RegisterExtension?");
		}
		return this.group;
	}

	/** The options every node was started with (password, user). */
	public RedisServerOptions options() {
		return this.options;
	}

	/** Starts one more server (not part of the group), killed after the test. */
	public RedisServerProcess startServer(RedisServerOptions serverOptions) {
		RedisServerProcess server = RedisServerProcess.start(serverOptions);
		this.extras.add(server);
		return server;
	}

	/** A proxy in front of {@code server}, closed after the test. */
	public TcpProxy proxyTo(RedisServerProcess server) {
		TcpProxy proxy = TcpProxy.to(server);
		this.extras.add(proxy);
		return proxy;
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		if (this.perClass) {
			startGroup();
		}
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		if (!this.perClass) {
			startGroup();
		}
	}

	private void startGroup() {
		if (this.options.tls() != null) {
			String unsupported = RedisServerBinary.get().tlsUnsupportedReason();
			Assumptions.assumeTrue(unsupported == null, unsupported);
		}
		this.group = LocalRedisGroup.start(this.options, this.priorities);
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		closeExtras();
		if (!this.perClass) {
			closeGroup();
		}
	}

	@Override
	public void afterAll(ExtensionContext context) throws Exception {
		closeExtras();
		closeGroup();
	}

	private void closeExtras() throws Exception {
		Exception failure = null;
		for (AutoCloseable extra : this.extras) {
			try {
				extra.close();
			}
			catch (Exception ex) {
				failure = ex;
			}
		}
		this.extras.clear();
		if (failure != null) {
			throw failure;
		}
	}

	private void closeGroup() {
		if (this.group != null) {
			this.group.close();
			this.group = null;
		}
	}

	@Override
	public String toString() {
		return "RedisGroupExtension[replicaPriorities=" + Arrays.toString(this.priorities) + ", options=" + this.options
				+ ", perClass=" + this.perClass + "]";
	}

}
