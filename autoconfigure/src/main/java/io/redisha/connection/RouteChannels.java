package io.redisha.connection;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import io.lettuce.core.protocol.RedisCommand;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live Netty channels of one group's application connections, and the fences on them:
 * a channel is admitted only towards an address its {@link MasterRoute}'s current target
 * allows, is stamped with that target, and is cut (its commands in flight failed, so that
 * Lettuce does not replay them) once the target no longer allows it. Commands written to
 * a channel of an older target that the current one does not allow fail before they reach
 * the socket.
 */
final class RouteChannels {

	private static final Logger logger = LoggerFactory.getLogger(RouteChannels.class);

	private static final String HANDLER_NAME = "redis-ha-fence";

	private static final String WRITE_FENCE_NAME = "redis-ha-write-fence";

	private static final String ROUTE_FENCE_NAME = "redis-ha-route-fence";

	/** The target a channel was admitted under; set when it becomes active. */
	private static final AttributeKey<RouteTarget> ADMITTED = AttributeKey.valueOf("redis-ha-admitted");

	private final String group;

	/** The route's current target: one volatile read. */
	private final Supplier<RouteTarget> target;

	/** With read routing, the replicas the application may read from; null without. */
	private final @Nullable ReadableReplicas readable;

	private final RouteRefusals refusals;

	private final HeldConnections heldConnections;

	private final Set<Channel> channels = ConcurrentHashMap.newKeySet();

	private final ChannelHandler fence = new Fence();

	private final ChannelHandler writeFence;

	private final ChannelHandler routeFence = new RouteFence();

	RouteChannels(String group, Supplier<RouteTarget> target, @Nullable ReadableReplicas readable,
			RouteRefusals refusals, HeldConnections heldConnections, ChannelHandler writeFence) {
		this.group = group;
		this.target = target;
		this.readable = readable;
		this.refusals = refusals;
		this.heldConnections = heldConnections;
		this.writeFence = writeFence;
	}

	/** Puts the fences on a new channel of this group. */
	void register(Channel channel) {
		channel.pipeline().addFirst(HANDLER_NAME, this.fence);
		// Outbound, last sees a command first: before Lettuce's handler waits for its
		// reply.
		channel.pipeline().addLast(WRITE_FENCE_NAME, this.writeFence);
		channel.pipeline().addLast(ROUTE_FENCE_NAME, this.routeFence);
		this.heldConnections.register(channel);
	}

	/**
	 * Cuts, each on its event loop, every live channel the current target does not allow.
	 * @param failure the failure of the commands in flight on a cut channel
	 */
	void cutDisallowed(Function<Channel, RuntimeException> failure) {
		this.channels.forEach((channel) -> channel.eventLoop().execute(() -> {
			if (channel.isActive() && !isAllowed(channel, this.target.get())) {
				cut(channel, () -> failure.apply(channel));
			}
		}));
	}

	private boolean isAllowed(Channel channel, RouteTarget current) {
		SocketAddress remote = channel.remoteAddress();
		if (remote == null) {
			return false;
		}
		return current.allowed().contains(remote) || isCurrentReplica(remote, current);
	}

	/**
	 * Whether the address is a node read routing may read from now (never the old master:
	 * it answers master).
	 */
	private boolean isCurrentReplica(SocketAddress remote, RouteTarget current) {
		ReadableReplicas replicas = this.readable;
		return replicas != null && current.usable() && remote instanceof InetSocketAddress address
				&& replicas.includes(address);
	}

	/**
	 * Fails the commands in flight on the channel, so that Lettuce does not replay them
	 * after reconnecting, then closes it. Runs on the channel's event loop: no command is
	 * written in between.
	 */
	private static void cut(Channel channel, Supplier<RuntimeException> failure) {
		failInFlight(channel, failure);
		channel.close();
	}

	/**
	 * Completes the commands written to the channel and not yet answered with the
	 * failure; on the channel's event loop.
	 */
	private static void failInFlight(Channel channel, Supplier<RuntimeException> failure) {
		for (RedisCommand<?, ?, ?> command : LettuceInternals.drainInFlight(channel)) {
			command.completeExceptionally(failure.get());
		}
	}

	/**
	 * Why a command Lettuce writes to the channel must not be sent; null when it may. On
	 * the channel's event loop, before each command reaches the socket: one volatile read
	 * and two channel attributes while nothing changed.
	 */
	private @Nullable RuntimeException refusal(Channel channel) {
		RouteTarget admitted = channel.attr(ADMITTED).get();
		// First: a held connection's first command decides its channel, even when it is
		// refused below.
		RouteTarget left = (admitted != null) ? HeldConnections.movedFrom(channel, admitted) : null;
		if (left != null) {
			return this.refusals.heldConnectionMoved(left, admitted);
		}
		RouteTarget current = this.target.get();
		if (admitted != null && admitted.generation() != current.generation()) {
			if (!isAllowed(channel, current)) {
				// The switch is known and the cut still queued on this event loop: not
				// one more byte.
				return this.refusals.notSent(RouteRefusals.masterOf(admitted), current);
			}
			channel.attr(ADMITTED).set(current);
		}
		return null;
	}

	/**
	 * Keeps the set of live channels and refuses channels to any address but the current
	 * master's. First in the pipeline, so it sees a channel become active before
	 * Lettuce's handshake writes anything.
	 */
	@ChannelHandler.Sharable
	private final class Fence extends ChannelInboundHandlerAdapter {

		@Override
		public void channelActive(ChannelHandlerContext context) throws Exception {
			Channel channel = context.channel();
			// Registered before the check: a switch after the check sees the channel and
			// cuts it.
			RouteChannels.this.channels.add(channel);
			RouteTarget current = RouteChannels.this.target.get();
			channel.attr(ADMITTED).set(current);
			if (!isAllowed(channel, current)) {
				logger.debug("redis-ha group '{}': refusing a connection to {}, not the current master {}",
						RouteChannels.this.group, channel.remoteAddress(), current.master());
				RouteChannels.this.channels.remove(channel);
				context.close();
				return;
			}
			super.channelActive(context);
		}

		/**
		 * Lettuce would replay the commands in flight after reconnecting, perhaps to
		 * another master and perhaps twice: they fail instead (at most once). Commands
		 * issued while disconnected were never written and are still sent after the
		 * reconnect.
		 */
		@Override
		public void channelInactive(ChannelHandlerContext context) throws Exception {
			Channel channel = context.channel();
			RouteChannels.this.channels.remove(channel);
			SocketAddress remote = channel.remoteAddress();
			failInFlight(channel, () -> new RedisConnectionLostException(RouteChannels.this.group, remote));
			super.channelInactive(context);
		}

	}

	/**
	 * Refuses the commands {@link #refusal} names a reason for, before they reach the
	 * socket.
	 */
	@ChannelHandler.Sharable
	private final class RouteFence extends CommandFilter {

		@Override
		protected @Nullable RedisCommand<?, ?, ?> admit(Channel channel, RedisCommand<?, ?, ?> command) {
			RuntimeException refusal = refusal(channel);
			if (refusal == null) {
				return command;
			}
			command.completeExceptionally(refusal);
			return null;
		}

	}

}
