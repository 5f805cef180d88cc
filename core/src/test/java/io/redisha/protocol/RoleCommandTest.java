package io.redisha.protocol;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.simulation.SimCluster;
import io.redisha.protocol.simulation.SimCluster.Member;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coordinator decides which command changes a node's role ({@code REPLICAOF} or
 * {@code SLAVEOF}): from the node's version, and from what the node answered.
 */
class RoleCommandTest {

	private final SimCluster cluster = new SimCluster(SimCluster.config(2, "10.0.0.1:6379"));

	private final SimCluster.Node master = this.cluster.master("10.0.0.1:6379");

	@Test
	void serversBeforeRedis5TakeSlaveofAndAVersionThatSaysNothingDecidesNothing() {
		assertThat(RoleCommand.forVersion("4.0.14")).isEqualTo(RoleCommand.SLAVEOF);
		assertThat(RoleCommand.forVersion("3")).isEqualTo(RoleCommand.SLAVEOF);
		assertThat(RoleCommand.forVersion("5.0.0")).isEqualTo(RoleCommand.REPLICAOF);
		assertThat(RoleCommand.forVersion("7.2.4")).isEqualTo(RoleCommand.REPLICAOF);
		assertThat(RoleCommand.forVersion("")).isNull();
		assertThat(RoleCommand.forVersion("v7.2")).isNull();
		assertThat(RoleCommand.forVersion("-1.0")).isNull();
		assertThat(RoleCommand.forVersion("99999999999999999999.0")).isNull();
	}

	@Test
	void aNodeThatAnswersTheCommandIsUnknownGetsTheOtherOne() {
		SimCluster.Node stray = this.cluster.master("10.0.0.4:6379");
		stray.renameAway(RoleCommand.REPLICAOF);
		Member member = this.cluster.member("a", SimCluster.config(2, "10.0.0.1:6379", "10.0.0.4:6379"));
		this.cluster.runUntil(30_000, (cluster) -> this.master.address().equals(stray.following()));
		assertThat(stray.following()).isEqualTo(this.master.address());
		assertThat(member.actions(Action.Replicate.class)).extracting(Action.Replicate::command)
			.containsExactly(RoleCommand.REPLICAOF, RoleCommand.SLAVEOF);
	}

	@Test
	void aRestartForgetsTheRefusal() {
		SimCluster.Node node = this.cluster.master("10.0.0.4:6379");
		NodeState state = new NodeState(node.address(), 0);
		state.info(0, ReplicationInfo.parse("redis_version:7.2.4\r\nrun_id:a\r\nrole:master\r\n"));
		assertThat(state.roleCommand()).isEqualTo(RoleCommand.REPLICAOF);
		state.roleChangeAnswered(RoleCommand.REPLICAOF, new Reply.Failed(
				"Replicate on 10.0.0.4:6379 answered an error: ERR unknown command 'REPLICAOF', with args beginning with: "));
		assertThat(state.roleCommand()).isEqualTo(RoleCommand.SLAVEOF);
		state.roleChangeAnswered(RoleCommand.SLAVEOF, new Reply.Failed("connection refused"));
		assertThat(state.roleCommand()).isEqualTo(RoleCommand.SLAVEOF);
		state.info(100, ReplicationInfo.parse("redis_version:7.2.4\r\nrun_id:b\r\nrole:master\r\n"));
		assertThat(state.roleCommand()).isEqualTo(RoleCommand.REPLICAOF);
	}

	@Test
	void withoutAVersionTheCommandIsReplicaof() {
		NodeState state = new NodeState(this.master.address(), 0);
		assertThat(state.roleCommand()).isEqualTo(RoleCommand.REPLICAOF);
		state.info(0, ReplicationInfo.parse("redis_version:\r\nrun_id:a\r\nrole:master\r\n"));
		assertThat(state.roleCommand()).isEqualTo(RoleCommand.REPLICAOF);
		state.roleChangeAnswered(RoleCommand.REPLICAOF, new Reply.Text("ERR unknown command 'replicaof'", true));
		assertThat(state.roleCommand()).isEqualTo(RoleCommand.SLAVEOF);
	}

}
