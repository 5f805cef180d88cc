package io.redisha.connection;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.NettyCustomizer;
import io.lettuce.core.resource.SocketAddressResolver;
import io.netty.channel.Channel;
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
 * placeholder host ({@code <group>.redis-ha}) that Lettuce's socket address resolver maps to
 * the current master on every connect and reconnect.
 * <p>
 * On a master switch the route cuts every connection to the old master: commands in flight
 * fail at once with {@link RedisMasterSwitchedException}, and Lettuce reconnects to the new
 * master (re-subscribing pub/sub connections) within {@value #MAX_RECONNECT_DELAY_MILLIS} ms.
 * A dedicated connection (a transaction, {@code WATCH}, a pipeline, a blocking command) that
 * was cut is not carried over: its later commands fail until it is released.
 * While the group has no usable master, {@link #getConnection()} waits for one for at most
 * the group's failover wait, then fails with {@link RedisMasterUnavailableException}.
 * Reactive connections cannot wait there (Spring Data's reactive connection type is not
 * public): their commands are held by Lettuce, which connects nowhere until the group has a
 * usable master, and fail after the command timeout.
 */
public class MasterFollowingConnectionFactory extends LettuceConnectionFactory {

	/**
	 * The longest pause between Lettuce's reconnect attempts (its default grows to 30 s): a
	 * switch is followed within it. Cheap: while the group waits for a failover the route
	 * refuses at once, without connecting, and Lettuce rate-limits its reconnect logs.
	 */
	static final long MAX_RECONNECT_DELAY_MILLIS = 25;

	/** The port of the placeholder address; never connected to. */
	private static final int PLACEHOLDER_PORT = 6379;

	private static final Logger logger = LoggerFactory.getLogger(MasterFollowingConnectionFactory.class);

	private final MasterRoute route;

	private final ClientResources resources;

	/**
	 * @param route where connections go
	 * @param server database, username and password (the host and port are ignored)
	 * @param client the client configuration to start from: timeouts, client name, pool, SSL
	 * @param resources the Lettuce resources to start from; this factory owns and shuts down
	 * the resources it builds from them
	 * @param options the client options to start from; auto-reconnect is always on
	 */
	public MasterFollowingConnectionFactory(MasterRoute route, RedisStandaloneConfiguration server,
			LettuceClientConfiguration.LettuceClientConfigurationBuilder client, ClientResources.Builder resources,
			ClientOptions.Builder options) {
		this(route, placeholder(route, server), routed(route, resources), client, options);
	}

	private MasterFollowingConnectionFactory(MasterRoute route, RedisStandaloneConfiguration server,
			ClientResources resources, LettuceClientConfiguration.LettuceClientConfigurationBuilder client,
			ClientOptions.Builder options) {
		super(server, client.clientResources(resources)
			// Reconnect to the new master after a cut; commands in flight were failed by the route, not replayed.
			.clientOptions(options.autoReconnect(true).build())
			.build());
		this.route = route;
		this.resources = resources;
		if (getClientConfiguration().getReadFrom().isPresent()) {
			// Read routing learnt the replicas from the old master: rediscover them from the new one.
			route.onSwitch(() -> resources.eventExecutorGroup().execute(this::resetConnection));
		}
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

	private static ClientResources routed(MasterRoute route, ClientResources.Builder resources) {
		RouteHooks hooks = new RouteHooks(route);
		return resources.socketAddressResolver(hooks)
			.nettyCustomizer(hooks)
			.reconnectDelay(() -> Delay.exponential(Duration.ofMillis(1), Duration.ofMillis(MAX_RECONNECT_DELAY_MILLIS),
					2, TimeUnit.MILLISECONDS))
			.build();
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
	protected LettuceConnection doCreateLettuceConnection(StatefulRedisConnection<byte[], byte[]> sharedConnection,
			LettuceConnectionProvider connectionProvider, long timeout, int database) {
		return super.doCreateLettuceConnection(sharedConnection, this.route.holding(connectionProvider), timeout,
				database);
	}

	@Override
	public RedisClusterConnection getClusterConnection() {
		throw new UnsupportedOperationException("redis-ha group '" + this.route.group()
				+ "' is a master with replicas, not a Redis Cluster");
	}

	@Override
	public RedisSentinelConnection getSentinelConnection() {
		throw new UnsupportedOperationException("redis-ha group '" + this.route.group()
				+ "' is watched by the application's redis-ha members, not by Redis Sentinel");
	}

	@Override
	public void destroy() {
		super.destroy();
		try {
			this.resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
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

	/**
	 * Lettuce's hooks into the route: every address of these resources resolves to the
	 * current master, and every channel comes under the route's fence.
	 */
	private static final class RouteHooks extends SocketAddressResolver implements NettyCustomizer {

		private final MasterRoute route;

		RouteHooks(MasterRoute route) {
			this.route = route;
		}

		@Override
		public SocketAddress resolve(RedisURI redisURI) {
			// Replicas found by read routing have addresses of their own; the fence checks them.
			return placeholderHost(this.route.group()).equals(redisURI.getHost()) ? this.route.resolve()
					: super.resolve(redisURI);
		}

		@Override
		public void afterChannelInitialized(Channel channel) {
			this.route.register(channel);
		}

	}

}
