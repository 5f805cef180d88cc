package io.redisha.failover;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.embedded.TcpProxy;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.testing.Members;

import static io.redisha.testing.Members.EVENTUALLY;
import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.awaitFollowing;
import static io.redisha.testing.Members.awaitRole;
import static io.redisha.testing.Members.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The leader dies the moment its promotion of a replica is confirmed: before it announced
 * the new configuration or repointed the other replica. Each member reaches every node
 * through proxies of its own; the leader's are cut from its listener of
 * {@code +promoted-slave}, on its group thread, so nothing it does after the promotion
 * reaches any node, and it is then stopped. The remaining members must finish the job
 * with exactly one master.
 */
class LeaderCrashTest {

	@RegisterExtension
	static final FailoverScenario scenario = FailoverScenario.withReplicas(2);

	@Test
	void leaderDyingRightAfterThePromotionStillEndsWithOneMasterFollowedByTheOtherReplica() {
		LocalRedisGroup group = scenario.group();
		List<List<TcpProxy>> proxiesOfMember = new ArrayList<>();
		List<UnaryOperator<NodeAddress>> connectVia = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			Map<NodeAddress, NodeAddress> viaProxy = new HashMap<>();
			List<TcpProxy> proxies = new ArrayList<>();
			for (RedisServerProcess node : group.nodes()) {
				TcpProxy proxy = scenario.proxyTo(node);
				proxies.add(proxy);
				viaProxy.put(address(node), NodeAddress.parse(proxy.address()));
			}
			proxiesOfMember.add(proxies);
			connectVia.add((node) -> viaProxy.getOrDefault(node, node));
		}
		Members members = scenario.startMembers(2, connectVia);
		AtomicReference<Members.Member> leader = new AtomicReference<>();
		AtomicReference<CompletableFuture<Void>> leaderStopped = new AtomicReference<>();
		members.onEvent((emitted) -> {
			if (emitted.event().type() == Type.PROMOTED_REPLICA && leader.compareAndSet(null, emitted.member())) {
				proxiesOfMember.get(members.all().indexOf(emitted.member())).forEach(TcpProxy::cut);
				// The listener runs on the leader's group thread: stop it from another
				// one.
				leaderStopped.set(CompletableFuture.runAsync(emitted.member().runtime()::stop));
			}
		});
		NodeAddress oldMaster = address(group.master());

		group.master().kill();

		await("a leader promotes a replica and dies").atMost(EVENTUALLY)
			.until(() -> leaderStopped.get() != null && leaderStopped.get().isDone());
		assertThat(members.running()).hasSize(2).doesNotContain(leader.get());
		NodeAddress newMaster = members.awaitNewMaster(oldMaster);
		List<RedisServerProcess> replicas = group.replicas();
		assertThat(replicas).extracting(Members::address).contains(newMaster);
		for (RedisServerProcess other : Members.otherLiveNodes(group, newMaster)) {
			awaitFollowing(other, newMaster);
		}
		awaitRole(node(group, newMaster), "master");
		// A member may still be repointing a node, whose CLIENT KILL TYPE normal can cut
		// this test's own connection mid-call: ask again until the answer comes.
		await("one master among the replicas").atMost(EVENTUALLY)
			.ignoreExceptions()
			.untilAsserted(() -> assertThat(replicas).filteredOn((replica) -> "master".equals(replica.role()))
				.extracting(Members::address)
				.containsExactly(newMaster));
	}

}
