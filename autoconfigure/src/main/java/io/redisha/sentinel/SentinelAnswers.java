package io.redisha.sentinel;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.netty.handler.codec.redis.RedisMessage;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.MemberSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.GroupSnapshot.QuorumCheck;
import io.redisha.protocol.GroupState;
import io.redisha.protocol.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * The answers of the read commands, in the shapes of Redis's {@code sentinel.c}, taken
 * from the member's latest snapshots: never from the member's live state, so no command
 * waits for the member. A group whose master this member does not know yet is answered as
 * Sentinel answers an unknown master name.
 */
final class SentinelAnswers {

	static final String NO_SUCH_MASTER = "ERR No such master with that name";

	private final RedisHaMember member;

	SentinelAnswers(RedisHaMember member) {
		this.member = member;
	}

	/** Whether the group exists and this member knows its master. */
	boolean knowsMaster(String group) {
		return withMaster(group) != null;
	}

	/** {@code SENTINEL MYID}: this member's id. */
	String myId() {
		return this.member.identity().id();
	}

	/** {@code SENTINEL GET-MASTER-ADDR-BY-NAME}: host and port, or a null array. */
	RedisMessage masterAddress(String group) {
		GroupSnapshot snapshot = withMaster(group);
		if (snapshot == null) {
			return Resp.NULL_ARRAY;
		}
		NodeAddress master = masterOf(snapshot).address();
		return Resp.array(Resp.bulk(master.host()), Resp.bulk(master.port()));
	}

	/** {@code SENTINEL MASTERS}. */
	RedisMessage masters() {
		List<RedisMessage> masters = new ArrayList<>();
		for (String group : this.member.groupNames()) {
			GroupSnapshot snapshot = withMaster(group);
			if (snapshot != null) {
				masters.add(master(snapshot));
			}
		}
		return Resp.array(masters);
	}

	/** {@code SENTINEL MASTER}. */
	RedisMessage master(String group) {
		GroupSnapshot snapshot = withMaster(group);
		return (snapshot != null) ? master(snapshot) : Resp.error(NO_SUCH_MASTER);
	}

	/** {@code SENTINEL REPLICAS} and {@code SENTINEL SLAVES}. */
	RedisMessage replicas(String group) {
		GroupSnapshot snapshot = withMaster(group);
		if (snapshot == null) {
			return Resp.error(NO_SUCH_MASTER);
		}
		long downAfter = downAfterMillis(group);
		return Resp.array(snapshot.replicas()
			.stream()
			.map((replica) -> replica(replica, masterOf(snapshot).address(), downAfter))
			.toList());
	}

	/** {@code SENTINEL SENTINELS}: the other members that serve an endpoint. */
	RedisMessage sentinels(String group) {
		GroupSnapshot snapshot = withMaster(group);
		if (snapshot == null) {
			return Resp.error(NO_SUCH_MASTER);
		}
		long downAfter = downAfterMillis(group);
		return Resp.array(otherEndpoints(snapshot).stream().map((peer) -> sentinel(peer, downAfter)).toList());
	}

	/** {@code SENTINEL CKQUORUM}, with Sentinel's texts. */
	RedisMessage checkQuorum(String group) {
		GroupSnapshot snapshot = withMaster(group);
		if (snapshot == null) {
			return Resp.error(NO_SUCH_MASTER);
		}
		QuorumCheck check = snapshot.quorumCheck();
		int usable = (check != null) ? check.reachableMembers() : 0;
		boolean quorum = check != null && check.quorumReachable();
		boolean majority = check != null && check.electionReachable();
		if (quorum && majority) {
			return Resp.simple("OK " + usable + " usable Sentinels. Quorum and failover authorization can be reached");
		}
		StringBuilder error = new StringBuilder("NOQUORUM ").append(usable).append(" usable Sentinels. ");
		if (!quorum) {
			error.append("Not enough available Sentinels to reach the specified quorum for this master");
		}
		if (!majority) {
			error.append(quorum ? "" : ". ")
				.append("Not enough available Sentinels to reach the majority and" + " authorize a failover");
		}
		return Resp.error(error.toString());
	}

	/** {@code ROLE}: {@code sentinel} and the names of the groups. */
	RedisMessage role() {
		return Resp.array(Resp.bulk("sentinel"),
				Resp.array(this.member.groupNames().stream().map(Resp::bulk).toList()));
	}

	/** The {@code # Sentinel} section of {@code INFO}. */
	String infoSection() {
		StringBuilder info = new StringBuilder("# Sentinel\r\n");
		List<GroupSnapshot> groups = this.member.groupNames()
			.stream()
			.map(this::withMaster)
			.filter((snapshot) -> snapshot != null)
			.toList();
		boolean tilt = groups.stream().anyMatch((snapshot) -> snapshot.state() == GroupState.TILT);
		info.append("sentinel_masters:").append(groups.size()).append("\r\n");
		info.append("sentinel_tilt:").append(tilt ? 1 : 0).append("\r\n");
		info.append("sentinel_tilt_since_seconds:-1\r\n");
		info.append("sentinel_running_scripts:0\r\n");
		info.append("sentinel_scripts_queue_length:0\r\n");
		info.append("sentinel_simulate_failure_flags:0\r\n");
		for (int i = 0; i < groups.size(); i++) {
			GroupSnapshot snapshot = groups.get(i);
			info.append("master")
				.append(i)
				.append(":name=")
				.append(snapshot.name())
				.append(",status=")
				.append(status(snapshot.state()))
				.append(",address=")
				.append(hostPort(masterOf(snapshot).address()))
				.append(",slaves=")
				.append(snapshot.replicas().size())
				.append(",sentinels=")
				.append(otherEndpoints(snapshot).size() + 1)
				.append("\r\n");
		}
		return info.toString();
	}

