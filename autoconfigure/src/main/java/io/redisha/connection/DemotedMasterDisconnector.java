package io.redisha.connection;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.NodeAddress;
import io.netty.util.concurrent.EventExecutor;
import io.redisha.protocol.ProtocolEvent;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When this member promoted a replica of a group, disconnects the normal clients of the
 * old master ({@code CLIENT KILL TYPE normal}) as soon as it can be reached, so that
 * clients outside this application (non-Spring too) reconnect and find the new master
 * instead of writing to a demoted one. The old master may be unreachable at that moment
 * (dead, paused, cut off): it is tried again every {@value #RETRY_MILLIS} ms for as long
 * as the group's failover timeout, and never once it is the group's master again. Runs on
 * one of the Lettuce computation threads it is given (in an application, those of the
 * member's links: this is redis-ha's own work, kept off the application's threads); the
 * member's group thread only hands the event over.
 */
public final class DemotedMasterDisconnector implements Consumer<ProtocolEvent>, AutoCloseable {

	static final long RETRY_MILLIS = 500;

	private static final Logger logger = LoggerFactory.getLogger(DemotedMasterDisconnector.class);

	private final Map<String, Access> groups;

	/** One thread of the resources' computation pool: the attempts run one at a time. */
	private final EventExecutor executor;

	/**
	 * The nodes still to be disconnected, with the time (nanoTime) after which they are
	 * given up.
	 */
	private final Map<NodeAddress, Long> pending = new ConcurrentHashMap<>();

	private final ClientResources resources;

	/**
	 * Whether the resources are this disconnector's own, shut down by {@link #close()}.
	 */
	private final boolean ownResources;

	/** One client per group: the TLS options are the client's. */
	private final Map<String, RedisClient> clients = new ConcurrentHashMap<>();

	private volatile boolean closed;

	/**
	 * Creates the disconnector, with Lettuce threads of its own, and registers it with
	 * the member.
	 * @param groups how to reach each group's nodes, by group name
	 */
	public DemotedMasterDisconnector(RedisHaMember member, Map<String, Access> groups) {
		this(member, groups, DefaultClientResources.create(), true);
	}

	/**
	 * Creates the disconnector on borrowed Lettuce threads, and registers it with the
	 * member.
	 * @param groups how to reach each group's nodes, by group name
	 * @param resources the threads to use, left running by {@link #close()}: shut them
	 * down after closing this
	 */
	public DemotedMasterDisconnector(RedisHaMember member, Map<String, Access> groups, ClientResources resources) {
		this(member, groups, resources, false);
	}

	private DemotedMasterDisconnector(RedisHaMember member, Map<String, Access> groups, ClientResources resources,
			boolean ownResources) {
		this.resources = resources;
		this.ownResources = ownResources;
		this.executor = resources.eventExecutorGroup().next();
		this.groups = Map.copyOf(groups);
		this.groups.forEach((group, access) -> {
			ClientOptions.Builder options = ClientOptions.builder().autoReconnect(false);
			if (access.tls() != null) {
				options.sslOptions(access.tls());
			}
			RedisClient client = RedisClient.create(this.resources);
			client.setOptions(options.build());
			this.clients.put(group, client);
		});
		member.addEventListener(this);
	}

	/**
	 * Only the member that promoted the replica ({@code +promoted-slave}, which only the
	 * leader emits) disconnects the old master's clients: one {@code CLIENT KILL} per
	 * failover, not one per instance, each of which would also cut every other member's
	 * links. Any member's {@code +switch-master} ends the attempts on the node that
	 * became master.
	 */
	@Override
	public void accept(ProtocolEvent event) {
		Access access = this.groups.get(event.group());
		if (access == null) {
			return;
		}
		if (event.type() == ProtocolEvent.Type.SWITCH_MASTER && event.master() != null) {
			// The new master is never disconnected, even if it was demoted once before.
			execute(() -> this.pending.remove(event.master()));
		}
		else if (event.type() == ProtocolEvent.Type.PROMOTED_REPLICA && event.master() != null
				&& event.node() != null) {
			NodeAddress oldMaster = event.master();
			NodeAddress newMaster = event.node();
			execute(() -> {
				this.pending.remove(newMaster);
				this.pending.put(oldMaster, System.nanoTime() + access.retryFor().toNanos());
				attempt(oldMaster, Objects.requireNonNull(this.clients.get(event.group())), access);
			});
		}
	}

	private void attempt(NodeAddress node, RedisClient client, Access access) {
		Long giveUpAt = this.pending.get(node);
		if (giveUpAt == null) {
			return;
		}
		if (System.nanoTime() - giveUpAt > 0) {
			this.pending.remove(node);
			logger.info("Old master {} not reachable within {}: its clients were not disconnected", node,
					access.retryFor());
			return;
		}
		disconnectClients(node, client, access).whenComplete((killed, failure) -> execute(() -> {
			if (failure == null) {
				if (this.pending.remove(node) != null) {
					logger.info("Disconnected {} client(s) of old master {}", killed, node);
				}
			}
			else {
				logger.debug("Old master {} not reachable yet: {}", node, failure.toString());
				schedule(() -> attempt(node, client, access));
			}
		}));
	}

	private CompletableFuture<Long> disconnectClients(NodeAddress node, RedisClient client, Access access) {
		RedisURI.Builder uri = RedisURI.builder()
			.withHost(node.host())
			.withPort(node.port())
			.withTimeout(access.timeout())
			.withSsl(access.tls() != null)
			.withVerifyPeer(SslVerifyMode.FULL);
		if (access.password() != null) {
			if (access.username() != null) {
				uri.withAuthentication(access.username(), access.password());
			}
			else {
				uri.withPassword(access.password().toCharArray());
			}
		}
		return client.connectAsync(StringCodec.UTF8, uri.build())
			.toCompletableFuture()
			.thenCompose((connection) -> kill(connection).whenComplete((killed, failure) -> connection.closeAsync()))
			.orTimeout(2 * access.timeout().toMillis(), TimeUnit.MILLISECONDS);
	}

	private static CompletableFuture<Long> kill(StatefulRedisConnection<String, String> connection) {
		// Our own connection is skipped (SKIPME yes, the default).
		return connection.async().clientKill(KillArgs.Builder.typeNormal()).toCompletableFuture();
	}

	private void execute(Runnable task) {
		if (this.closed) {
			return;
		}
		try {
			this.executor.execute(unlessClosed(task));
		}
		catch (RejectedExecutionException ex) {
			// Closed: the application is stopping.
		}
	}

	private void schedule(Runnable task) {
		if (this.closed) {
			return;
		}
		try {
			this.executor.schedule(unlessClosed(task), RETRY_MILLIS, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// Closed: the application is stopping.
		}
	}

	/** The task, unless this is closed by the time it runs. */
	private Runnable unlessClosed(Runnable task) {
		return () -> {
			if (!this.closed) {
				task.run();
			}
		};
	}

	/**
	 * Stops trying and closes the clients; shuts down the resources only if they are its
	 * own.
	 */
	@Override
	public void close() {
		this.closed = true;
		this.pending.clear();
		this.clients.values().forEach((client) -> client.shutdown(0, 2, TimeUnit.SECONDS));
		if (this.ownResources) {
			this.resources.shutdown(0, 2, TimeUnit.SECONDS);
		}
	}

	/**
	 * How to reach one group's nodes. The password is never part of {@link #toString()}.
	 *
	 * @param username the Redis ACL user
	 * @param password the password
	 * @param timeout the connect and command timeout
	 * @param retryFor how long an unreachable old master is tried again
	 * @param tls the TLS options, or null for plain text
	 */
	public record Access(@Nullable String username, @Nullable String password, Duration timeout, Duration retryFor,
			@Nullable SslOptions tls) {

		@Override
		public String toString() {
			return "Access[username=" + this.username + ", password=" + ((this.password != null) ? "******" : null)
					+ ", timeout=" + this.timeout + ", retryFor=" + this.retryFor + ((this.tls != null) ? ", tls" : "")
					+ "]";
		}

	}

}
