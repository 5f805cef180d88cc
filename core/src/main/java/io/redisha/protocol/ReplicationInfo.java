package io.redisha.protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What one node says about itself in {@code INFO}: its role, identity, replication
 * history and offset and, for a master, its replicas; for a replica, its master and link.
 *
 * @param role the node's role
 * @param runId the process's run id (new at every restart)
 * @param version the server version, e.g. {@code 7.0.15}
 * @param replicationId the replication id ({@code master_replid}): the history this node
 * is in
 * @param offset the node's replication offset ({@code master_repl_offset})
 * @param secondReplicationId the history it was in before ({@code master_replid2}), kept
 * by a replica promoted to master or a master restarted from its data file; empty when
 * none
 * @param secondReplicationOffset the offset from which it left that history
 * ({@code second_repl_offset}): it holds that history's data up to this offset minus one;
 * -1 when none
 * @param loading whether the node is loading its data set
 * @param syncInProgress for a replica, whether it is receiving a full copy of its
 * master's data ({@code master_sync_in_progress})
 * @param master for a replica, the master it follows; null for a master
 * @param masterLinkUp for a replica, whether its link to the master is up
 * @param masterLinkDownSeconds for a replica whose link is down, for how long; -1 when
 * up, unknown or never synced
 * @param neverSynced for a replica whose link is down, whether it says it has not been in
 * sync with a master since it started or was last a master ({@code -1}); a replica
 * pointed at another master while in sync with one says it was, as of then
 * ({@code master_link_down_since_seconds:-1}): the data it has is not its master's
 * @param masterLastIoSeconds for a replica whose link is up, seconds since it last
 * received anything from its master ({@code master_last_io_seconds_ago}); -1 when down or
 * unknown
 * @param priority {@code replica-priority}; 0 means never promote
 * @param replicas for a master, the replicas it lists
 */
