package io.redisha.failover;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerOptions;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.embedded.TcpProxy;
import io.redisha.protocol.NodeAddress;
import io.redisha.testing.Members;

/**
 * A JUnit extension giving each scenario a fresh local Redis group (master and replicas)
 * and stopping whatever the scenario started on it afterwards, also when it fails: the
 * members first (so they say goodbye while the nodes are still there), then proxies, then
 * the nodes.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final FailoverScenario scenario = FailoverScenario.withReplicas(2);
 * </pre>
 */
final class FailoverScenario implements BeforeEachCallback, AfterEachCallback {

	private final RedisServerOptions options;

	private final Integer[] replicaPriorities;

	/**
	 * Whether replicas are pointed at the master with REPLICAOF once started, rather than
	 * configured to.
	 */
	private final boolean replicaOfAtRuntime;

	private final Deque<AutoCloseable> started = new ArrayDeque<>();

	private LocalRedisGroup group;

	private FailoverScenario(RedisServerOptions options, Integer[] replicaPriorities, boolean replicaOfAtRuntime) {
		this.options = options;
		this.replicaPriorities = replicaPriorities;
		this.replicaOfAtRuntime = replicaOfAtRuntime;
	}

	/** A master and {@code replicas} replicas with the server's default priority. */
	static FailoverScenario withReplicas(int replicas) {
		return new FailoverScenario(RedisServerOptions.defaults(), new Integer[replicas], false);
	}

	/**
	 * A master and {@code replicas} replicas started as masters and pointed at it with
	 * {@code REPLICAOF} at runtime, as in containers: one restarted as a master comes
	 * back empty.
	 */
	static FailoverScenario withReplicasPointedAtRuntime(int replicas) {
		return new FailoverScenario(RedisServerOptions.defaults(), new Integer[replicas], true);
	}

	/** A master and one replica per priority (null: the server's default). */
	static FailoverScenario withReplicaPriorities(Integer... priorities) {
		return new FailoverScenario(RedisServerOptions.defaults(), priorities.clone(), false);
	}

	/** The same, with every node started with these options. */
	FailoverScenario options(UnaryOperator<RedisServerOptions> customizer) {
		return new FailoverScenario(customizer.apply(this.options), this.replicaPriorities, this.replicaOfAtRuntime);
	}

	/** The group of the running scenario. */
	LocalRedisGroup group() {
		if (this.group == null) {
			throw new IllegalStateException("no scenario is running: register the extension with @RegisterExtension");
		}
		return this.group;
	}

	/** The address of the node the group started as master. */
	NodeAddress initialMaster() {
		return Members.address(group().master());
	}

	/** {@code count} members on the group, steady with the initial master. */
	Members startMembers(int count, int quorum) {
		return startMembers(count, quorum, initialMaster());
	}

	/** {@code count} members on the group, steady with {@code master}. */
	Members startMembers(int count, int quorum, NodeAddress master) {
		return startMembers(quorum, master, Collections.nCopies(count, UnaryOperator.identity()));
	}

	/**
	 * One member per entry of {@code connectVia}, each connecting to the address its
	 * entry maps a node to.
	 */
	Members startMembers(int quorum, List<UnaryOperator<NodeAddress>> connectVia) {
		return startMembers(quorum, initialMaster(), connectVia);
	}

	private Members startMembers(int quorum, NodeAddress master, List<UnaryOperator<NodeAddress>> connectVia) {
		Members members = Members.startSteady(group(), quorum, master, connectVia);
		this.started.push(members);
		return members;
	}

	/** A proxy in front of {@code node}, closed after the scenario. */
	TcpProxy proxyTo(RedisServerProcess node) {
		TcpProxy proxy = TcpProxy.to(node);
		this.started.push(proxy);
		return proxy;
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		this.group = this.replicaOfAtRuntime
				? LocalRedisGroup.startReplicatingAtRuntime(this.replicaPriorities.length, this.options)
				: LocalRedisGroup.start(this.options, this.replicaPriorities);
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		Exception failure = null;
		while (!this.started.isEmpty()) {
			try {
				this.started.pop().close();
			}
			catch (Exception ex) {
				failure = ex;
			}
		}
		if (this.group != null) {
			this.group.close();
			this.group = null;
		}
		if (failure != null) {
			throw failure;
		}
	}

}
