package io.redisha.sentinel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.timeout.IdleStateEvent;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of the endpoint: authentication, name, subscriptions, and the
 * commands Sentinel clients send, answered with Sentinel's reply shapes and error texts,
 * in RESP2 or, after {@code HELLO 3}, in RESP3. Runs on the endpoint's one event loop
 * thread, which owns all of its state.
 */
final class SentinelSession extends SimpleChannelInboundHandler<RedisMessage> {

	private static final Logger logger = LoggerFactory.getLogger(SentinelSession.class);

	/**
	 * The Redis version whose Sentinel protocol the endpoint speaks, told in HELLO and
	 * INFO.
	 */
	static final String REDIS_VERSION = "7.2.0";

	/** Commands a client may pipeline behind a SENTINEL FAILOVER still under way. */
	private static final int MAX_QUEUED = 64;

	private static final String NOAUTH = "NOAUTH Authentication required.";

	private static final String PUBSUB_CONTEXT = "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET"
			+ " are allowed in this context";

	private final SentinelEndpointSettings settings;

	private final SentinelAnswers answers;

	private final EventChannels events;

	/** Null when the settings do not allow SENTINEL FAILOVER. */
	private final @Nullable FailoverRequests failovers;

	/** Writes this connection's replies in its protocol, which it keeps. */
	private final Resp3Encoder replies;

	private final Subscriptions subscriptions = new Subscriptions();

	/**
	 * Commands received while a SENTINEL FAILOVER waits for its reply: replies keep the
	 * order of requests.
	 */
	private final Deque<List<String>> queued = new ArrayDeque<>();

	/** Set by channelActive, before any message arrives: not by the constructor. */
	@SuppressWarnings("NullAway.Init")
	private ChannelHandlerContext context;

	/** Who the client is and the protocol it speaks: AUTH, HELLO and CLIENT. */
	private final ClientHandshake handshake;

	private boolean awaitingReply;

	SentinelSession(SentinelEndpointSettings settings, SentinelAnswers answers, EventChannels events,
			@Nullable FailoverRequests failovers, long id, Resp3Encoder replies) {
		this.settings = settings;
		this.answers = answers;
		this.events = events;
		this.failovers = failovers;
		this.replies = replies;
		this.handshake = new ClientHandshake(settings, id, replies);
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) throws Exception {
		this.context = ctx;
		super.channelActive(ctx);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		this.events.unsubscribe(this);
		super.channelInactive(ctx);
	}

	@Override
	protected void channelRead0(ChannelHandlerContext ctx, RedisMessage message) {
		List<String> argv = arguments(message);
		if (argv == null) {
			closeWithError("ERR Protocol error: expected an array of bulk strings");
			return;
		}
		if (argv.isEmpty()) {
			return;
		}
		if (this.awaitingReply) {
			if (this.queued.size() >= MAX_QUEUED) {
				closeWithError("ERR too many commands pipelined behind SENTINEL FAILOVER");
				return;
			}
			this.queued.add(argv);
			return;
		}
		run(argv);
		ctx.flush();
	}

