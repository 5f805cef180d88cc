package io.redisha.connection;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import io.lettuce.core.RedisConnectionException;
import io.netty.channel.Channel;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionProvider;

/**
 * Where the application's connections to one group go: the group's current master as the
 * {@link RedisHaMember member} knows it. Follows the member's events
 * ({@code +switch-master}, {@code +odown}, {@code -odown}) on the member's group thread
 * and never blocks it.
 * <p>
 * Fencing ({@link RouteChannels}): every Netty channel of the group's connections is
 * registered when it becomes active and is allowed only if it is connected to an address
 * resolved for the current master. When the master switches, every channel to another
 * address is cut on its event loop: the commands in flight on it fail at once with a
 * {@link RedisMasterSwitchedException} (they are not replayed, as Lettuce would otherwise
 * do after reconnecting), then the channel is closed and Lettuce reconnects, asking
 * {@link #resolve()} again, which answers the new master. A channel that becomes active
 * towards an old address after the switch is closed before Lettuce writes anything on it.
 * Each channel is stamped with the target it was admitted under: until the cut has run,
 * the commands Lettuce writes to a channel of an older target that the current one does
 * not allow fail before they reach the socket, with a
 * {@link RedisMasterSwitchedException} (or a {@link RedisMasterUnavailableException}
 * while the master is objectively down) saying that they were not sent. So once the
 * member knows of the switch, nothing from this application reaches the old master again,
 * even when it comes back still answering as a master.
 * <p>
 * A connection Spring Data holds for a transaction, a {@code WATCH}, a pipeline or a
 * blocking command ({@link HeldConnections}) is not carried over to another channel: once
 * cut, its later commands fail until it is released, so that a transaction never runs
 * half on one connection and half on another (perhaps on another master, outside the
 * transaction).
 * <p>
 * While the master is objectively down ({@code +odown}: a failover is expected) its
 * channels are cut the same way, no connection is opened and new connections wait for at
 * most the failover wait ({@link #awaitMaster()}): a write it accepted now would be lost.
 * <p>
 * While the member does not admit writes (the partition fence, see
 * {@link io.redisha.protocol.PartitionMode}), every channel refuses the commands that may
 * write ({@link WriteFence}): they fail with a {@link RedisHaFencedException} and are
 * never sent.
 */
public final class MasterRoute {

	private static final Logger logger = LoggerFactory.getLogger(MasterRoute.class);

	private final RedisHaMember member;

	private final String group;

	private final Duration failoverWait;

	private final RouteRefusals refusals;

	private final List<Runnable> switchListeners = new CopyOnWriteArrayList<>();

	private final LettuceInternals lettuce = new LettuceInternals();

	private final HeldConnections heldConnections = new HeldConnections();

	private final RouteChannels channels;

	private volatile RouteTarget target = RouteTarget.initial();

	/** With read routing, the replicas the application may read from; null without. */
	private final @Nullable ReadableReplicas readable;

	/**
	 * Completed when the group has a usable master again; replaced each time it loses it.
	 */
	private volatile CompletableFuture<Void> usableAgain = new CompletableFuture<>();

	/**
	 * @param member the member whose picture of the group is followed; the route listens
	 * to its events from now on
	 * @param group the group
	 * @param failoverWait how long a new connection waits for a usable master while the
	 * group has none (no master known yet, or the master objectively down), before it
	 * fails
	 * @param readsFromReplicas whether connections to the group's current replicas are
	 * allowed too (read routing); otherwise only the master is
	 */
	public MasterRoute(RedisHaMember member, String group, Duration failoverWait, boolean readsFromReplicas) {
		this(member, group, failoverWait, readsFromReplicas, member::addRoutingListener);
	}

	/**
	 * @param events where the route subscribes to the events it follows: the member's, or
	 * a test's that decides when the master switches
	 */
	MasterRoute(RedisHaMember member, String group, Duration failoverWait, boolean readsFromReplicas,
			Consumer<Consumer<ProtocolEvent>> events) {
		this.member = member;
		this.group = group;
		this.failoverWait = failoverWait;
		this.refusals = new RouteRefusals(group, failoverWait);
		this.readable = readsFromReplicas ? new ReadableReplicas(member, group) : null;
		this.channels = new RouteChannels(group, () -> this.target, this.readable, this.refusals, this.heldConnections,
				new WriteFence(member, group));
		events.accept(this::onEvent);
		GroupSnapshot snapshot = member.snapshot(group);
		GroupSnapshot.NodeSnapshot known = (snapshot != null) ? snapshot.master() : null;
		if (snapshot != null && known != null) {
			// The member was already running: start from its picture unless an event came
			// first.
			update((current) -> (current.generation() == 0)
					? current.next(known.address(), snapshot.configEpoch(), false) : current);
		}
	}

	/** The group this route follows. */
	public String group() {
		return this.group;
	}

	/** The master new connections go to; null while none is known. */
	public @Nullable NodeAddress master() {
		return this.target.master();
	}

	/**
	 * Whether new connections wait, because the group has no master or its master is
	 * objectively down.
	 */
	public boolean isWaitingForMaster() {
		return !this.target.usable();
	}

