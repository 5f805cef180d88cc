package io.redisha.event;

import java.util.function.Consumer;

import io.redisha.member.RedisHaMember;
import io.redisha.member.SentinelText;
import io.redisha.protocol.Action;
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
 * is when {@code +switch-master} is published. So the group's coordinator asks for
 * {@code +switch-master} to be published again ({@link Action.Reannounce}) 2 s later,
 * once subscribers that resubscribe automatically are back, if its new master is still
 * the group's master then (a later switch is not contradicted).
 */
public final class RedisNotifications implements Consumer<ProtocolEvent> {

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

	/** Creates the notifications and registers them with the member. */
	public RedisNotifications(RedisHaMember member) {
		this.member = member;
		member.addEventListener(this);
		member.addReannouncementListener(this::reannounce);
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
	}

	/**
	 * Publishes an event's notifications again, as the group's coordinator asked
	 * ({@link Action.Reannounce}); registered with the member.
	 */
	public void reannounce(ProtocolEvent event) {
		if (SentinelText.announced(event)) {
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

}
