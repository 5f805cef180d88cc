package io.redisha.actuate;

import java.util.LinkedHashMap;
import java.util.Map;

import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeStatus;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Reports UP when every redis-ha group has a reachable master and DOWN when one has none,
 * with a summary of each group as details; UNKNOWN in the moment after the member started
 * and before its groups have a picture.
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
		this.member.snapshots().forEach((name, snapshot) -> groups.put(name, GroupHealth.of(snapshot)));
		if (groups.isEmpty()) {
			builder.unknown();
			return;
		}
		boolean everyMasterReachable = groups.values().stream().allMatch(GroupHealth::masterReachable);
		(everyMasterReachable ? builder.up() : builder.down()).withDetails(groups);
	}

	/**
	 * One group's summary.
	 * @param state the group's state
	 * @param master the master's address; null when none is known
	 * @param masterReachable whether the master answers
	 * @param replicasUp replicas that answer
	 * @param replicas replicas known
	 * @param membersSeen members known, this one included
	 */
	public record GroupHealth(String state, String master, boolean masterReachable, int replicasUp, int replicas,
			int membersSeen) {

		static GroupHealth of(GroupSnapshot snapshot) {
			NodeSnapshot master = snapshot.master();
			int replicasUp = (int) snapshot.replicas()
				.stream()
				.filter((replica) -> replica.status() == NodeStatus.UP)
				.count();
			return new GroupHealth(snapshot.state().name(), (master != null) ? master.address().toString() : null,
					master != null && master.status() == NodeStatus.UP, replicasUp, snapshot.replicas().size(),
					snapshot.members().size());
		}

	}

}
