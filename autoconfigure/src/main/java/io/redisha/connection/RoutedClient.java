package io.redisha.connection;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.NettyCustomizer;
import io.lettuce.core.resource.SocketAddressResolver;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;

import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;

/**
 * The Lettuce resources and options of a master-following factory: the application's own
 * ({@code ClientResources}, {@code ClientOptions}, {@code NettyCustomizer},
 * {@code SocketAddressResolver}, whether a customizer set them on the client
 * configuration or on the resources builder) with the route's hooks composed in, never in
 * their place.
 */
final class RoutedClient {

	private final ClientResources resources;

	private final ClientOptions options;

	/**
	 * @param route where connections go
	 * @param configured the client configuration as the application's customizers left it
	 * @param resources the resources to build when the configuration carries none
	 */
	RoutedClient(MasterRoute route, LettuceClientConfiguration configured, ClientResources.Builder resources) {
		ClientResources base = configured.getClientResources().orElseGet(resources::build);
		RouteHooks hooks = new RouteHooks(route, base.socketAddressResolver(), base.nettyCustomizer());
		// Lettuce's mutate() hands the threads over to the copy, which then shuts them
		// down.
		ClientResources.Builder routed = base.mutate()
			.socketAddressResolver(hooks)
			.nettyCustomizer(hooks)
			.reconnectDelay(() -> Delay.exponential(Duration.ofMillis(1),
					Duration.ofMillis(MasterFollowingConnectionFactory.MAX_RECONNECT_DELAY_MILLIS), 2,
					TimeUnit.MILLISECONDS));
		if (configured.getClientResources().isPresent()) {
			// Resources a customizer handed in are the application's: the copy only
			// borrows their threads.
			routed.eventExecutorGroup(base.eventExecutorGroup())
				.eventLoopGroupProvider(base.eventLoopGroupProvider())
				.timer(base.timer());
		}
		this.resources = routed.build();
		// Reconnect to the new master after a cut; commands in flight were failed by the
		// route, not replayed.
		this.options = configured.getClientOptions()
			.map(ClientOptions::mutate)
			.orElseGet(ClientOptions::builder)
			.autoReconnect(true)
			.build();
	}

	/**
	 * The resources the factory's client uses: the application's, with the route's hooks.
	 */
	ClientResources resources() {
		return this.resources;
	}

	/** The application's client options, with auto-reconnect on. */
	ClientOptions options() {
		return this.options;
	}

	/**
	 * Shuts down the resources built here; threads borrowed from the application's
	 * resources keep running.
	 */
	void shutdown(Duration quietPeriod, Duration timeout) throws Exception {
		this.resources.shutdown(quietPeriod.toMillis(), timeout.toMillis(), TimeUnit.MILLISECONDS)
			.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
	}

	/**
	 * Lettuce's hooks into the route, around the application's: the group's placeholder
	 * address resolves to the current master, any other (a replica found by read routing)
	 * as the application's resolver says; every channel is customized as the application
	 * asks, then comes under the route's fence.
	 */
	private static final class RouteHooks extends SocketAddressResolver implements NettyCustomizer {

		private final MasterRoute route;

		private final SocketAddressResolver resolver;

		private final NettyCustomizer customizer;

		RouteHooks(MasterRoute route, SocketAddressResolver resolver, NettyCustomizer customizer) {
			this.route = route;
			this.resolver = resolver;
			this.customizer = customizer;
		}

		@Override
		public SocketAddress resolve(RedisURI redisURI) {
			// Replicas found by read routing have addresses of their own; the fence
			// checks them.
			return MasterFollowingConnectionFactory.placeholderHost(this.route.group()).equals(redisURI.getHost())
					? this.route.resolve() : this.resolver.resolve(redisURI);
		}

		@Override
		public void afterBootstrapInitialized(Bootstrap bootstrap) {
			this.customizer.afterBootstrapInitialized(bootstrap);
		}

		@Override
		public void afterChannelInitialized(Channel channel) {
			this.customizer.afterChannelInitialized(channel);
			this.route.register(channel);
		}

	}

}
