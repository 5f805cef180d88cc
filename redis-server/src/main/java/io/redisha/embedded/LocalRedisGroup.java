package io.redisha.embedded;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local master with replicas, each a {@link RedisServerProcess} on a free loopback
 * port. {@link #start} returns once every replica's link to the master is up. Used by the
 * tests and as the sample app's embedded default; {@link #close()} kills every process.
 */
public final class LocalRedisGroup implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(LocalRedisGroup.class);

	private static final Duration LINK_TIMEOUT = Duration.ofSeconds(20);

	private final RedisServerOptions options;

	private final List<RedisServerProcess> nodes = new ArrayList<>();

	private LocalRedisGroup(RedisServerOptions options) {
		this.options = options.withReplicaOf(null);
	}

	/** Starts a master and {@code replicas} replicas, all with the same options. */
	public static LocalRedisGroup start(int replicas, RedisServerOptions options) {
		return start(options, new Integer[replicas]);
	}

	/** Starts a master and {@code replicas} replicas without password. */
	public static LocalRedisGroup start(int replicas) {
		return start(replicas, RedisServerOptions.defaults());
	}

	/**
	 * Starts a master and one replica per entry of {@code replicaPriorities} (null
	 * entries keep the server's default priority).
	 */
	public static LocalRedisGroup start(RedisServerOptions options, Integer... replicaPriorities) {
		return start(options, (group) -> {
			for (Integer priority : replicaPriorities) {
				group.nodes.add(RedisServerProcess.start(group.replicaOptions(priority)));
			}
		});
	}

	/**
	 * Starts a master and {@code replicas} replicas that are started as masters and
	 * pointed at node 0 with {@code REPLICAOF} at runtime, as containers that start every
	 * node alike do: without persistence, one started again that way
	 * ({@link RedisServerProcess#restartAsMaster()}) comes back as an empty master.
	 */
	public static LocalRedisGroup startReplicatingAtRuntime(int replicas, RedisServerOptions options) {
		return start(options, (group) -> {
			for (int i = 0; i < replicas; i++) {
				RedisServerProcess replica = RedisServerProcess.start(group.options);
				group.nodes.add(replica);
				replica.replicaOf(group.master().address());
			}
		});
	}

	private static LocalRedisGroup start(RedisServerOptions options, Consumer<LocalRedisGroup> startReplicas) {
		LocalRedisGroup group = new LocalRedisGroup(options);
		try {
			group.nodes.add(RedisServerProcess.start(group.options));
			startReplicas.accept(group);
			group.awaitReplicationLinks();
		}
		catch (RuntimeException ex) {
			group.close();
			throw ex;
		}
		logger.info("Started redis group: master {}, replicas {}", group.master().address(),
				group.replicas().stream().map(RedisServerProcess::address).toList());
		return group;
	}

	private RedisServerOptions replicaOptions(@Nullable Integer priority) {
		return this.options.withReplicaOf(master().address()).withReplicaPriority(priority);
	}

	/** The node started as master (node 0); after a failover it may no longer be one. */
	public RedisServerProcess master() {
		return this.nodes.get(0);
	}

	/** The nodes started as replicas. */
	public List<RedisServerProcess> replicas() {
		return List.copyOf(this.nodes.subList(1, this.nodes.size()));
	}

	/** Node {@code i}: 0 is the master, then the replicas in start order. */
	public RedisServerProcess node(int i) {
		return this.nodes.get(i);
	}

	/** Every node, the master first. */
	public List<RedisServerProcess> nodes() {
		return List.copyOf(this.nodes);
	}

	/** Every node's {@code host:port}, the master first. */
	public List<String> addresses() {
		return this.nodes.stream().map(RedisServerProcess::address).toList();
	}

	/** The node listening on this port, if any. */
	public @Nullable RedisServerProcess nodeOnPort(int port) {
		return this.nodes.stream().filter((node) -> node.port() == port).findFirst().orElse(null);
	}

	/** Starts one more replica of node 0 and waits until its link is up. */
	public RedisServerProcess addReplica() {
		return addReplica(null);
	}

	/**
	 * Starts one more replica of node 0 with this priority (null: the default) and waits
	 * until its link is up.
	 */
	public RedisServerProcess addReplica(@Nullable Integer priority) {
		RedisServerProcess replica = RedisServerProcess.start(replicaOptions(priority));
		this.nodes.add(replica);
		awaitLinkUp(replica);
		return replica;
	}

	/** Waits until every running replica reports {@code master_link_status:up}. */
	public void awaitReplicationLinks() {
		for (RedisServerProcess replica : replicas()) {
			if (replica.isAlive()) {
				awaitLinkUp(replica);
			}
		}
	}

	static void awaitLinkUp(RedisServerProcess replica) {
		long deadline = System.nanoTime() + LINK_TIMEOUT.toNanos();
		String status = null;
		while (System.nanoTime() < deadline) {
			status = replica.info("replication").get("master_link_status");
			if ("up".equals(status)) {
				return;
			}
			try {
				TimeUnit.MILLISECONDS.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		throw new RedisServerException("Replica " + replica.address() + " has master_link_status " + status + " after "
				+ LINK_TIMEOUT.toSeconds() + " s", false);
	}

	/** Kills every node and deletes their directories. */
	@Override
	public void close() {
		for (RedisServerProcess node : this.nodes) {
			node.close();
		}
		this.nodes.clear();
	}

}