	/**
	 * Returns at once when the group has a usable master; otherwise waits for one for at
	 * most the failover wait.
	 * @throws RedisMasterUnavailableException when there is still none after that time
	 */
	public void awaitMaster() {
		long deadline = System.nanoTime() + this.failoverWait.toNanos();
		while (true) {
			// Read the future before the target: a master lost in between replaces it
			// first.
			CompletableFuture<Void> again = this.usableAgain;
			if (this.target.usable()) {
				return;
			}
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				throw this.refusals.unavailable(this.target, this.refusals.waited());
			}
			try {
				again.get(left, TimeUnit.NANOSECONDS);
			}
			catch (TimeoutException ex) {
				throw this.refusals.unavailable(this.target, this.refusals.waited());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw this.refusals.unavailable(this.target, this.refusals.waited());
			}
			catch (ExecutionException ex) {
				throw new IllegalStateException("never completed exceptionally", ex);
			}
		}
	}

	/**
	 * The address of the current master, for Lettuce's connect and reconnect: reached the
	 * way the member reaches it ({@link RedisHaMember#connectAddress}).
	 * @throws RedisConnectionException while the group has no usable master (Lettuce
	 * tries again)
	 */
	SocketAddress resolve() {
		RouteTarget current = this.target;
		NodeAddress master = current.master();
		if (master == null || !current.usable()) {
			// Also while the master is objectively down: a write it accepted now would be
			// lost in the failover.
			throw new RedisConnectionException(
					this.refusals.unavailable(current, "not connecting until there is one").getMessage());
		}
		NodeAddress via = this.member.connectAddress(master);
		InetSocketAddress address;
		try {
			address = new InetSocketAddress(InetAddress.getByName(via.host()), via.port());
		}
		catch (UnknownHostException ex) {
			throw new RedisConnectionException("redis-ha group '" + this.group + "': cannot resolve master " + via, ex);
		}
		current.allowed().add(address);
		return address;
	}

	/**
	 * Runs the action, on the member's group thread (it must not block), each time the
	 * master switches, after the connections to the old master were cut.
	 */
	void onSwitch(Runnable action) {
		this.switchListeners.add(action);
	}

	/**
	 * Spring Data's provider of dedicated connections, made to hold each connection it
	 * gives out (but pub/sub ones) on one channel until it is released.
	 */
	LettuceConnectionProvider holding(LettuceConnectionProvider provider) {
		return this.heldConnections.holding(provider);
	}

	/**
	 * Makes the channel subject to fencing; called by Lettuce for each new channel of
	 * this group.
	 */
	void register(Channel channel) {
		this.channels.register(channel);
		this.lettuce.register(channel, !this.target.usable());
	}

	private void onEvent(ProtocolEvent event) {
		if (!this.group.equals(event.group())) {
			return;
		}
		switch (event.type()) {
			case SWITCH_MASTER -> switchTo(event);
			case ODOWN -> change((current) -> current.waiting(true),
					(old) -> new RedisMasterUnavailableException("redis-ha group '" + this.group + "': the master "
							+ old + " is objectively down; this command was in flight on it and was not retried"));
			case ODOWN_CLEARED -> change((current) -> current.waiting(false), null);
			default -> {
			}
		}
	}

	private void switchTo(ProtocolEvent event) {
		NodeAddress master = event.master();
		if (master != null) {
			change((current) -> current.next(master, event.epoch(), false),
					(old) -> new RedisMasterSwitchedException(this.group, old, master, event.epoch()));
		}
	}

	/**
	 * Moves to a new target, cuts every channel the new target does not allow and lets
	 * Lettuce reconnect only when the new target is usable.
	 * @param failure the failure of commands in flight on a cut channel, from the old
	 * master's address; null when no channel is to be cut
	 */
	private void change(UnaryOperator<RouteTarget> step, @Nullable Function<NodeAddress, RuntimeException> failure) {
		RouteTarget previous = update(step);
		if (previous == null) {
			return;
		}
		RouteTarget current = this.target;
		NodeAddress old = previous.master();
		if (old != null && failure != null) {
			this.channels.cutDisallowed((channel) -> failure.apply(old));
		}
		suspendReconnectsUnless(current.usable());
		if (old != null && !old.equals(current.master())) {
			logger.info("redis-ha group '{}': application connections move from {} to {} (epoch {})", this.group, old,
					current.master(), current.epoch());
			this.switchListeners.forEach(Runnable::run);
		}
	}

	/**
	 * While the group has no usable master, Lettuce does not try to reconnect: it would
	 * only be refused by {@link #resolve()} (and then fall back to the cached old
	 * address, which the fence refuses again), logging a warning each time. Once there is
	 * one again, every disconnected connection reconnects at once.
	 */
	private void suspendReconnectsUnless(boolean usable) {
		this.lettuce.suspendReconnects(!usable);
	}

	/**
	 * Called on the member's group thread (and once at construction): never blocks for
	 * long.
	 * @return the previous target, or null when nothing changed
	 */
	private synchronized @Nullable RouteTarget update(UnaryOperator<RouteTarget> step) {
		RouteTarget previous = this.target;
		RouteTarget next = step.apply(previous);
		if (next == previous) {
			return null;
		}
		if (previous.usable() && !next.usable()) {
			this.usableAgain = new CompletableFuture<>();
		}
		this.target = next;
		if (next.usable()) {
			this.usableAgain.complete(null);
		}
		return previous;
	}

	/**
	 * With read routing, the replicas change without a switch too (a replica repointed to
	 * the new master after a failover, one gone down): cuts the connections to nodes no
	 * longer read from and says whether the replicas changed since the last call, so that
	 * the factory discovers them again from the master.
	 */
	boolean replicasChanged() {
		ReadableReplicas replicas = this.readable;
		if (replicas == null || !replicas.changed()) {
			return false;
		}
		this.channels.cutDisallowed((channel) -> new RedisConnectionLostException(this.group, channel.remoteAddress()));
		return true;
	}

	@Override
	public String toString() {
		return "MasterRoute[group=" + this.group + ", master=" + master() + ", waiting=" + isWaitingForMaster() + "]";
	}

}
