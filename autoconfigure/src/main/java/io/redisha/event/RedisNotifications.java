package io.redisha.event;

import java.util.function.Consumer;

import io.redisha.member.RedisHaMember;
import io.redisha.member.SentinelText;
import io.redisha.protocol.ProtocolEvent;

/**
 * Publishes every protocol event of the member on pub/sub channels of every reachable node
 * of its group, in Sentinel's text format, so that services in any language follow a
 * failover the way they followed Sentinel:
 * <ul>
 * <li>{@value #ALL_EVENTS_CHANNEL} carries every event as one line, e.g.
 * {@code +switch-master orders 10.0.0.12 6379 10.0.0.14 6379};</li>
 * <li>{@code __redis-ha__:<event>} (e.g. {@code __redis-ha__:+switch-master}) carries the
 * events of one type with Sentinel's payload for that channel, the line without the event
 * name: {@code orders 10.0.0.12 6379 10.0.0.14 6379}.</li>
 * </ul>
 * Every member publishes what it sees, and Redis forwards a master's messages to its
 * replicas' subscribers: a subscriber may receive one event several times.
 */
public final class RedisNotifications implements Consumer<ProtocolEvent> {

	/** The channel of every event. */
	public static final String ALL_EVENTS_CHANNEL = "__redis-ha__:events";

	/** The prefix of the one-type channels, followed by Sentinel's event name. */
	public static final String CHANNEL_PREFIX = "__redis-ha__:";

	private final RedisHaMember member;

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
		if (event.type() == ProtocolEvent.Type.SWITCH_MASTER && event.node() == null) {
			// Learning the first master is no switch: Sentinel's readers expect old and new address.
			return;
		}
		String line = SentinelText.format(event);
		String name = event.type().sentinelName();
		String payload = line.substring(Math.min(line.length(), name.length() + 1));
		this.member.publish(event.group(), ALL_EVENTS_CHANNEL, line);
		this.member.publish(event.group(), channel(event.type()), payload);
	}

}
