package io.redisha.failover;

import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.TcpProxy;
import io.redisha.protocol.GroupState;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.testing.Members;

import static io.redisha.testing.Members.DOWN_AFTER;
import static io.redisha.testing.Members.EVENTUALLY;
import static io.redisha.testing.Members.address;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One member cut off from the master alone sees it down, but one opinion is not a quorum:
 * nothing is failed over. The member reaches the master through a proxy (its connect
 * address differs from the address the nodes announce, as behind NAT), and the proxy is
 * cut.
 */
class PartitionedMemberTest {

	@RegisterExtension
	static final FailoverScenario scenario = FailoverScenario.withReplicas(2);

	@Test
	void memberCutOffFromTheMasterAloneDoesNotFailOver() {
		LocalRedisGroup group = scenario.group();
		NodeAddress master = address(group.master());
		TcpProxy proxy = scenario.proxyTo(group.master());
		NodeAddress viaProxy = NodeAddress.parse(proxy.address());
		UnaryOperator<NodeAddress> cutOff = (node) -> node.equals(master) ? viaProxy : node;
		Members members = scenario.startMembers(2, List.of(cutOff, UnaryOperator.identity(), UnaryOperator.identity()));
		Members.Member isolated = members.all().get(0);
		List<Members.Member> others = members.all().subList(1, 3);

		proxy.cut();

		await("the cut-off member sees the master down").atMost(EVENTUALLY)
			.until(() -> isolated.snapshot().state() == GroupState.SDOWN);
		await("no failover for 3 x down-after").during(DOWN_AFTER.multipliedBy(3))
			.atMost(DOWN_AFTER.multipliedBy(4))
			.until(() -> isolated.snapshot().state() == GroupState.SDOWN
					&& others.stream().allMatch((member) -> member.snapshot().state() == GroupState.OK)
					&& master.equals(members.agreedMaster())
					&& !members.anyEmitted(Type.ODOWN, Type.TRY_FAILOVER, Type.PROMOTED_REPLICA));
		assertThat(group.replicas()).allMatch((replica) -> "slave".equals(replica.role()));

		proxy.restore();

		await("the member sees the master again").atMost(EVENTUALLY)
			.until(() -> isolated.snapshot().state() == GroupState.OK);
		assertThat(members.agreedMaster()).isEqualTo(master);
	}

}
