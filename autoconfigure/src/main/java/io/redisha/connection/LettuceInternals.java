package io.redisha.connection;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

import io.lettuce.core.Delegating;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.protocol.CommandHandler;
import io.lettuce.core.protocol.ConnectionWatchdog;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import org.jspecify.annotations.Nullable;

/**
 * Every use of Lettuce's internals by redis-ha, in one place: Lettuce's public API has no
 * way to suspend a connection's reconnects, to fail the commands in flight on a channel
 * instead of replaying them, or to tell which connection a channel belongs to.
 * {@code LettuceInternalsTest} checks each of these against the Lettuce on the class
 * path, so that an upgrade that changes them fails the build instead of the fences.
 * <p>
 * What it relies on: a channel's pipeline holds Lettuce's {@link CommandHandler} (the
 * commands written and not yet answered, and the connection's endpoint) and, with
 * auto-reconnect, its {@link ConnectionWatchdog} (one per connection, across the channels
 * it reconnects on); a connection's {@link RedisChannelWriter}, once unwrapped, is that
 * same endpoint; the handshake is over when the channel-active event reaches the command
 * handler.
 */
final class LettuceInternals {

	/** Lettuce's reconnect logic of every connection registered, one per connection. */
	private final Set<ConnectionWatchdog> watchdogs = Collections
		.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

	/**
	 * Keeps the reconnect logic of the channel's connection, suspended at once if
	 * {@code suspended}.
	 */
	void register(Channel channel, boolean suspended) {
		ConnectionWatchdog watchdog = channel.pipeline().get(ConnectionWatchdog.class);
		if (watchdog != null && this.watchdogs.add(watchdog) && suspended) {
			watchdog.setReconnectSuspended(true);
		}
	}

	/**
	 * Suspends the reconnects of every registered connection that reconnects, or lets
	 * them reconnect again, at once.
	 */
	void suspendReconnects(boolean suspended) {
		List<ConnectionWatchdog> current;
		synchronized (this.watchdogs) {
			current = List.copyOf(this.watchdogs);
		}
		for (ConnectionWatchdog watchdog : current) {
			if (watchdog.isListenOnChannelInactive()) {
				watchdog.setReconnectSuspended(suspended);
				if (!suspended) {
					watchdog.scheduleReconnect();
				}
			}
		}
	}

	/**
	 * Takes the commands written to the channel and not yet answered from Lettuce, which
	 * would otherwise replay them after reconnecting; on the channel's event loop.
	 */
	static Collection<RedisCommand<?, ?, ?>> drainInFlight(Channel channel) {
		CommandHandler handler = channel.pipeline().get(CommandHandler.class);
		return (handler != null) ? handler.drainQueue() : List.of();
	}

	/**
	 * The Lettuce connection the channel carries, as an identity that stays the same
	 * across its reconnects; null for a channel that is not a Lettuce connection's.
	 */
	static @Nullable Object connectionOf(Channel channel) {
		CommandHandler handler = channel.pipeline().get(CommandHandler.class);
		return (handler != null) ? handler.getEndpoint() : null;
	}

	/**
	 * The same identity as {@link #connectionOf(Channel)} gives its channels, of a
	 * connection.
	 */
	static @Nullable Object connectionOf(StatefulConnection<?, ?> connection) {
		if (!(connection instanceof RedisChannelHandler<?, ?> handler)) {
			return null;
		}
		Object writer = handler.getChannelWriter();
		while (writer instanceof Delegating<?> delegating) {
			writer = delegating.getDelegate();
		}
		return writer;
	}

	/**
	 * Adds an inbound handler that sees the channel become active once Lettuce's
	 * handshake is over, before the connection sends the commands it holds.
	 */
	static void addAfterHandshake(Channel channel, String name, ChannelHandler handler) {
		ChannelHandlerContext commandHandler = channel.pipeline().context(CommandHandler.class);
		if (commandHandler != null) {
			channel.pipeline().addBefore(commandHandler.name(), name, handler);
		}
	}

}
