package io.redisha.sentinel;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisBulkStringAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.redisha.member.RedisHaMember;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * The Sentinel-protocol endpoint: a RESP2 and RESP3 server (Netty's Redis codec, and
 * {@link Resp3Encoder} for RESP3's maps, pushes and null) on one event loop thread of its
 * own, answering from the member's snapshots and forwarding its events. It never calls
 * into the member's loops, except for an allowed {@code SENTINEL FAILOVER}, which runs on
 * a thread of its own. Bounded: a connection limit, an idle timeout, small requests, and
 * subscribers that do not read are cut.
 */
public final class SentinelServer implements SmartLifecycle {

	/**
	 * After the member has started (its phase is {@code DEFAULT_PHASE - 4096}), stopped
	 * before it.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4000;

	private static final Logger logger = LoggerFactory.getLogger(SentinelServer.class);

	/**
	 * Above the high mark of unsent replies a connection is not writable: a subscriber is
	 * then cut, and a client's requests are not read until its replies drain below the
	 * low mark.
	 */
	private static final WriteBufferWaterMark WRITE_BUFFER = new WriteBufferWaterMark(32 * 1024, 256 * 1024);

	private final RedisHaMember member;

	private final SentinelEndpointSettings settings;

	/** Null for plain text. */
	private final @Nullable Tls tls;

	private final AtomicLong connectionIds = new AtomicLong();

	private final EventChannels events = new EventChannels();

	private @Nullable EventLoopGroup loop;

	private @Nullable FailoverRequests failovers;

	private @Nullable Channel server;

	/** A plain-text endpoint. */
	public SentinelServer(RedisHaMember member, SentinelEndpointSettings settings) {
		this(member, settings, null);
	}

	/**
	 * An endpoint that speaks TLS only when {@code tls} is given.
	 * @param tls the endpoint's key, certificate and TLS options; null for plain text
	 */
	public SentinelServer(RedisHaMember member, SentinelEndpointSettings settings, @Nullable Tls tls) {
		this.member = member;
		this.settings = settings;
		this.tls = tls;
		member.addEventListener(this.events);
	}

	/**
	 * The server side of TLS.
	 *
	 * @param context holds the endpoint's key and certificate (and whom it trusts)
	 * @param protocols the protocols to enable; null for the context's defaults
	 * @param ciphers the cipher suites to enable; null for the context's defaults
	 */
	public record Tls(SSLContext context, String @Nullable [] protocols, String @Nullable [] ciphers) {

		SslHandler handler() {
			SSLEngine engine = this.context.createSSLEngine();
			engine.setUseClientMode(false);
			if (this.protocols != null) {
				engine.setEnabledProtocols(this.protocols);
			}
			if (this.ciphers != null) {
				engine.setEnabledCipherSuites(this.ciphers);
			}
			return new SslHandler(engine);
		}

	}

	/**
	 * Listens on the configured address.
	 * @throws IllegalStateException naming the address and the properties when it cannot
	 * listen
	 */
	@Override
	public synchronized void start() {
		if (this.server != null) {
			return;
		}
		this.loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("redis-ha-sentinel", true),
				NioIoHandler.newFactory());
		this.failovers = this.settings.allowFailover() ? new FailoverRequests(this.member) : null;
		EventChannels events = this.events;
		events.attach(this.loop.next());
		SentinelAnswers answers = new SentinelAnswers(this.member);
		ConnectionLimit limit = new ConnectionLimit(this.settings.maxConnections());
		ServerBootstrap bootstrap = new ServerBootstrap().group(this.loop)
			.channel(NioServerSocketChannel.class)
			.childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WRITE_BUFFER)
			.childHandler(new ChannelInitializer<SocketChannel>() {

				@Override
				protected void initChannel(SocketChannel channel) {
					if (SentinelServer.this.tls != null) {
						channel.pipeline().addLast(SentinelServer.this.tls.handler());
					}
					Resp3Encoder replies = new Resp3Encoder();
					channel.pipeline()
						.addLast(limit)
						.addLast(new RedisDecoder())
						.addLast(new RequestLimits())
						.addLast(new RedisBulkStringAggregator())
						.addLast(new RedisArrayAggregator(RequestLimits.MAX_ARGUMENTS, 1))
						.addLast(new RedisEncoder())
						.addLast(replies)
						.addLast(new IdleStateHandler(0, 0, SentinelServer.this.settings.idleTimeout().toMillis(),
								TimeUnit.MILLISECONDS))
						.addLast(new SentinelSession(SentinelServer.this.settings, answers, events,
								SentinelServer.this.failovers, SentinelServer.this.connectionIds.incrementAndGet(),
								replies));
				}

			});
		try {
			this.server = bootstrap.bind(this.settings.bind(), this.settings.port()).syncUninterruptibly().channel();
		}
		catch (Exception ex) {
			// Netty rethrows the bind's checked exception (BindException) undeclared.
			stop();
			throw new IllegalStateException("The Sentinel endpoint cannot listen on " + this.settings.bind() + ":"
					+ this.settings.port() + " (redis-ha.sentinel.bind, redis-ha.sentinel.port): " + ex.getMessage(),
					ex);
		}
		logger.info("redis-ha Sentinel endpoint listening on {} ({}, {})", this.server.localAddress(),
				(this.tls != null) ? "TLS" : "plain text",
				(this.settings.password() != null) ? "password required" : "no password");
	}

	/** Closes every connection and stops listening. Idempotent. */
	@Override
	public synchronized void stop() {
		if (this.loop == null) {
			return;
		}
		this.events.detach();
		this.loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
		if (this.failovers != null) {
			this.failovers.close();
		}
		this.loop = null;
		this.server = null;
	}

	@Override
	public synchronized boolean isRunning() {
		return this.server != null;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/** Where it listens; null when it is not running. */
	public synchronized @Nullable InetSocketAddress address() {
		return (this.server != null) ? (InetSocketAddress) this.server.localAddress() : null;
	}

}
