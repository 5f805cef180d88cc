package io.redisha.connection;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.resource.ClientResources;
import io.netty.util.concurrent.EventExecutorGroup;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisSentinelConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionProvider;

/**
 * A {@link LettuceConnectionFactory} whose connections always go to the current master of
 * one redis-ha group, as its {@link MasterRoute} says. It is a plain Lettuce factory to
 * Spring Data (shared native connection, pooling, the asynchronous pub/sub subscriber of
 * {@code RedisMessageListenerContainer}); only the address changes: the Redis URI names a
 * placeholder host ({@code <group>.redis-ha}) that Lettuce's socket address resolver maps
 * to the current master on every connect and reconnect.
 * <p>
 * On a master switch the route cuts every connection to the old master: commands in
 * flight fail at once with {@link RedisMasterSwitchedException}, and Lettuce reconnects
 * to the new master (re-subscribing pub/sub connections) within
 * {@value #MAX_RECONNECT_DELAY_MILLIS} ms. A dedicated connection (a transaction,
 * {@code WATCH}, a pipeline, a blocking command) that was cut is not carried over: its
 * later commands fail until it is released. While the group has no usable master,
 * {@link #getConnection()} waits for one for at most the group's failover wait, then
 * fails with {@link RedisMasterUnavailableException}. Reactive connections cannot wait
 * there (Spring Data's reactive connection type is not public): their commands are held
 * by Lettuce, which connects nowhere until the group has a usable master, and fail after
 * the command timeout.
 */
public class MasterFollowingConnectionFactory extends LettuceConnectionFactory {

	/**
	 * The longest pause between Lettuce's reconnect attempts (its default grows to 30 s):
	 * a switch is followed within it. Cheap: while the group waits for a failover the
	 * route refuses at once, without connecting, and Lettuce rate-limits its reconnect
	 * logs.
	 */
	static final long MAX_RECONNECT_DELAY_MILLIS = 25;

	/**
	 * With read routing, how often the replicas the member sees are compared with those
	 * read from: no event marks a replica repointed to the new master after a failover.
	 */
	static final long REPLICA_CHECK_MILLIS = 500;

	/** The port of the placeholder address; never connected to. */
	private static final int PLACEHOLDER_PORT = 6379;

	private static final Logger logger = LoggerFactory.getLogger(MasterFollowingConnectionFactory.class);

	private final MasterRoute route;

	private final RoutedClient routed;

	/**
	 * With read routing, when each connection discovered the replicas; null without.
	 */
	private final @Nullable ReplicaDiscoveries discoveries;

	/**
	 * With read routing, the periodic look at the replicas the member sees; else null.
	 */
	private final @Nullable Future<?> replicaCheck;

	/**
	 * @param route where connections go
	 * @param server database, username and password (the host and port are ignored)
	 * @param client the client configuration to start from: timeouts, client name, pool,
	 * SSL
	 * @param resources the Lettuce resources to start from; this factory owns and shuts
	 * down the resources it builds from them
	 * @param options the client options to start from; auto-reconnect is always on
	 */
	public MasterFollowingConnectionFactory(MasterRoute route, RedisStandaloneConfiguration server,
			LettuceClientConfiguration.LettuceClientConfigurationBuilder client, ClientResources.Builder resources,
			ClientOptions.Builder options) {
		this(route, server, client.clientOptions(options.build()), resources);
	}

	/**
	 * @param route where connections go
	 * @param server database, username and password (the host and port are ignored)
	 * @param client the client configuration as the application's customizers left it:
	 * its client options (auto-reconnect is always turned on) and, if it has them, its
	 * client resources (left to the application to shut down) are kept, with the route's
	 * hooks composed in
	 * @param resources the Lettuce resources to build when the client configuration has
	 * none; this factory owns and shuts down the resources it builds from them
	 */
	public MasterFollowingConnectionFactory(MasterRoute route, RedisStandaloneConfiguration server,
			LettuceClientConfiguration.LettuceClientConfigurationBuilder client, ClientResources.Builder resources) {
		this(route, placeholder(route, server), client, new RoutedClient(route, client.build(), resources));
	}

	private MasterFollowingConnectionFactory(MasterRoute route, RedisStandaloneConfiguration server,
			LettuceClientConfiguration.LettuceClientConfigurationBuilder client, RoutedClient routed) {
		super(server, client.clientResources(routed.resources()).clientOptions(routed.options()).build());
		this.route = route;
		this.routed = routed;
		ReplicaDiscoveries discoveries = getClientConfiguration().getReadFrom().isPresent() ? new ReplicaDiscoveries()
				: null;
		this.discoveries = discoveries;
		if (discoveries != null) {
			EventExecutorGroup executor = routed.resources().eventExecutorGroup();
			// Read routing learnt the replicas from the old master: rediscover them from
			// the new one.
			route.onSwitch(() -> executor.execute(() -> rediscoverReplicas(discoveries)));
			this.replicaCheck = executor.scheduleWithFixedDelay(() -> {
				if (route.replicasChanged()) {
					rediscoverReplicas(discoveries);
				}
			}, REPLICA_CHECK_MILLIS, REPLICA_CHECK_MILLIS, TimeUnit.MILLISECONDS);
		}
		else {
			this.replicaCheck = null;
		}
	}

