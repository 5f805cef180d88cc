package io.redisha.actuate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.GroupSnapshot.QuorumCheck;
import io.redisha.protocol.GroupState;
import io.redisha.protocol.NodeAddress;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Reports, with a summary of each group as details:
 * <ul>
 * <li>{@code DOWN} when a redis-ha group has no reachable master;</li>
 * <li>{@code OUT_OF_SERVICE} when every group has one but a group is failing over (or its
 * master is objectively down), or cannot reach its quorum or an election majority right
 * now (Sentinel's {@code CKQUORUM}), or refuses the application's writes (the partition
 * fence): the application still works, or still reads, but a readiness group may take it
 * out of rotation while a liveness probe, which should not include this contributor,
 * leaves it running;</li>
 * <li>{@code UP} otherwise, and {@code UNKNOWN} in the moment after the member started
 * and before its groups have a picture.</li>
 * </ul>
 */
public class RedisHaHealthIndicator extends AbstractHealthIndicator {

	private final RedisHaMember member;

	public RedisHaHealthIndicator(RedisHaMember member) {
		super("redis-ha health check failed");
		this.member = member;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		Map<String, GroupHealth> groups = new LinkedHashMap<>();
		this.member.snapshots()
			.forEach((name, snapshot) -> groups.put(name,
					GroupHealth.of(snapshot, this.member.connectionProblems(name))));
		if (groups.isEmpty()) {
			builder.unknown();
			return;
		}
		if (!groups.values().stream().allMatch(GroupHealth::masterReachable)) {
			builder.down();
		}
		else if (!groups.values().stream().allMatch(GroupHealth::settled)) {
			builder.status(Status.OUT_OF_SERVICE);
		}
		else {
			builder.up();
		}
		builder.withDetails(groups);
	}

	/**
	 * One group's summary.
	 *
	 * @param state the group's state
	 * @param master the master's address, when one is known
	 * @param masterReachable whether the master answers
	 * @param replicasUp replicas that answer
	 * @param replicas replicas known
	 * @param membersSeen members known, this one included
	 * @param membersReachable this member plus the members heard from recently
	 * @param quorumReachable whether enough members are reachable to agree the master is
	 * down
	 * @param electionReachable whether enough members are reachable to elect a failover
	 * leader
	 * @param paused whether automatic failover is paused (maintenance mode), also while
	 * the state says TILT or FAILOVER
	 * @param writesFenced whether this member refuses the application's writes (the
	 * partition fence)
	 * @param fence why writes are admitted or refused
	 * @param nodeProblems the nodes this member cannot use as it should, by address, with
	 * the reason: unreachable, a wrong password, a permission the node's ACL refuses, a
	 * Cluster node or a Sentinel listed as a node
	 */
	public record GroupHealth(String state, @Nullable String master, boolean masterReachable, int replicasUp,
			int replicas, int membersSeen, int membersReachable, boolean quorumReachable, boolean electionReachable,
			boolean paused, boolean writesFenced, String fence, Map<String, String> nodeProblems) {

		static GroupHealth of(GroupSnapshot snapshot, Map<NodeAddress, String> problems) {
			NodeSnapshot master = snapshot.master();
			int replicasUp = (int) snapshot.replicas()
				.stream()
				.filter((replica) -> replica.status() == NodeStatus.UP)
				.count();
			QuorumCheck quorum = snapshot.quorumCheck();
			return new GroupHealth(snapshot.state().name(), (master != null) ? master.address().toString() : null,
					master != null && master.status() == NodeStatus.UP, replicasUp, snapshot.replicas().size(),
					snapshot.members().size(), (quorum != null) ? quorum.reachableMembers() : 1,
					quorum != null && quorum.quorumReachable(), quorum != null && quorum.electionReachable(),
					snapshot.pause() != null, snapshot.fence().fenced(), snapshot.fence().reason(),
					byAddress(problems));
		}

		private static Map<String, String> byAddress(Map<NodeAddress, String> problems) {
			Map<String, String> byAddress = new TreeMap<>();
			problems.forEach((node, problem) -> byAddress.put(node.toString(), problem));
			return byAddress;
		}

		/** Neither failing over, nor short of members to do so, nor refusing writes. */
		boolean settled() {
			boolean failingOver = this.state.equals(GroupState.FAILOVER.name())
					|| this.state.equals(GroupState.ODOWN.name());
			return !failingOver && this.quorumReachable && this.electionReachable && !this.writesFenced;
		}

	}

}
