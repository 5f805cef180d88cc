package io.redisha.member;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.embedded.TcpProxy;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.NodeAddress;
import io.redisha.testing.Members;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Members watching nodes die, come back and join: a fresh group for each test. */
class MemberFailureTest {

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(2);

	private final Members members = new Members();

	@AfterEach
	void stopMembers() {
		this.members.close();
	}

	@Test
	void killedReplicaIsDownWithinDownAfterPlusOneSecondAndUpAfterRestart() {
		RedisHaMember member = this.members.start(redis.group().master());
		RedisServerProcess replica = redis.group().node(1);
		await().atMost(Members.EVENTUALLY).until(() -> status(member, address(replica)) == NodeStatus.UP);
		replica.kill();
		await().atMost(Members.EVENTUALLY).until(() -> status(member, address(replica)) == NodeStatus.DOWN);
		assertThat(member.connectionProblems(Members.GROUP)).containsKey(address(replica));
		assertThat(snapshot(member).master().status()).isEqualTo(NodeStatus.UP);
		replica.restart();
		await().atMost(Members.EVENTUALLY).until(() -> status(member, address(replica)) == NodeStatus.UP);
		assertThat(member.connectionProblems(Members.GROUP)).doesNotContainKey(address(replica));
	}

	@Test
	void replicaAddedAtRuntimeAppears() {
		RedisHaMember member = this.members.start(redis.group().node(1));
		await().atMost(Members.EVENTUALLY).until(() -> replicaCount(member) == 2);
		RedisServerProcess added = redis.group().addReplica();
		// INFO is read every second in these tests.
		await().atMost(Members.EVENTUALLY).until(() -> status(member, address(added)) == NodeStatus.UP);
		assertThat(replicaCount(member)).isEqualTo(3);
	}

	@Test
	void memberCutOffFromTheMasterThroughItsProxySeesItDownAndOthersDoNot() {
		Map<NodeAddress, TcpProxy> proxies = new HashMap<>();
		for (RedisServerProcess node : redis.group().nodes()) {
			proxies.put(address(node), redis.proxyTo(node));
		}
		UnaryOperator<NodeAddress> viaProxy = (node) -> {
			TcpProxy proxy = proxies.get(node);
			return (proxy != null) ? new NodeAddress(proxy.host(), proxy.port()) : node;
		};
		RedisHaMember isolated = this.members.start(1, null, null, viaProxy, redis.group().master());
		RedisHaMember connected = this.members.start(redis.group().master());
		NodeAddress master = address(redis.group().master());
		await().atMost(Members.EVENTUALLY)
			.until(() -> status(isolated, master) == NodeStatus.UP && snapshot(isolated).members().size() == 2
					&& snapshot(isolated).replicas().size() == 2);
		// Both voters: an observer's opinions are nobody's concern, and it says hello on
		// its master only.
		Members.awaitElectorate(List.of(isolated, connected));
		proxies.get(master).cut();
		await().atMost(Members.EVENTUALLY).until(() -> status(isolated, master) == NodeStatus.DOWN);
		assertThat(status(connected, master)).isEqualTo(NodeStatus.UP);
		// The PING under way fails once the command timeout has passed.
		await().atMost(Members.EVENTUALLY)
			.untilAsserted(() -> assertThat(isolated.connectionProblems(Members.GROUP)).containsKey(master));
		// Gossip still flows through the replicas.
		await().atMost(Members.EVENTUALLY)
			.untilAsserted(() -> assertThat(snapshot(connected).members())
				.extracting(GroupSnapshot.MemberSnapshot::seesMasterDown)
				.containsExactlyInAnyOrder(true, false));
		proxies.get(master).restore();
		await().atMost(Members.EVENTUALLY).until(() -> status(isolated, master) == NodeStatus.UP);
	}

	private static long replicaCount(RedisHaMember member) {
		GroupSnapshot snapshot = snapshot(member);
		return (snapshot != null) ? snapshot.replicas().size() : 0;
	}

	static NodeStatus status(RedisHaMember member, NodeAddress node) {
		GroupSnapshot snapshot = snapshot(member);
		if (snapshot == null) {
			return null;
		}
		if (snapshot.master() != null && snapshot.master().address().equals(node)) {
			return snapshot.master().status();
		}
		return snapshot.replicas()
			.stream()
			.filter((replica) -> replica.address().equals(node))
			.map(NodeSnapshot::status)
			.findFirst()
			.orElse(null);
	}

}
