package io.redisha.redis;

import java.util.List;

import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.RedisVersion;
import io.redisha.protocol.ReplicationInfo;
import io.redisha.protocol.Reply;
import io.redisha.protocol.RoleInfo;
import io.redisha.protocol.StoredConfiguration;
import org.jspecify.annotations.Nullable;

/**
 * Turns raw Redis replies into protocol {@link Reply replies}; a malformed one becomes
 * {@link Reply.Failed} saying why.
 */
final class Replies {

	private Replies() {
	}

	/** An {@code INFO} reply, with the group's configuration stored on that node. */
	static Reply info(String text, StoredConfiguration stored) {
		try {
			return new Reply.Info(ReplicationInfo.parse(text), stored);
		}
		catch (IllegalArgumentException ex) {
			return new Reply.Failed("malformed INFO reply: " + ex.getMessage());
		}
	}

	/**
	 * Why a node whose {@code INFO} says this cannot be one of a group's nodes: a Redis
	 * Cluster node or a Sentinel ({@code redis_mode} in the server section); null for a
	 * standalone server.
	 */
	static @Nullable String unsupportedMode(NodeAddress node, String info) {
		String mode = field(info, "redis_mode");
		if ("cluster".equals(mode)) {
			return node + " is a Redis Cluster node (redis_mode:cluster): redis-ha manages a master with replicas, "
					+ "not a Cluster, so this member sends it nothing but INFO and never promotes or repoints it; "
					+ "remove it from the group's nodes";
		}
		if ("sentinel".equals(mode)) {
			return node + " is a Redis Sentinel (redis_mode:sentinel), not a Redis node: this member sends it nothing "
					+ "but INFO; list the group's Redis nodes instead";
		}
		return null;
	}

	/**
	 * {@code master_last_io_seconds_ago} of a replica whose link to its master is up, by
	 * its {@code INFO replication}; -1 when the link is down, the node is a master, or
	 * the reply does not say (a field that is not a number counts as not streaming: the
	 * promotion then goes ahead, as it would have before the check).
	 */
	static long streamingSeconds(String info) {
		String lastIo = field(info, "master_last_io_seconds_ago");
		if (!"up".equals(field(info, "master_link_status")) || lastIo == null) {
			return -1;
		}
		try {
			return Math.max(-1, Long.parseLong(lastIo));
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	/** {@code run_id} by the node's {@code INFO server}; empty when it does not say. */
	static String runId(String info) {
		String runId = field(info, "run_id");
		return (runId != null) ? runId : "";
	}

	private static @Nullable String field(String info, String name) {
		String prefix = name + ":";
		for (String line : info.split("\r?\n")) {
			if (line.startsWith(prefix)) {
				return line.substring(prefix.length()).trim();
			}
		}
		return null;
	}

	/**
	 * A {@code ROLE} reply: {@code [master, offset, [replicas]]} or
	 * {@code [slave, host, port, state, offset]}.
	 */
	static Reply role(List<Object> reply) {
		if (reply == null || reply.isEmpty() || !(reply.get(0) instanceof String role)) {
			return new Reply.Failed("malformed ROLE reply: " + reply);
		}
		try {
			return switch (role) {
				case "master" -> new Reply.Role(new RoleInfo(true, number(reply, 1), null));
				case "slave", "replica" -> new Reply.Role(
						new RoleInfo(false, number(reply, 4), new NodeAddress(text(reply, 1), (int) number(reply, 2))));
				default -> new Reply.Failed("ROLE reply names role '" + role + "', not master or replica");
			};
		}
		catch (IllegalArgumentException | IndexOutOfBoundsException ex) {
			return new Reply.Failed("malformed ROLE reply " + reply + ": " + ex.getMessage());
		}
	}

	private static long number(List<Object> reply, int index) {
		Object value = reply.get(index);
		if (value instanceof Number number) {
			return number.longValue();
		}
		if (value instanceof String text) {
			try {
				return Long.parseLong(text);
			}
			catch (NumberFormatException ex) {
				throw new IllegalArgumentException("element " + index + " is not a number: '" + text + "'");
			}
		}
		throw new IllegalArgumentException("element " + index + " is not a number: " + value);
	}

	private static String text(List<Object> reply, int index) {
		if (reply.get(index) instanceof String text) {
			return text;
		}
		throw new IllegalArgumentException("element " + index + " is not text: " + reply.get(index));
	}

	/**
	 * Whether a server of this version (from INFO) answers {@code INFO} with several
	 * sections named (Redis 7 on); false for an unknown version.
	 */
	static boolean takesInfoSections(String version) {
		return RedisVersion.atLeast(version, 7, 0);
	}

}
