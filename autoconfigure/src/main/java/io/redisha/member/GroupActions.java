package io.redisha.member;

import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.redisha.protocol.Action;
import io.redisha.protocol.GroupCoordinator;
import io.redisha.protocol.ProtocolEvent;
import io.redisha.protocol.Reply;
import io.redisha.redis.NodeLink;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a group coordinator's actions, on its {@link GroupLoop}'s thread: node
 * commands go over the group's links, and their replies back to the loop to be posted to
 * the coordinator; gossip and announcements are sealed with the group's secret and
 * published; events and reannouncements go to the member's listeners.
 */
final class GroupActions {

	// Under the loop's logger: one category to configure for the group's thread.
	private static final Logger logger = LoggerFactory.getLogger(GroupLoop.class);

	private final GroupSettings settings;

	private final GroupLinks links;

	/** Wall-clock milliseconds, for sealing gossip. */
	private final LongSupplier wallClock;

	private final Consumer<ProtocolEvent> events;

	private final Consumer<ProtocolEvent> reannouncements;

	private final MemberActivityListener activity;

	/**
	 * Takes each node command's reply, on any thread, to the coordinator: posted to the
	 * loop's thread, never handed over within the step that sent the command.
	 */
	private final BiConsumer<Action.NodeCommand, Reply> replies;

	GroupActions(GroupSettings settings, GroupLinks links, LongSupplier wallClock, Consumer<ProtocolEvent> events,
			Consumer<ProtocolEvent> reannouncements, MemberActivityListener activity,
			BiConsumer<Action.NodeCommand, Reply> replies) {
		this.settings = settings;
		this.links = links;
		this.wallClock = wallClock;
		this.events = events;
		this.reannouncements = reannouncements;
		this.activity = activity;
		this.replies = replies;
	}

	private String name() {
		return this.settings.config().name();
	}

	/**
	 * Carries out one of a step's actions; a node command's reply comes later, through
	 * the loop.
	 */
	void carryOut(Action action) {
		if (action instanceof Action.NodeCommand command) {
			send(command);
		}
		else if (action instanceof Action.Monitor monitor) {
			this.links.monitor(monitor.node());
		}
		else if (action instanceof Action.Unmonitor unmonitor) {
			this.links.unmonitor(unmonitor.node());
		}
		else if (action instanceof Action.Publish publish) {
			publish(publish);
			countSent(publish.channel());
		}
		else if (action instanceof Action.PublishOn publish) {
			publishOn(publish);
			countSent(publish.channel());
		}
		else if (action instanceof Action.Listen listen) {
			this.links.listen(listen.channel());
		}
		else if (action instanceof Action.Emit emit) {
			logger.info("{}", SentinelText.format(emit.event()));
			this.events.accept(emit.event());
		}
		else if (action instanceof Action.Reannounce reannounce) {
			this.reannouncements.accept(reannounce.event());
		}
	}

	/**
	 * Carries out one of a goodbye's actions that the goodbye waits for before the links
	 * close: its messages (not counted as gossip sent) and the record of its departure,
	 * on the node if it is monitored.
	 * @return completes when the nodes acknowledged it or failed; null for any other
	 * action, carried out as usual
	 */
	@Nullable CompletableFuture<Void> carryOutAwaited(Action action) {
		if (action instanceof Action.Publish publish) {
			return publish(publish);
		}
		if (action instanceof Action.PublishOn publish) {
			return publishOn(publish);
		}
		if (action instanceof Action.RecordDeparture departure) {
			NodeLink link = this.links.get(departure.node());
			if (link == null) {
				return CompletableFuture.completedFuture(null);
			}
			CompletableFuture<Void> recorded = new CompletableFuture<>();
			link.execute(departure, (reply) -> recorded.complete(null));
			return recorded;
		}
		return null;
	}

	/**
	 * Publishes on every monitored node whose connection is open.
	 * @return completes when every node acknowledged the message or failed
	 */
	private CompletableFuture<Void> publish(Action.Publish publish) {
		return this.links.publish(publish.channel(), sealed(publish.channel(), publish.payload()));
	}

	/**
	 * Publishes on the action's node if it is monitored and its connection is open.
	 * @return completes when the node acknowledged the message or failed
	 */
	private CompletableFuture<Void> publishOn(Action.PublishOn publish) {
		return this.links.publishOn(publish.node(), publish.channel(), sealed(publish.channel(), publish.payload()));
	}

	/**
	 * A voter's announcement goes out twice (gossip and announcement channel): one
	 * message sent.
	 */
	private void countSent(String channel) {
		if (GroupCoordinator.GOSSIP_CHANNEL.equals(channel)) {
			this.activity.gossipSent(name());
		}
	}

	/**
	 * The payload to publish: gossip and announcements sealed with the group's secret,
	 * anything else as it is.
	 */
	private String sealed(String channel, String payload) {
		return (GroupCoordinator.GOSSIP_CHANNEL.equals(channel) || GroupCoordinator.ANNOUNCE_CHANNEL.equals(channel))
				? this.settings.gossipSeal().seal(payload, this.wallClock.getAsLong()) : payload;
	}

	private void send(Action.NodeCommand command) {
		NodeLink link = this.links.get(command.node());
		if (link == null) {
			this.replies.accept(command, new Reply.Failed(command.node() + " is not monitored"));
			return;
		}
		long sentAt = System.nanoTime();
		link.execute(command, (reply) -> {
			if (command instanceof Action.Ping && reply instanceof Reply.Text) {
				this.activity.pingAnswered(name(), command.node(), System.nanoTime() - sentAt);
			}
			else if (command instanceof Action.FenceMaster && reply instanceof Reply.Failed) {
				this.activity.masterFenceFailed(name(), command.node());
			}
			else if (command instanceof Action.DisconnectClients && reply instanceof Reply.Text text && !text.error()) {
				logger.info("Group {}: disconnected {} client(s) of old master {}", name(), text.text(),
						command.node());
			}
			this.replies.accept(command, reply);
		});
	}

}
