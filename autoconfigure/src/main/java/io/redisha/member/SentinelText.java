package io.redisha.member;

import java.util.Objects;

import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;

/**
 * Writes a {@link ProtocolEvent} the way Sentinel announces it, e.g.
 * {@code +sdown master orders 127.0.0.1 6379} or
 * {@code +switch-master orders 127.0.0.1 6379 127.0.0.1 6380}, so that existing log
 * alerts and operators' habits keep working.
 */
public final class SentinelText {

	private SentinelText() {
	}

	/** The event in Sentinel's text format. */
	public static String format(ProtocolEvent event) {
		StringBuilder text = new StringBuilder(event.type().sentinelName());
		switch (event.type()) {
			// The first master a member learns of has no predecessor.
			case SWITCH_MASTER -> text.append(' ')
				.append(event.group())
				.append((event.node() != null) ? " " + hostPort(event.node()) : "")
				.append(' ')
				.append(hostPort(Objects.requireNonNull(event.master(), "a switch names its new master")));
			case NEW_EPOCH -> text.append(' ').append(event.epoch());
			// Sentinel names the master the failover was about by its old address (its
			// record switches after).
			case FAILOVER_END -> text.append(" master ")
				.append(event.group())
				.append(' ')
				.append(hostPort(Objects.requireNonNull(event.node(), "a failover's end names the old master")));
			default -> appendInstance(text, event);
		}
		if (event.detail() != null && !event.detail().isBlank()) {
			text.append(' ').append(event.detail());
		}
		return text.toString();
	}

	/**
	 * Whether Sentinel's readers get the event: learning the first master is no switch,
	 * and they expect an old and a new address in every {@code +switch-master}.
	 */
	public static boolean announced(ProtocolEvent event) {
		return event.type() != ProtocolEvent.Type.SWITCH_MASTER || event.node() != null;
	}

	/**
	 * What Sentinel publishes on the event's own channel (named for the event, e.g.
	 * {@code +switch-master}): the line without the event's name, e.g.
	 * {@code orders 127.0.0.1 6379 127.0.0.1 6380}.
	 */
	public static String payload(ProtocolEvent event) {
		String line = format(event);
		return line.substring(Math.min(line.length(), event.type().sentinelName().length() + 1));
	}

	private static void appendInstance(StringBuilder text, ProtocolEvent event) {
		NodeAddress node = event.node();
		if (node == null) {
			text.append(' ').append(event.group());
		}
		else if (event.master() == null || node.equals(event.master())) {
			text.append(" master ").append(event.group()).append(' ').append(hostPort(node));
		}
		else {
			text.append(" slave ")
				.append(node)
				.append(' ')
				.append(hostPort(node))
				.append(" @ ")
				.append(event.group())
				.append(' ')
				.append(hostPort(Objects.requireNonNull(event.master(), "a switch names its new master")));
		}
	}

	private static String hostPort(NodeAddress address) {
		return (address != null) ? address.host() + " " + address.port() : "? ?";
	}

}
