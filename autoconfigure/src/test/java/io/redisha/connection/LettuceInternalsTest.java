package io.redisha.connection;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What redis-ha takes from Lettuce's internals ({@link LettuceInternals}), checked
 * against the Lettuce on the class path with a real redis-server: if one of these fails
 * after a Lettuce upgrade, the fences and the held connections no longer work as
 * documented.
 */
class LettuceInternalsTest {

	private static final String CLIENT_NAME = "lettuce-internals";

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(0).perClass();

	private final LettuceInternals internals = new LettuceInternals();

	private final List<Channel> channels = new CopyOnWriteArrayList<>();

	/** What the handler after the handshake saw when each channel became active. */
	private final List<String> seenAfterHandshake = new CopyOnWriteArrayList<>();

	private ClientResources resources;

	private RedisClient client;

	private StatefulRedisConnection<String, String> connection;

	@BeforeEach
	void connect() {
		RedisServerProcess server = redis.group().master();
		server.command("DEL", "held");
		this.resources = ClientResources.builder().nettyCustomizer(new NettyCustomizer() {

			@Override
			public void afterChannelInitialized(Channel channel) {
				LettuceInternalsTest.this.channels.add(channel);
				LettuceInternalsTest.this.internals.register(channel, false);
				LettuceInternals.addAfterHandshake(channel, "probe", new Probe(server));
			}

		}).build();
		this.client = RedisClient.create(this.resources,
				RedisURI.builder().withHost(server.host()).withPort(server.port()).withClientName(CLIENT_NAME).build());
		this.connection = this.client.connect();
	}

	@AfterEach
	void close() {
		this.connection.close();
		this.client.shutdown();
		this.resources.shutdown();
	}

	@Test
	void aConnectionAndEachOfItsChannelsNameTheSameLettuceConnection() {
		Object connection = LettuceInternals.connectionOf(this.connection);
		assertThat(connection).isNotNull().isSameAs(LettuceInternals.connectionOf(this.channels.get(0)));
		killClients();
		await().atMost(EVENTUALLY).until(() -> this.channels.size() == 2 && this.channels.get(1).isActive());
		assertThat(this.connection.sync().ping()).isEqualTo("PONG");
		assertThat(LettuceInternals.connectionOf(this.channels.get(1))).isSameAs(connection);
	}

	@Test
	void theCommandsInFlightAreTakenFromTheChannelSoThatLettuceDoesNotReplayThem() throws Exception {
		RedisFuture<?> pop = this.connection.async().blpop(10, "nothing");
		await().atMost(EVENTUALLY)
			.until(() -> String.valueOf(redis.group().master().command("CLIENT", "LIST")).contains("cmd=blpop"));
		Channel channel = this.channels.get(0);
		Collection<RedisCommand<?, ?, ?>> inFlight = channel.eventLoop()
			.submit(() -> LettuceInternals.drainInFlight(channel))
			.get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS);
		assertThat(inFlight).hasSize(1);
		RedisCommand<?, ?, ?> command = inFlight.iterator().next();
		assertThat(command.getType().toString()).isEqualTo("BLPOP");
		command.completeExceptionally(new IllegalStateException("drained"));
		assertThat(pop.toCompletableFuture()).failsWithin(Duration.ofSeconds(1));
	}

	@Test
	void reconnectsAreSuspendedAndResumed() {
		this.internals.suspendReconnects(true);
		killClients();
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !this.connection.isOpen());
		this.internals.suspendReconnects(false);
		await().atMost(EVENTUALLY).until(this.connection::isOpen);
		assertThat(this.connection.sync().ping()).isEqualTo("PONG");
	}

	@Test
	void theHandlerAddedAfterTheHandshakeSeesTheChannelActiveAfterItAndBeforeTheCommandsHeldWhileDisconnected() {
		this.internals.suspendReconnects(true);
		killClients();
		await().atMost(EVENTUALLY).until(() -> !this.connection.isOpen());
		RedisFuture<String> held = this.connection.async().set("held", "1");
		this.internals.suspendReconnects(false);
		assertThat(held.toCompletableFuture()).succeedsWithin(EVENTUALLY);
		assertThat(this.seenAfterHandshake).containsExactly("named, held=null", "named, held=null");
		assertThat(redis.group().master().command("GET", "held")).isEqualTo("1");
	}

	private static void killClients() {
		redis.group().master().command("CLIENT", "KILL", "TYPE", "normal");
	}

	/**
	 * Asks the server, when the channel becomes active, whether the handshake named it
	 * and whether the held SET came.
	 */
	@ChannelHandler.Sharable
	private final class Probe extends ChannelInboundHandlerAdapter {

		private final RedisServerProcess server;

		Probe(RedisServerProcess server) {
			this.server = server;
		}

		@Override
		public void channelActive(ChannelHandlerContext context) throws Exception {
			boolean named = String.valueOf(this.server.command("CLIENT", "LIST")).contains("name=" + CLIENT_NAME);
			LettuceInternalsTest.this.seenAfterHandshake
				.add((named ? "named" : "unnamed") + ", held=" + this.server.command("GET", "held"));
			super.channelActive(context);
		}

	}

}
