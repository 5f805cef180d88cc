package io.redisha.member;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import io.lettuce.core.resource.ClientResources;
import io.redisha.protocol.Action;
import io.redisha.protocol.CommandOutcome;
import io.redisha.protocol.GroupCoordinator;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;
import io.redisha.protocol.RejectedGossipException;
import io.redisha.protocol.Reply;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One group's coordinator on one thread of its own: ticks it every
 * {@value GroupCoordinator#TICK_MILLIS} ms, posts node replies and gossip to it, and has
 * {@link GroupActions} carry out its actions. Every coordinator call and every access to
 * the links happens on that thread; only the snapshot is read from others.
 */
final class GroupLoop {

	private static final Logger logger = LoggerFactory.getLogger(GroupLoop.class);

	private final GroupSettings settings;

	private final MemberIdentity identity;

	private final LongSupplier clock;

	/** Wall-clock milliseconds, for sealing and opening gossip. */
	private final LongSupplier wallClock;

	private final GossipInbox inbox = new GossipInbox();

	private final MemberActivityListener activity;

	private final EndedFailovers endedFailovers;

	private final ScheduledExecutorService executor;

	private final GroupLinks links;

	private final GroupActions groupActions;

	private @Nullable GroupCoordinator coordinator;

	private @Nullable String lastFailure;

	private volatile @Nullable GroupSnapshot snapshot;

	GroupLoop(GroupSettings settings, MemberIdentity identity, ClientResources resources,
			UnaryOperator<NodeAddress> connectVia, LongSupplier clock, LongSupplier wallClock,
			Consumer<ProtocolEvent> events, Consumer<ProtocolEvent> reannouncements, MemberActivityListener activity) {
		this.settings = settings;
		this.identity = identity;
		this.clock = clock;
		this.wallClock = wallClock;
		this.activity = activity;
		this.endedFailovers = new EndedFailovers(settings.config().name(), identity, activity);
		this.links = new GroupLinks(settings, identity, resources, connectVia, this::gossipArrived);
		this.groupActions = new GroupActions(settings, this.links, wallClock, events, reannouncements, activity,
				this::replied);
		String name = "redis-ha-" + settings.config().name();
		this.executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, name);
			thread.setDaemon(true);
			return thread;
		});
	}

	String name() {
		return this.settings.config().name();
	}

	@Nullable GroupSnapshot snapshot() {
		return this.snapshot;
	}

	/** The monitored nodes that do not answer as they should, with the reason. */
	Map<NodeAddress, String> problems() {
		return this.links.problems();
	}

	/**
	 * Publishes on every monitored node whose connection is open, from this loop's
	 * thread; returns at once.
	 */
	void publish(String channel, String payload) {
		try {
			this.executor.execute(() -> this.links.publish(channel, payload));
		}
		catch (RejectedExecutionException ex) {
			// Stopped: nothing is published any more.
		}
	}

	/**
	 * Creates the coordinator (on the caller's thread, so that a configuration it refuses
	 * fails the start) and starts ticking.
	 * @param initialEpoch the wall-clock time in milliseconds: a generation of members
	 * started after every member restarted never reuses the epochs of the previous one
	 */
	// NullAway: the coordinator is read in steps only, and step() skips them while it is
	// null (before start, after stop).
	@SuppressWarnings("NullAway")
	void start(long initialEpoch) {
		long now = this.clock.getAsLong();
		this.coordinator = new GroupCoordinator(this.settings.config(), this.identity, now, new SplittableRandom(),
				initialEpoch);
		this.snapshot = this.coordinator.snapshot(now);
		this.executor.scheduleWithFixedDelay(() -> {
			step(() -> {
				this.inbox.report(this.coordinator);
				return this.coordinator.tick(this.clock.getAsLong());
			});
			try {
				this.links.arrangeSubscriptions();
			}
			catch (RuntimeException ex) {
				logFailure("failed to arrange the subscriptions", ex);
			}
		}, 0, GroupCoordinator.TICK_MILLIS, TimeUnit.MILLISECONDS);
	}

	/**
	 * Says goodbye (published and acknowledged, or given up after the command timeout),
	 * stops the thread and closes every link.
	 */
	void stop() {
		Duration timeout = this.settings.commandTimeout();
		try {
			CompletableFuture<CompletableFuture<Void>> goodbye = new CompletableFuture<>();
			this.executor.execute(() -> goodbye.complete(sayGoodbye()));
			goodbye.thenCompose((published) -> published).get(2 * timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (Exception ex) {
			logger.warn("Group {}: goodbye not confirmed by every node: {}", name(), ex.toString());
		}
		this.executor.shutdownNow();
		this.endedFailovers.memberStopped();
		try {
			if (!this.executor.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
				logger.warn("Group {}: thread did not stop in time", name());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		// The thread is gone: the links are ours now.
		this.links.closeAll();
	}

	// NullAway: the coordinator is read in steps only, and step() skips them while it is
	// null (before start, after stop).
	@SuppressWarnings("NullAway")
	private CompletableFuture<Void> sayGoodbye() {
		if (this.coordinator == null) {
			return CompletableFuture.completedFuture(null);
		}
		List<CompletableFuture<Void>> published = new ArrayList<>();
		step(() -> {
			List<Action> others = new ArrayList<>();
			for (Action action : this.coordinator.stop(this.clock.getAsLong())) {
				CompletableFuture<Void> awaited = this.groupActions.carryOutAwaited(action);
				if (awaited != null) {
					published.add(awaited);
				}
				else {
					others.add(action);
				}
			}
			return others;
		});
		// Stopped: later ticks, replies and gossip find no coordinator and do nothing.
		this.coordinator = null;
		return CompletableFuture.allOf(published.toArray(CompletableFuture[]::new));
	}

	/**
	 * Runs one coordinator step on this thread and carries out its actions; never throws.
	 */
	private void step(Supplier<List<Action>> input) {
		if (this.coordinator == null) {
			return;
		}
		List<Action> actions;
		try {
			actions = input.get();
		}
		catch (RuntimeException ex) {
			logFailure("the coordinator failed; the member keeps running", ex);
			actions = List.of();
		}
		for (Action action : actions) {
			try {
				this.groupActions.carryOut(action);
			}
			catch (RuntimeException ex) {
				logFailure("failed to carry out " + action, ex);
			}
		}
		try {
			this.snapshot = this.coordinator.snapshot(this.clock.getAsLong());
			this.endedFailovers.report(this.snapshot);
		}
		catch (RuntimeException ex) {
			logFailure("the coordinator failed to take a snapshot", ex);
		}
	}

	/**
	 * Runs an operator command on this loop's thread, carries out its actions and waits
	 * for its outcome.
	 * @return the outcome, and for a started failover or switchover a future of its
	 * record that completes when it ends
	 * @throws IllegalStateException when the group is stopped, or its thread did not
	 * answer within the timeout
	 */
	RedisHaMember.CommandResult command(Command command, Duration timeout) {
		try {
			return submit(command).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while waiting for group " + name(), ex);
		}
		catch (ExecutionException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			throw new IllegalStateException("group " + name() + ": " + cause.getMessage(), ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException("group " + name() + " did not answer within " + timeout.toMillis() + " ms");
		}
	}

	/** Posts {@code command} to this loop's thread, to run in a step of its own. */
	// NullAway: the coordinator is read in steps only, and step() skips them while it is
	// null (before start, after stop).
	@SuppressWarnings("NullAway")
	private CompletableFuture<RedisHaMember.CommandResult> submit(Command command) {
		CompletableFuture<RedisHaMember.CommandResult> result = new CompletableFuture<>();
		try {
			this.executor.execute(() -> {
				if (this.coordinator == null) {
					result.completeExceptionally(new IllegalStateException("group " + name() + " is stopped"));
					return;
				}
				RedisHaMember.CommandResult[] done = new RedisHaMember.CommandResult[1];
				step(() -> {
					try {
						CommandOutcome outcome = command.apply(this.coordinator, this.clock.getAsLong());
						@Nullable CompletableFuture<FailoverSnapshot> finished = null;
						if (outcome.status() == CommandOutcome.Status.STARTED) {
							finished = this.endedFailovers.await(outcome.epoch());
						}
						done[0] = new RedisHaMember.CommandResult(outcome, finished);
						return outcome.actions();
					}
					catch (RuntimeException ex) {
						result.completeExceptionally(ex);
						throw ex;
					}
				});
				// Answered only now that the snapshot shows the command's effect.
				if (done[0] != null) {
					result.complete(done[0]);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			result.completeExceptionally(new IllegalStateException("group " + name() + " is stopped"));
		}
		return result;
	}

	/**
	 * Logs a failure with its stack trace once, and its repetitions (every 100 ms
	 * tick...) at debug level.
	 */
	private void logFailure(String what, RuntimeException ex) {
		String failure = what + ": " + ex;
		if (failure.equals(this.lastFailure)) {
			logger.debug("Group {}: {} (again)", name(), failure);
		}
		else {
			logger.error("Group {}: {}", name(), what, ex);
			this.lastFailure = failure;
		}
	}

	private void post(Supplier<List<Action>> input) {
		try {
			this.executor.execute(() -> step(input));
		}
		catch (RejectedExecutionException ex) {
			// Stopped: late replies and gossip are dropped.
		}
	}

	/**
	 * Hands a received gossip payload to the coordinator once its seal is verified;
	 * counts it otherwise.
	 */
	// NullAway: the coordinator is read in steps only, and step() skips them while it is
	// null (before start, after stop).
	@SuppressWarnings("NullAway")
	private List<Action> receive(NodeAddress via, String payload) {
		String message;
		try {
			message = this.settings.gossipSeal().open(payload, this.wallClock.getAsLong());
		}
		catch (RejectedGossipException ex) {
			this.coordinator.rejected(ex.reason(), 1, ex.getMessage() + " (received via " + via + ")");
			return List.of();
		}
		return this.coordinator.onGossip(this.clock.getAsLong(), via, message);
	}

	/**
	 * Posts a node's reply to the coordinator: it comes on a Lettuce thread, or at once
	 * from a step when the node is not monitored.
	 */
	// NullAway: the coordinator is read in steps only, and step() skips them while it is
	// null (before start, after stop).
	@SuppressWarnings("NullAway")
	private void replied(Action.NodeCommand command, Reply reply) {
		post(() -> this.coordinator.onReply(this.clock.getAsLong(), command, reply));
	}

	/**
	 * Posts a gossip payload received from {@code node} (on a Lettuce thread) to the
	 * coordinator, unless the inbox refuses it (too long, or too many waiting).
	 */
	private void gossipArrived(NodeAddress node, String payload) {
		this.activity.gossipReceived(name());
		if (this.inbox.admit(payload)) {
			post(() -> {
				this.inbox.taken();
				return receive(node, payload);
			});
		}
	}

	/** An operator command on the group's coordinator, run on the group's thread. */
	@FunctionalInterface
	interface Command {

		CommandOutcome apply(GroupCoordinator coordinator, long now);

	}

}
