package io.redisha.protocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicaSelectorTest {

	private static final NodeAddress FAILED = NodeAddress.parse("10.0.0.1:6379");

	private static final String HISTORY = "aaaa";

	private final Timers timers = Timers.of(TestCluster.config(2, "10.0.0.1:6379"));

	private final ReplicaSelector selector = new ReplicaSelector(this.timers);

	private final List<NodeState> nodes = new ArrayList<>();

	private final long now = 100_000;

	ReplicaSelectorTest() {
		NodeState master = new NodeState(FAILED, 0);
		master.validReply(this.now - 1500, this.timers.downAfter());
		this.nodes.add(master);
	}

	private NodeState replica(String address, String extraInfo) {
		NodeState node = new NodeState(NodeAddress.parse(address), 0);
		node.validReply(this.now - 50, this.timers.downAfter());
		node.info(this.now - 100, ReplicationInfo.parse("role:slave\nmaster_host:10.0.0.1\nmaster_port:6379\n"
				+ "master_link_status:up\nslave_repl_offset:1000\nslave_priority:100\nrun_id:run-" + address
				+ "\nmaster_replid:" + HISTORY + "\n" + extraInfo));
		this.nodes.add(node);
		return node;
	}

	private Optional<NodeAddress> choice() {
		return this.selector.select(this.nodes, FAILED, HISTORY, this.now).map((c) -> c.node().address());
	}

	@Test
	void prefersLowerPriorityThenLargerOffsetThenSmallerRunId() {
		replica("10.0.0.2:1", "slave_repl_offset:5000\n");
		replica("10.0.0.3:1", "slave_priority:50\n");
		assertThat(choice()).hasValue(NodeAddress.parse("10.0.0.3:1"));
		this.nodes.remove(2);
		replica("10.0.0.4:1", "slave_repl_offset:5000\n");
		assertThat(choice()).hasValue(NodeAddress.parse("10.0.0.2:1"));
		this.nodes.remove(1);
		replica("10.0.0.5:1", "slave_repl_offset:4000\n");
		assertThat(choice()).hasValue(NodeAddress.parse("10.0.0.4:1"));
	}

	@Test
	void skipsPriorityZeroDownStaleAndLongDisconnectedReplicas() {
		replica("10.0.0.2:1", "slave_priority:0\n");
		NodeState down = replica("10.0.0.3:1", "");
		down.validReply(this.now - 5000, this.timers.downAfter());
		NodeState stale = replica("10.0.0.4:1", "");
		stale.info(this.now - 5000, stale.info());
		replica("10.0.0.5:1", "master_link_status:down\nmaster_link_down_since_seconds:60\n");
		assertThat(choice()).isEmpty();
		replica("10.0.0.6:1", "master_link_status:down\nmaster_link_down_since_seconds:2\n");
		assertThat(choice()).hasValue(NodeAddress.parse("10.0.0.6:1"));
	}

	@Test
	void neverPromotesANodeReplicatingAnotherHistory() {
		replica("10.0.0.2:1", "master_host:10.9.9.9\nmaster_replid:bbbb\n");
		assertThat(choice()).isEmpty();
		replica("10.0.0.3:1", "master_host:10.9.9.9\n");
		assertThat(choice()).as("same history through another address").hasValue(NodeAddress.parse("10.0.0.3:1"));
	}

	@Test
	void adoptsAReplicaAnEarlierLeaderAlreadyPromoted() {
		replica("10.0.0.2:1", "slave_repl_offset:9000\n");
		NodeState promoted = replica("10.0.0.3:1", "");
		promoted.info(this.now - 50, ReplicationInfo.parse("role:master\nrun_id:x\nmaster_replid:cccc\n"));
		Optional<ReplicaSelector.Choice> choice = this.selector.select(this.nodes, FAILED, HISTORY, this.now);
		assertThat(choice).hasValueSatisfying((c) -> {
			assertThat(c.node()).isSameAs(promoted);
			assertThat(c.alreadyPromoted()).isTrue();
		});
	}

	@Test
	void adoptsTheMasterTheFailedMasterItselfNowFollows() {
		NodeState other = new NodeState(NodeAddress.parse("10.0.0.3:1"), 0);
		other.validReply(this.now - 50, this.timers.downAfter());
		other.info(this.now - 50, ReplicationInfo.parse("role:master\nrun_id:x\nmaster_replid:cccc\n"));
		this.nodes.add(other);
		assertThat(choice()).isEmpty();
		this.nodes.get(0).info(this.now - 50, ReplicationInfo.parse(
				"role:slave\nmaster_host:10.0.0.3\nmaster_port:1\nmaster_link_status:up\nmaster_replid:cccc\n"));
		assertThat(this.selector.select(this.nodes, FAILED, HISTORY, this.now))
			.hasValueSatisfying((c) -> assertThat(c.alreadyPromoted()).isTrue());
	}

	@Test
	void infoIsStaleAfterThreePingPeriods() {
		assertThat(ReplicaSelector.maxInfoAge(this.timers)).isEqualTo(3 * this.timers.pingEvery());
		assertThat(Timers.of(new GroupConfig("g", List.of(FAILED), 1, Duration.ofSeconds(30), Duration.ofMinutes(3), 1,
				GroupConfig.Timing.defaults())).pingEvery()).isEqualTo(1000);
	}

}
