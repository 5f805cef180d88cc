package io.redisha.member;

import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerOptions;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.GroupState;
import io.redisha.testing.Members;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Redis Cluster node or a Sentinel listed among a group's nodes is refused, saying why
 * on the endpoint, in health and in the log; the group's real nodes work on.
 */
@ExtendWith(OutputCaptureExtension.class)
class UnsupportedNodeTest {

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(1);

	private final Members members = new Members();

	@AfterEach
	void stopMembers() {
		this.members.close();
	}

	@Test
	void aClusterNodeListedAsANodeIsRefused(CapturedOutput output) {
		RedisServerProcess cluster = redis
			.startServer(RedisServerOptions.defaults().withArgument("cluster-enabled", "yes"));
		RedisHaMember member = this.members.start(redis.group().master(), cluster);
		String refusal = address(cluster) + " is a Redis Cluster node (redis_mode:cluster)";
		awaitRefused(member, cluster, refusal);
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> {
			GroupSnapshot snapshot = snapshot(member);
			assertThat(snapshot.state()).isEqualTo(GroupState.OK);
			assertThat(snapshot.master().address()).isEqualTo(address(redis.group().master()));
			assertThat(snapshot.replicas()).filteredOn((replica) -> replica.status() == NodeStatus.UP)
				.extracting(GroupSnapshot.NodeSnapshot::address)
				.containsExactly(address(redis.group().node(1)));
		});
		assertThat(output.getOut()).contains("Redis node " + address(cluster) + " refused: " + refusal);
		assertThat(cluster.command("INFO", "replication").toString()).contains("role:master");
	}

	@Test
	void aSentinelListedAsANodeIsRefused() {
		RedisServerProcess sentinel = redis.startServer(RedisServerOptions.defaults().asSentinel());
		RedisHaMember member = this.members.start(sentinel);
		awaitRefused(member, sentinel, address(sentinel) + " is a Redis Sentinel (redis_mode:sentinel)");
		assertThat(snapshot(member).master()).isNull();
	}

	private static void awaitRefused(RedisHaMember member, RedisServerProcess node, String refusal) {
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> Members.assertNodeProblem(member, node, refusal));
	}

}
