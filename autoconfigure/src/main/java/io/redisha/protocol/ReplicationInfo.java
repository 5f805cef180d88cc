package io.redisha.protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one node says about itself in {@code INFO}: its role, identity, replication offset and,
 * for a master, its replicas; for a replica, its master and link.
 *
 * @param role the node's role
 * @param runId the process's run id (new at every restart)
 * @param version the server version, e.g. {@code 7.0.15}
 * @param replicationId the replication id ({@code master_replid}): the history this node is in
 * @param offset the node's replication offset ({@code master_repl_offset})
 * @param loading whether the node is loading its data set
 * @param master for a replica, the master it follows; null for a master
 * @param masterLinkUp for a replica, whether its link to the master is up
 * @param masterLinkDownSeconds for a replica whose link is down, for how long; -1 when unknown or up
 * @param priority {@code replica-priority}; 0 means never promote
 * @param replicas for a master, the replicas it lists
 */
public record ReplicationInfo(Role role, String runId, String version, String replicationId, long offset,
		boolean loading, NodeAddress master, boolean masterLinkUp, long masterLinkDownSeconds, int priority,
		List<ReplicaEntry> replicas) {

	/** The most characters of an INFO reply we read; a larger reply is cut (replies are a few KB). */
	static final int MAX_LENGTH = 256 * 1024;

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
	 * Parses an {@code INFO} reply.
	 * @throws IllegalArgumentException naming what was missing or malformed
	 */
	public static ReplicationInfo parse(String text) {
		if (text == null) {
			throw new IllegalArgumentException("INFO reply is empty");
		}
		Map<String, String> fields = new HashMap<>();
		String body = (text.length() > MAX_LENGTH) ? text.substring(0, MAX_LENGTH) : text;
		for (String line : body.split("\r?\n")) {
			int colon = line.indexOf(':');
			if (colon > 0 && !line.startsWith("#")) {
				fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
			}
		}
		String roleText = required(fields, "role");
		Role role = switch (roleText) {
			case "master" -> Role.MASTER;
			case "slave", "replica" -> Role.REPLICA;
			default -> throw new IllegalArgumentException("INFO field role has unknown value '" + roleText + "'");
		};
		NodeAddress master = null;
		boolean linkUp = false;
		long linkDown = -1;
		if (role == Role.REPLICA) {
			master = new NodeAddress(required(fields, "master_host"),
					(int) number(fields, "master_port", required(fields, "master_port")));
			linkUp = "up".equals(fields.get("master_link_status"));
			String down = fields.get("master_link_down_since_seconds");
			if (!linkUp && down != null && !"-1".equals(down)) {
				linkDown = number(fields, "master_link_down_since_seconds", down);
			}
		}
		long offset = optionalNumber(fields, (role == Role.REPLICA) ? "slave_repl_offset" : "master_repl_offset",
				optionalNumber(fields, "master_repl_offset", 0));
		String priority = fields.getOrDefault("slave_priority", fields.getOrDefault("replica_priority", "100"));
		return new ReplicationInfo(role, fields.getOrDefault("run_id", ""), fields.getOrDefault("redis_version", ""),
				fields.getOrDefault("master_replid", ""), offset, "1".equals(fields.get("loading")), master, linkUp,
				linkDown, (int) number(fields, "slave_priority", priority), replicas(fields));
	}

	private static List<ReplicaEntry> replicas(Map<String, String> fields) {
		List<ReplicaEntry> replicas = new ArrayList<>();
		for (int i = 0; fields.containsKey("slave" + i); i++) {
			String key = "slave" + i;
			Map<String, String> parts = new HashMap<>();
			for (String part : fields.get(key).split(",")) {
				int eq = part.indexOf('=');
				if (eq > 0) {
					parts.put(part.substring(0, eq), part.substring(eq + 1));
				}
			}
			String ip = parts.get("ip");
			String port = parts.get("port");
			if (ip == null || port == null) {
				throw new IllegalArgumentException("INFO field " + key + " has no ip or port: '" + fields.get(key) + "'");
			}
			replicas.add(new ReplicaEntry(new NodeAddress(ip, (int) number(fields, key, port)),
					parts.getOrDefault("state", "unknown"), optionalNumber(parts, "offset", 0),
					optionalNumber(parts, "lag", -1)));
		}
		return replicas;
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
		return (value != null) ? number(fields, name, value) : fallback;
	}

	private static long number(Map<String, String> fields, String name, String value) {
		try {
			return Long.parseLong(value);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("INFO field " + name + " is not a number: '" + value + "'");
		}
	}

}
