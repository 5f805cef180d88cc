package io.redisha.event;

import io.redisha.member.RedisHaMember;
import io.redisha.member.SentinelText;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;

/**
 * Something that happened in a redis-ha group, as this application's member saw it: one
 * Spring event for every protocol event, in the order the member saw them. The common
 * cases have their own subclass ({@link MasterSwitchedEvent}, {@link NodeDownEvent},
 * {@link FailoverEndedEvent}...) so that an {@code @EventListener} can take just those;
 * every other protocol event (votes, replica reconfiguration, members joining...) arrives
 * as a plain {@code RedisHaEvent}. The source is the {@link RedisHaMember}.
 */
public class RedisHaEvent extends ApplicationEvent {

	private final transient ProtocolEvent event;

	public RedisHaEvent(RedisHaMember member, ProtocolEvent event) {
		super(member);
		this.event = event;
	}

	/** The Spring event for a protocol event: its own subclass where there is one. */
	public static RedisHaEvent of(RedisHaMember member, ProtocolEvent event) {
		return switch (event.type()) {
			case SDOWN -> new NodeDownEvent(member, event);
			case SDOWN_CLEARED -> new NodeUpEvent(member, event);
			case ODOWN -> new ObjectiveDownEvent(member, event);
			case ELECTED_LEADER -> new ElectionWonEvent(member, event);
			case TRY_FAILOVER -> new FailoverStartedEvent(member, event);
			case FAILOVER_END -> new FailoverEndedEvent(member, event);
			case FAILOVER_ABORT_NOT_ELECTED, FAILOVER_ABORT_NO_GOOD_REPLICA -> new FailoverAbortedEvent(member, event);
			case SWITCH_MASTER -> new MasterSwitchedEvent(member, event);
			case TILT -> new TiltEnteredEvent(member, event);
			case TILT_CLEARED -> new TiltLeftEvent(member, event);
			default -> new RedisHaEvent(member, event);
		};
	}

	/** The protocol event as the member emitted it. */
	public ProtocolEvent getProtocolEvent() {
		return this.event;
	}

	public ProtocolEvent.Type getType() {
		return this.event.type();
	}

	public String getGroup() {
		return this.event.group();
	}

	/** The epoch it happened in (for a master switch, the new master's config epoch). */
	public long getEpoch() {
		return this.event.epoch();
	}

	/** The node it is about; null when it is about the group as a whole. */
	public @Nullable NodeAddress getNode() {
		return this.event.node();
	}

	/** The master at that moment, as the member knew it; null when none was known. */
	public @Nullable NodeAddress getMaster() {
		return this.event.master();
	}

	/** Free text: the member voted for, a reason, a quorum count. */
	public @Nullable String getDetail() {
		return this.event.detail();
	}

	/**
	 * The event in Sentinel's text format, e.g.
	 * {@code +sdown master orders 10.0.0.12 6379}.
	 */
	public String toSentinelText() {
		return SentinelText.format(this.event);
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[" + toSentinelText() + "]";
	}

}