	/**
	 * With read routing, notes when each connection discovered the replicas, so that it
	 * is discarded once they change: the pool would otherwise hand it out again.
	 */
	@Override
	protected LettuceConnectionProvider doCreateConnectionProvider(AbstractRedisClient client, RedisCodec<?, ?> codec) {
		LettuceConnectionProvider provider = super.doCreateConnectionProvider(client, codec);
		return (this.discoveries != null) ? this.discoveries.recording(provider) : provider;
	}

	/**
	 * Discards the connections that discovered the replicas before now: the shared ones
	 * at once, the others when next borrowed or released. Never throws, so that the
	 * periodic check goes on.
	 */
	private void rediscoverReplicas(ReplicaDiscoveries discoveries) {
		try {
			discoveries.changed();
			resetConnection();
		}
		catch (RuntimeException ex) {
			logger.warn("redis-ha group '{}': the application's connections could not be reset to discover"
					+ " the replicas again: {}", this.route.group(), ex.toString());
		}
	}

	/**
	 * With read routing, the shared connection is borrowed from the pool when there is
	 * one, where a stale connection may wait: one is discarded, and the next borrowed.
	 */
	@Override
	protected @Nullable StatefulRedisConnection<byte[], byte[]> getSharedConnection() {
		return discardedIfStale(super.getSharedConnection(), super::getSharedConnection);
	}

	@Override
	protected @Nullable StatefulConnection<ByteBuffer, ByteBuffer> getSharedReactiveConnection() {
		return discardedIfStale(super.getSharedReactiveConnection(), super::getSharedReactiveConnection);
	}

	private <C extends StatefulConnection<?, ?>> @Nullable C discardedIfStale(@Nullable C shared,
			Supplier<@Nullable C> next) {
		if (shared == null || this.discoveries == null || !this.discoveries.isStale(shared)) {
			return shared;
		}
		shared.close();
		resetConnection();
		return next.get();
	}

	/** The route this factory's connections follow. */
	public MasterRoute getRoute() {
		return this.route;
	}

	private static RedisStandaloneConfiguration placeholder(MasterRoute route, RedisStandaloneConfiguration server) {
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(placeholderHost(route.group()),
				PLACEHOLDER_PORT);
		configuration.setDatabase(server.getDatabase());
		configuration.setUsername(server.getUsername());
		configuration.setPassword(server.getPassword());
		return configuration;
	}

	static String placeholderHost(String group) {
		return group + ".redis-ha";
	}

	@Override
	public RedisConnection getConnection() {
		this.route.awaitMaster();
		return super.getConnection();
	}

	/**
	 * Spring Data's connection, whose dedicated connections (transactions, {@code WATCH},
	 * pipelines, blocking commands) stay on one channel until released.
	 */
	@Override
	protected LettuceConnection doCreateLettuceConnection(
			@Nullable StatefulRedisConnection<byte[], byte[]> sharedConnection,
			LettuceConnectionProvider connectionProvider, long timeout, int database) {
		LettuceConnectionProvider borrowed = (this.discoveries != null)
				? this.discoveries.discarding(connectionProvider) : connectionProvider;
		return super.doCreateLettuceConnection(sharedConnection, this.route.holding(borrowed), timeout, database);
	}

	@Override
	public RedisClusterConnection getClusterConnection() {
		throw new UnsupportedOperationException(
				"redis-ha group '" + this.route.group() + "' is a master with replicas, not a Redis Cluster");
	}

	@Override
	public RedisSentinelConnection getSentinelConnection() {
		throw new UnsupportedOperationException("redis-ha group '" + this.route.group()
				+ "' is watched by the application's redis-ha members, not by Redis Sentinel");
	}

	@Override
	public void destroy() {
		if (this.replicaCheck != null) {
			this.replicaCheck.cancel(false);
		}
		super.destroy();
		try {
			this.routed.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (Exception ex) {
			logger.warn("Lettuce resources of redis-ha group '{}' did not shut down cleanly: {}", this.route.group(),
					ex.toString());
		}
	}

	@Override
	public String toString() {
		return "MasterFollowingConnectionFactory[" + this.route + "]";
	}

}
