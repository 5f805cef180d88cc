package io.redisha.event;

import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.redisha.member.RedisHaMember;
import io.redisha.member.SentinelText;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.ProtocolEvent;

/**
 * Publishes every protocol event of the member on pub/sub channels of every reachable
 * node of its group, in Sentinel's text format, so that services in any language follow a
 * failover the way they followed Sentinel:
 * <ul>
 * <li>{@value #ALL_EVENTS_CHANNEL} carries every event as one line, with the group's
 * config epoch at its end, e.g.
 * {@code +switch-master orders 10.0.0.12 6379 10.0.0.14 6379 #epoch 7};</li>
 * <li>{@code __redis-ha__:<event>} (e.g. {@code __redis-ha__:+switch-master}) carries the
 * events of one type with Sentinel's payload for that channel, the line without the event
 * name: {@code orders 10.0.0.12 6379 10.0.0.14 6379}.</li>
 * </ul>
 * Every member publishes what it sees, and Redis forwards a master's messages to its
 * replicas' subscribers: a subscriber may receive one event several times.
 * <p>
 * A failover disconnects the subscribers of the promoted and the repointed nodes at the
 * moment it switches ({@code CLIENT KILL TYPE pubsub}, so that clients reconnect), which
 * is when {@code +switch-master} is published. So {@code +switch-master} is published
 * again {@value #REPEAT_SECONDS} s later, once subscribers that resubscribe automatically
 * are back, if its new master is still the group's master then (a later switch is not
 * contradicted).
 */
public final class RedisNotifications implements Consumer<ProtocolEvent>, AutoCloseable {

	/** After how long {@code +switch-master} is published a second time. */
	static final long REPEAT_SECONDS = 2;

	/** The channel of every event. */
	public static final String ALL_EVENTS_CHANNEL = "__redis-ha__:events";

	/**
	 * What ends each line of the events channel, before the config epoch: a reader tells
	 * an event of an older configuration from a newer one, whichever node it arrived
	 * through.
	 */
	public static final String EPOCH_MARK = " #epoch ";

	/** The prefix of the one-type channels, followed by Sentinel's event name. */
	public static final String CHANNEL_PREFIX = "__redis-ha__:";

	private final RedisHaMember member;

	private final ScheduledExecutorService repeater = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "redis-ha-notifications");
		thread.setDaemon(true);
		return thread;
	});

	/** Creates the notifications and registers them with the member. */
	public RedisNotifications(RedisHaMember member) {
		this.member = member;
		member.addEventListener(this);
	}

	/** The channel of one event type, e.g. {@code __redis-ha__:+switch-master}. */
	public static String channel(ProtocolEvent.Type type) {
		return CHANNEL_PREFIX + type.sentinelName();
	}

	@Override
	public void accept(ProtocolEvent event) {
		if (!SentinelText.announced(event)) {
			return;
		}
		publish(event);
		if (event.type() == ProtocolEvent.Type.SWITCH_MASTER) {
			try {
				this.repeater.schedule(() -> publishIfStillMaster(event), REPEAT_SECONDS, TimeUnit.SECONDS);
			}
			catch (RejectedExecutionException ex) {
				// Closed: the application is stopping.
			}
		}
	}

	/**
	 * Repeats a switch only to a master that still is one: a later switch was published
	 * since.
	 */
	private void publishIfStillMaster(ProtocolEvent event) {
		GroupSnapshot snapshot = this.member.snapshot(event.group());
		if (snapshot != null && snapshot.master() != null && snapshot.master().address().equals(event.master())) {
			publish(event);
		}
	}

	private void publish(ProtocolEvent event) {
		this.member.publish(event.group(), ALL_EVENTS_CHANNEL,
				SentinelText.format(event) + EPOCH_MARK + configEpoch(event));
		this.member.publish(event.group(), channel(event.type()), SentinelText.payload(event));
	}

	/**
	 * The config epoch the events channel's line carries: a switch's own, else the
	 * group's as this member knows it.
	 */
	private long configEpoch(ProtocolEvent event) {
		if (event.type() == ProtocolEvent.Type.SWITCH_MASTER) {
			return event.epoch();
		}
		GroupSnapshot snapshot = this.member.snapshot(event.group());
		return (snapshot != null) ? snapshot.configEpoch() : 0;
	}

	/** Drops the repetitions not yet published. */
	@Override
	public void close() {
		this.repeater.shutdownNow();
	}

}