	/**
	 * Stops reading from a client that does not read its replies, so that they cannot
	 * pile up.
	 */
	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
		ctx.channel().config().setAutoRead(ctx.channel().isWritable());
		super.channelWritabilityChanged(ctx);
	}

	/**
	 * A silent connection is closed, unless it waits for events: subscribers are exempt,
	 * as in Redis.
	 */
	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
		if (event instanceof IdleStateEvent && !subscribed()) {
			ctx.close();
			return;
		}
		super.userEventTriggered(ctx, event);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (cause instanceof DecoderException) {
			closeWithError("ERR Protocol error: " + cause.getMessage());
		}
		else {
			logger.debug("Sentinel endpoint connection {} failed", ctx.channel(), cause);
			ctx.close();
		}
	}

	/**
	 * Sends one event to this connection if it subscribed to it; called on the event
	 * loop.
	 */
	void deliver(String channel, String payload) {
		if (!this.context.channel().isWritable()) {
			// It does not read what it is sent: cut, as Redis's
			// client-output-buffer-limit for pubsub does.
			this.context.close();
			return;
		}
		List<RedisMessage> messages = this.subscriptions.messages(channel, payload);
		if (!messages.isEmpty()) {
			messages.forEach(this.context::write);
			this.context.flush();
		}
	}

	private void run(List<String> argv) {
		String command = argv.get(0).toLowerCase(Locale.ROOT);
		SentinelCommand spec = SentinelCommand.find(command);
		if (spec == null) {
			reply(Resp.error(unknownCommand(argv)));
			return;
		}
		String problem = spec.check(argv);
		if (problem != null) {
			reply(Resp.error(problem));
		}
		else if (!this.handshake.authenticated() && !spec.beforeAuth()) {
			reply(Resp.error(NOAUTH));
		}
		else if (subscribed() && !this.replies.resp3() && !spec.whileSubscribed()) {
			// Only RESP2 limits a subscribed connection: in RESP3 events come as pushes.
			reply(Resp.error("ERR Can't execute '" + SentinelCommand.fullName(argv) + PUBSUB_CONTEXT));
		}
		else {
			execute(spec, argv);
		}
	}

	private void execute(SentinelCommand command, List<String> argv) {
		switch (command) {
			case PING -> reply(ping(argv));
			case AUTH -> reply(this.handshake.auth(argv));
			case HELLO -> reply(this.handshake.hello(argv));
			case QUIT -> this.context.writeAndFlush(Resp.OK).addListener((future) -> this.context.close());
			case CLIENT -> reply(this.handshake.client(argv));
			case SENTINEL -> sentinel(argv);
			case ROLE -> reply(this.answers.role());
			case INFO -> reply(Resp.bulk(info(argv)));
			case SUBSCRIBE -> subscribe(argv, false);
			case PSUBSCRIBE -> subscribe(argv, true);
			case UNSUBSCRIBE -> unsubscribe(argv, false);
			case PUNSUBSCRIBE -> unsubscribe(argv, true);
		}
	}

	private RedisMessage ping(List<String> argv) {
		if (subscribed() && !this.replies.resp3()) {
			return Resp.array(Resp.bulk("pong"), Resp.bulk((argv.size() > 1) ? argv.get(1) : ""));
		}
		return (argv.size() > 1) ? Resp.bulk(argv.get(1)) : Resp.simple("PONG");
	}

	private void sentinel(List<String> argv) {
		String subcommand = argv.get(1).toLowerCase(Locale.ROOT);
		switch (subcommand) {
			case "get-master-addr-by-name" -> reply(this.answers.masterAddress(argv.get(2)));
			case "masters" -> reply(this.answers.masters());
			case "master" -> reply(this.answers.master(argv.get(2)));
			case "replicas", "slaves" -> reply(this.answers.replicas(argv.get(2)));
			case "sentinels" -> reply(this.answers.sentinels(argv.get(2)));
			case "ckquorum" -> reply(this.answers.checkQuorum(argv.get(2)));
			case "myid" -> reply(Resp.bulk(this.answers.myId()));
			case "failover" -> failover(argv.get(2));
			case "help" -> reply(Resp.array(SentinelCommand.sentinelHelp().stream().map(Resp::simple).toList()));
			default -> throw new IllegalStateException("unchecked SENTINEL subcommand " + subcommand);
		}
	}

	private void failover(String group) {
		if (this.failovers == null) {
			reply(Resp.error("NOPERM User " + this.settings.user()
					+ " has no permissions to run the 'sentinel|failover' command"));
			return;
		}
		if (!this.answers.knowsMaster(group)) {
			reply(Resp.error(SentinelAnswers.NO_SUCH_MASTER));
			return;
		}
		this.awaitingReply = true;
		this.failovers.request(group).thenAccept((reply) -> this.context.executor().execute(() -> {
			this.context.write(reply);
			this.awaitingReply = false;
			while (!this.awaitingReply && !this.queued.isEmpty() && this.context.channel().isActive()) {
				run(this.queued.poll());
			}
			this.context.flush();
		}));
	}

	private String info(List<String> argv) {
		Set<String> sections = new LinkedHashSet<>();
		for (String section : argv.subList(1, argv.size())) {
			sections.add(section.toLowerCase(Locale.ROOT));
		}
		boolean all = sections.isEmpty() || sections.contains("default") || sections.contains("all")
				|| sections.contains("everything");
		List<String> parts = new ArrayList<>();
		if (all || sections.contains("server")) {
			parts.add("# Server\r\nredis_version:" + REDIS_VERSION + "\r\nredis_mode:sentinel\r\nrun_id:"
					+ this.answers.myId() + "\r\ntcp_port:" + this.settings.port() + "\r\n");
		}
		if (all || sections.contains("sentinel")) {
			parts.add(this.answers.infoSection());
		}
		return String.join("\r\n", parts);
	}

	private void subscribe(List<String> argv, boolean pattern) {
		for (String target : argv.subList(1, argv.size())) {
			if (!this.subscriptions.add(target, pattern)) {
				reply(Resp.error("ERR at most " + Subscriptions.MAX + " channels and patterns per connection"));
				return;
			}
			this.events.subscribe(this);
			reply(Resp.push(Resp.bulk(pattern ? "psubscribe" : "subscribe"), Resp.bulk(target),
					Resp.integer(this.subscriptions.count())));
		}
	}

	private void unsubscribe(List<String> argv, boolean pattern) {
		String kind = pattern ? "punsubscribe" : "unsubscribe";
		List<String> targets = (argv.size() > 1) ? argv.subList(1, argv.size()) : this.subscriptions.targets(pattern);
		if (targets.isEmpty()) {
			reply(Resp.push(Resp.bulk(kind), Resp.NULL_BULK, Resp.integer(this.subscriptions.count())));
		}
		for (String target : targets) {
			this.subscriptions.remove(target, pattern);
			reply(Resp.push(Resp.bulk(kind), Resp.bulk(target), Resp.integer(this.subscriptions.count())));
		}
		if (!subscribed()) {
			this.events.unsubscribe(this);
		}
	}

	private boolean subscribed() {
		return this.subscriptions.count() > 0;
	}

	private void reply(RedisMessage reply) {
		this.context.write(reply);
	}

	private void closeWithError(String error) {
		this.context.writeAndFlush(Resp.error(error)).addListener((future) -> this.context.close());
	}

	private static String unknownCommand(List<String> argv) {
		StringBuilder args = new StringBuilder();
		for (int i = 1; i < argv.size() && args.length() < 128; i++) {
			String arg = argv.get(i);
			args.append('\'').append(arg, 0, Math.min(arg.length(), 128 - args.length())).append("' ");
		}
		String command = argv.get(0);
		return "ERR unknown command '" + command.substring(0, Math.min(command.length(), 128))
				+ "', with args beginning with: " + args;
	}

	/**
	 * A command's arguments, or null when the message is not an array of bulk strings.
	 */
	private static @Nullable List<String> arguments(RedisMessage message) {
		if (!(message instanceof ArrayRedisMessage array) || array.isNull()) {
			return null;
		}
		List<String> argv = new ArrayList<>(array.children().size());
		for (RedisMessage child : array.children()) {
			if (!(child instanceof FullBulkStringRedisMessage bulk) || bulk.isNull()) {
				return null;
			}
			argv.add(bulk.content().toString(StandardCharsets.UTF_8));
		}
		return argv;
	}

}
