package io.redisha.failover;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent.Type;

import static io.redisha.failover.ScenarioMembers.DOWN_AFTER;
import static io.redisha.failover.ScenarioMembers.FAILOVER_TIMEOUT;
import static io.redisha.failover.ScenarioMembers.FAILOVER_WITHIN;
import static io.redisha.failover.ScenarioMembers.address;
import static io.redisha.failover.ScenarioMembers.awaitFollowing;
import static io.redisha.failover.ScenarioMembers.awaitRole;
import static io.redisha.failover.ScenarioMembers.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The leader stops the moment its promotion of a replica is confirmed, before it repointed
 * the other replica: the remaining members must finish the job with one master.
 */
class LeaderCrashTest {

	@RegisterExtension
	static final FailoverScenario scenario = FailoverScenario.withReplicas(2);

	@Test
	void leaderStoppedRightAfterThePromotionStillEndsWithOneMasterFollowedByTheOtherReplica() {
		LocalRedisGroup group = scenario.group();
		ScenarioMembers members = scenario.startMembers(3, 2);
		AtomicReference<ScenarioMembers.Member> leader = new AtomicReference<>();
		AtomicReference<CompletableFuture<Void>> leaderStopped = new AtomicReference<>();
		members.onEvent((emitted) -> {
			if (emitted.event().type() == Type.PROMOTED_REPLICA && leader.compareAndSet(null, emitted.member())) {
				// The listener runs on the leader's group thread: stop it from another one.
				leaderStopped.set(CompletableFuture.runAsync(emitted.member().runtime()::stop));
			}
		});
		NodeAddress oldMaster = address(group.master());

		group.master().kill();

		await("a leader promotes a replica and is stopped").atMost(FAILOVER_WITHIN)
			.until(() -> leaderStopped.get() != null && leaderStopped.get().isDone());
		assertThat(leaderStopped.get()).isCompleted();
		assertThat(members.running()).hasSize(2).doesNotContain(leader.get());
		NodeAddress newMaster = members.awaitNewMaster(oldMaster,
				DOWN_AFTER.plus(FAILOVER_TIMEOUT.multipliedBy(3)));
		List<RedisServerProcess> replicas = group.replicas();
		assertThat(replicas).extracting(ScenarioMembers::address).contains(newMaster);
		for (RedisServerProcess other : ScenarioMembers.otherLiveNodes(group, newMaster)) {
			awaitFollowing(other, newMaster);
		}
		awaitRole(node(group, newMaster), "master");
		assertThat(replicas).filteredOn((replica) -> "master".equals(replica.role()))
			.extracting(ScenarioMembers::address)
			.containsExactly(newMaster);
	}

}