public record ReplicationInfo(Role role, String runId, String version, String replicationId, long offset,
		String secondReplicationId, long secondReplicationOffset, boolean loading, boolean syncInProgress,
		@Nullable NodeAddress master, boolean masterLinkUp, long masterLinkDownSeconds, boolean neverSynced,
		long masterLastIoSeconds, int priority, List<ReplicaEntry> replicas) {

	/**
	 * The most characters of an INFO reply we read; a larger reply is cut (replies are a
	 * few KB).
	 */
	static final int MAX_LENGTH = 256 * 1024;

	/** What Redis reports as {@code master_replid2} when there is no previous history. */
	static final String NO_REPLICATION_ID = "0000000000000000000000000000000000000000";

	/** The most characters of a malformed value quoted in an error message. */
	private static final int MAX_QUOTED = 64;

	public ReplicationInfo {
		replicas = List.copyOf(replicas);
	}

	public enum Role {

		MASTER, REPLICA

	}

	/** One {@code slaveN:} line of a master's INFO. */
	public record ReplicaEntry(NodeAddress address, String state, long offset, long lagSeconds) {
	}

	/**
	 * Whether this node's data holds the replication history {@code history} up to at
	 * least offset {@code upTo}: it is in that history with that offset, or it left it at
	 * or after that offset (promoted, or restarted as a master from a data file). A node
	 * that started empty has a new history and holds none, whatever it followed before;
	 * one that left a history at offset 0 holds nothing of it.
	 */
	public boolean holds(String history, long upTo) {
		if (history.isEmpty() || NO_REPLICATION_ID.equals(history)) {
			return false;
		}
		return history.equals(this.replicationId) && this.offset >= upTo
				|| history.equals(this.secondReplicationId) && this.secondReplicationOffset - 1 >= upTo;
	}

	/**
	 * Parses an {@code INFO} reply. The reply comes over the network: anything malformed
	 * gives an exception, never a wrong value.
	 * @throws IllegalArgumentException naming what was missing or malformed
	 */
	public static ReplicationInfo parse(String text) {
		if (text == null) {
			throw new IllegalArgumentException("INFO reply is empty");
		}
		// Sized for the three sections members ask for, so that it never grows.
		Map<String, String> fields = new HashMap<>(128);
		String body = (text.length() > MAX_LENGTH) ? text.substring(0, MAX_LENGTH) : text;
		// Lines end with CRLF from Redis, LF from tests that write INFO by hand; the
		// value is trimmed as by String.trim(), which drops the CR, in place.
		for (int start = 0; start < body.length();) {
			int end = body.indexOf('\n', start);
			end = (end < 0) ? body.length() : end;
			int colon = body.indexOf(':', start);
			if (colon > start && colon < end && body.charAt(start) != '#') {
				int from = colon + 1;
				int to = end;
				while (from < to && body.charAt(from) <= ' ') {
					from++;
				}
				while (to > from && body.charAt(to - 1) <= ' ') {
					to--;
				}
				fields.put(body.substring(start, colon), body.substring(from, to));
			}
			start = end + 1;
		}
		String roleText = required(fields, "role");
		Role role = switch (roleText) {
			case "master" -> Role.MASTER;
			case "slave", "replica" -> Role.REPLICA;
			default -> throw new IllegalArgumentException("INFO field role has unknown value " + quote(roleText));
		};
		NodeAddress master = null;
		boolean linkUp = false;
		long linkDown = -1;
		long lastIo = -1;
		boolean neverSynced = false;
		if (role == Role.REPLICA) {
			master = address("master_port", required(fields, "master_host"), required(fields, "master_port"));
			linkUp = "up".equals(fields.get("master_link_status"));
			long down = optionalNumber(fields, "master_link_down_since_seconds", -1);
			if (down < -1) {
				throw new IllegalArgumentException("INFO field master_link_down_since_seconds is negative: " + down);
			}
			neverSynced = !linkUp && fields.containsKey("master_link_down_since_seconds") && down == -1;
			linkDown = linkUp ? -1 : down;
			lastIo = linkUp ? Math.max(-1, optionalNumber(fields, "master_last_io_seconds_ago", -1)) : -1;
		}
		long offset = optionalNumber(fields, (role == Role.REPLICA) ? "slave_repl_offset" : "master_repl_offset",
				optionalNumber(fields, "master_repl_offset", 0));
		String priority = fields.getOrDefault("slave_priority", fields.getOrDefault("replica_priority", "100"));
		return new ReplicationInfo(role, fields.getOrDefault("run_id", ""), fields.getOrDefault("redis_version", ""),
				fields.getOrDefault("master_replid", ""), offset, fields.getOrDefault("master_replid2", ""),
				optionalNumber(fields, "second_repl_offset", -1), "1".equals(fields.get("loading")),
				"1".equals(fields.get("master_sync_in_progress")), master, linkUp, linkDown, neverSynced, lastIo,
				integer("slave_priority", priority), replicas(fields));
	}

	private static List<ReplicaEntry> replicas(Map<String, String> fields) {
		List<ReplicaEntry> replicas = new ArrayList<>();
		for (int i = 0; fields.containsKey("slave" + i); i++) {
			String key = "slave" + i;
			Map<String, String> parts = new HashMap<>();
			String line = Objects.requireNonNull(fields.get(key));
			// key=value pairs between commas, scanned in place
			for (int start = 0; start < line.length();) {
				int end = line.indexOf(',', start);
				end = (end < 0) ? line.length() : end;
				int eq = line.indexOf('=', start);
				if (eq > start && eq < end) {
					parts.put(line.substring(start, eq), line.substring(eq + 1, end));
				}
				start = end + 1;
			}
			String ip = parts.get("ip");
			String port = parts.get("port");
			if (ip == null || port == null) {
				throw new IllegalArgumentException(
						"INFO field " + key + " has no ip or port: " + quote(fields.get(key)));
			}
			replicas.add(new ReplicaEntry(address(key, ip, port), parts.getOrDefault("state", "unknown"),
					optionalNumber(parts, "offset", 0), optionalNumber(parts, "lag", -1)));
		}
		return replicas;
	}

	private static NodeAddress address(String name, String host, String port) {
		int number = integer(name, port);
		try {
			return new NodeAddress(host, number);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("INFO field " + name + " gives no valid address: " + ex.getMessage());
		}
	}

	private static String required(Map<String, String> fields, String name) {
		String value = fields.get(name);
		if (value == null || value.isEmpty()) {
			throw new IllegalArgumentException("INFO reply has no field " + name);
		}
		return value;
	}

	private static long optionalNumber(Map<String, String> fields, String name, long fallback) {
		String value = fields.get(name);
		return (value != null) ? number(name, value) : fallback;
	}

	private static long number(String name, String value) {
		try {
			return Long.parseLong(value);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("INFO field " + name + " is not a number: " + quote(value));
		}
	}

	private static int integer(String name, String value) {
		try {
			return Integer.parseInt(value);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("INFO field " + name + " is not a 32-bit number: " + quote(value));
		}
	}

	/**
	 * A value as the message shows it: quoted, and cut when a hostile reply made it long.
	 */
	private static String quote(String value) {
		return "'" + ((value.length() > MAX_QUOTED) ? value.substring(0, MAX_QUOTED) + "..." : value) + "'";
	}

}