	private @Nullable GroupSnapshot withMaster(String group) {
		GroupSnapshot snapshot = this.member.snapshot(group);
		return (snapshot != null && snapshot.master() != null) ? snapshot : null;
	}

	/** The master of a snapshot {@link #withMaster} returned. */
	private static NodeSnapshot masterOf(GroupSnapshot snapshot) {
		return Objects.requireNonNull(snapshot.master(), "a snapshot with a master");
	}

	private RedisMessage master(GroupSnapshot snapshot) {
		NodeSnapshot master = masterOf(snapshot);
		GroupConfig config = Objects.requireNonNull(this.member.config(snapshot.name()));
		Resp.Fields fields = new Resp.Fields().add("name", snapshot.name());
		instance(fields, master, masterFlags(snapshot.state()), config.downAfter().toMillis());
		return fields.add("info-refresh", 0)
			.add("role-reported", "master")
			.add("role-reported-time", 0)
			.add("config-epoch", snapshot.configEpoch())
			.add("num-slaves", snapshot.replicas().size())
			.add("num-other-sentinels", otherEndpoints(snapshot).size())
			.add("quorum", snapshot.quorum())
			.add("failover-timeout", config.failoverTimeout().toMillis())
			.add("parallel-syncs", config.parallelSyncs())
			.toMap();
	}

	private static RedisMessage replica(NodeSnapshot replica, NodeAddress master, long downAfter) {
		// Sentinel reports the master the replica's own INFO names.
		NodeAddress following = (replica.following() != null) ? replica.following() : master;
		Resp.Fields fields = new Resp.Fields().add("name", hostPort(replica.address()));
		String flags = (replica.status() == NodeStatus.DOWN) ? "s_down,slave" : "slave";
		instance(fields, replica, flags, downAfter);
		return fields.add("info-refresh", 0)
			.add("role-reported", replica.role().equals("master") ? "master" : "slave")
			.add("role-reported-time", 0)
			.add("master-link-down-time", 0)
			.add("master-link-status", "up".equals(replica.linkStatus()) ? "ok" : "err")
			.add("master-host", following.host())
			.add("master-port", following.port())
			.add("slave-priority", replica.priority())
			.add("slave-repl-offset", replica.offset())
			.add("replica-announced", 1)
			.toMap();
	}

	/** The fields Sentinel gives every instance, after its name. */
	private static void instance(Resp.Fields fields, NodeSnapshot node, String flags, long downAfter) {
		long lastReply = Math.max(0, node.lastReplyAgeMs());
		fields.add("ip", node.address().host())
			.add("port", node.address().port())
			.add("runid", node.runId())
			.add("flags", flags)
			.add("link-pending-commands", 0)
			.add("link-refcount", 1)
			.add("last-ping-sent", 0)
			.add("last-ok-ping-reply", lastReply)
			.add("last-ping-reply", lastReply)
			.add("down-after-milliseconds", downAfter);
	}

	private static RedisMessage sentinel(MemberSnapshot peer, long downAfter) {
		return new Resp.Fields().add("name", peer.id())
			.add("ip", endpointOf(peer).host())
			.add("port", endpointOf(peer).port())
			.add("runid", peer.id())
			.add("flags", "sentinel")
			.add("link-pending-commands", 0)
			.add("link-refcount", 1)
			.add("last-ping-sent", 0)
			.add("last-ok-ping-reply", peer.lastSeenMs())
			.add("last-ping-reply", peer.lastSeenMs())
			.add("down-after-milliseconds", downAfter)
			.add("last-hello-message", peer.lastSeenMs())
			.add("voted-leader", "?")
			.add("voted-leader-epoch", 0)
			.toMap();
	}

	private static List<MemberSnapshot> otherEndpoints(GroupSnapshot snapshot) {
		return snapshot.members().stream().filter((peer) -> !peer.self() && peer.endpoint() != null).toList();
	}

	/** The endpoint of a member {@link #otherEndpoints} listed. */
	private static NodeAddress endpointOf(MemberSnapshot peer) {
		return Objects.requireNonNull(peer.endpoint(), "a member with an endpoint");
	}

	private long downAfterMillis(String group) {
		return Objects.requireNonNull(this.member.config(group)).downAfter().toMillis();
	}

	private static String masterFlags(GroupState state) {
		return switch (state) {
			case SDOWN -> "s_down,master";
			case ODOWN -> "s_down,o_down,master";
			case FAILOVER -> "master,failover_in_progress";
			default -> "master";
		};
	}

	private static String status(GroupState state) {
		return switch (state) {
			case SDOWN -> "sdown";
			case ODOWN -> "odown";
			default -> "ok";
		};
	}

	/** {@code host:port} as Sentinel writes it: IPv6 literals without brackets. */
	private static String hostPort(NodeAddress address) {
		return address.host() + ":" + address.port();
	}

}
