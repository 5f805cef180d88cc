package io.redisha.protocol.simulation;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.Action;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ReplicationInfo;
import io.redisha.protocol.Reply;
import io.redisha.protocol.RoleInfo;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulated Redis node on its own: its INFO text goes through the real
 * {@link ReplicationInfo#parse(String)}, and its commands change its role and history as
 * Redis does.
 */
class SimNodeTest {

	private static final NodeAddress MASTER = new NodeAddress("10.0.0.1", 6379);

	private static final NodeAddress REPLICA = new NodeAddress("10.0.0.2", 6380);

	private final SplittableRandom random = new SplittableRandom(7);

	private final SimNode master = new SimNode(MASTER, 100, null, 0, this.random);

	private final SimNode replica = new SimNode(REPLICA, 25, MASTER, 0, this.random);

	@Test
	void masterInfoParsesWithItsReplicas() {
		this.master.write(5000);
		this.replica.startSync(0, this.master);
		this.replica.progressSync(10_000, this.master, 4000);
		ReplicationInfo info = info(this.master, 12_000, List.of(this.replica));
		assertThat(info.role()).isEqualTo(ReplicationInfo.Role.MASTER);
		assertThat(info.runId()).isEqualTo(this.master.runId()).hasSize(40);
		assertThat(info.version()).isEqualTo("7.2.4");
		assertThat(info.replicationId()).isEqualTo(this.master.replid());
		assertThat(info.offset()).isEqualTo(5000);
		assertThat(info.loading()).isFalse();
		assertThat(info.master()).isNull();
		assertThat(info.replicas())
			.containsExactly(new ReplicationInfo.ReplicaEntry(REPLICA, "online", 5000, 0));
	}

	@Test
	void replicaInfoParsesWithItsMasterLinkAndPriority() {
		this.master.write(300);
		this.replica.startSync(0, this.master);
		this.replica.progressSync(5000, this.master, 300);
		ReplicationInfo info = info(this.replica, 6000, List.of());
		assertThat(info.role()).isEqualTo(ReplicationInfo.Role.REPLICA);
		assertThat(info.master()).isEqualTo(MASTER);
		assertThat(info.masterLinkUp()).isTrue();
		assertThat(info.masterLinkDownSeconds()).isEqualTo(-1);
		assertThat(info.offset()).isEqualTo(300);
		assertThat(info.priority()).isEqualTo(25);
		assertThat(info.replicationId()).isEqualTo(this.master.replid());
		String text = this.replica.info(6000, List.of());
		assertThat(text).contains("\r\nmaster_sync_in_progress:0\r\n", "\r\nslave_read_only:1\r\n",
				"\r\nmaster_replid2:0000000000000000000000000000000000000000\r\n");
	}

	@Test
	void replicaWhoseMasterDiedSaysSinceWhen() {
		this.replica.startSync(0, this.master);
		this.replica.progressSync(5000, this.master, 0);
		this.replica.dropLink(7000);
		ReplicationInfo info = info(this.replica, 19_500, List.of());
		assertThat(info.masterLinkUp()).isFalse();
		assertThat(info.masterLinkDownSeconds()).isEqualTo(12);
	}

	@Test
	void restartedNodeLoadsBeforeAnswering() {
		this.master.write(1000);
		String runId = this.master.runId();
		String replid = this.master.replid();
		this.master.kill(1000);
		this.master.restart(2000, 800);
		assertThat(execute(this.master, new Action.Ping(MASTER), 2500))
			.isEqualTo(new Reply.Text("LOADING Redis is loading the dataset in memory", true));
		assertThat(info(this.master, 2500, List.of()).loading()).isTrue();
		assertThat(execute(this.master, new Action.Promote(MASTER, 1), 2500)).isInstanceOf(Reply.Text.class)
			.extracting((reply) -> ((Reply.Text) reply).error())
			.isEqualTo(true);
		assertThat(execute(this.master, new Action.Ping(MASTER), 2800)).isEqualTo(new Reply.Text("PONG", false));
		ReplicationInfo info = info(this.master, 2800, List.of());
		assertThat(info.runId()).isNotEqualTo(runId);
		assertThat(info.replicationId()).as("a restarted master starts a new history").isNotEqualTo(replid);
		assertThat(info.offset()).as("it keeps its stale data").isEqualTo(1000);
		assertThat(info.role()).isEqualTo(ReplicationInfo.Role.MASTER);
	}

	@Test
	void promotionStartsNewHistoryAndRemembersTheOldOneAsRedisDoes() {
		this.master.write(700);
		this.replica.startSync(0, this.master);
		this.replica.progressSync(3000, this.master, 700);
		String oldReplid = this.replica.replid();
		assertThat(((Reply.Info) execute(this.replica, new Action.Promote(REPLICA, 3), 4000)).info().role())
			.isEqualTo(ReplicationInfo.Role.MASTER);
		assertThat(execute(this.replica, new Action.QueryRole(REPLICA), 4000))
			.isEqualTo(new Reply.Role(new RoleInfo(true, 700, null)));
		assertThat(this.replica.replid()).isNotEqualTo(oldReplid);
		assertThat(this.replica.replid2()).isEqualTo(oldReplid);
		assertThat(this.replica.info(4000, List.of())).contains("\r\nsecond_repl_offset:701\r\n");
		this.master.kill(4000);
		this.replica.kill(4500);
		this.replica.restart(5000, 0);
		assertThat(this.replica.isMaster()).as("CONFIG REWRITE kept the promotion").isTrue();
	}

	@Test
	void demotedMasterContinuesPartiallyOnlyIfItWroteNothingAfterTheSplit() {
		this.master.write(700);
		this.replica.startSync(0, this.master);
		this.replica.progressSync(3000, this.master, 700);
		this.replica.promote(4000);
		this.replica.write(50);
		execute(this.master, new Action.Replicate(MASTER, REPLICA, 3), 5000);
		this.master.startSync(5000, this.replica);
		this.master.progressSync(5500, this.replica, 750);
		assertThat(this.master.linkUp()).as("partial resync within 500 ms").isTrue();
		assertThat(this.master.offset()).isEqualTo(750);

		SimNode other = new SimNode(new NodeAddress("10.0.0.3", 6379), 100, null, 0, this.random);
		other.write(900);
		execute(other, new Action.Replicate(other.address(), REPLICA, 3), 6000);
		other.startSync(6000, this.replica);
		other.progressSync(6500, this.replica, 750);
		assertThat(other.linkUp()).as("a diverged history needs a full resync").isFalse();
		other.progressSync(8000, this.replica, 750);
		assertThat(other.linkUp()).isTrue();
		assertThat(other.offset()).as("its own writes are lost").isEqualTo(750);
		assertThat(other.replid()).isEqualTo(this.replica.replid());
	}

	@Test
	void masterReplicatingItselfKeepsItsDataStreamsToItsReplicasAndResyncsNone() {
		this.master.write(700);
		this.replica.startSync(0, this.master);
		this.replica.progressSync(3000, this.master, 500);
		ReplicationInfo demoted = ((Reply.Info) execute(this.master, new Action.Replicate(MASTER, MASTER, 3), 4000))
			.info();
		assertThat(demoted.role()).isEqualTo(ReplicationInfo.Role.REPLICA);
		assertThat(demoted.master()).isEqualTo(MASTER);
		assertThat(demoted.offset()).as("the final offset, in the block's INFO").isEqualTo(700);
		assertThat(this.master.takesWrites(4000)).isFalse();
		this.replica.progressSync(4100, this.master, 700);
		assertThat(this.replica.offset()).as("Redis 7 keeps streaming to its replicas").isEqualTo(700);

		this.replica.dropLink(4200);
		this.replica.startSync(4300, this.master);
		assertThat(this.replica.isSyncing()).as("NOMASTERLINK: no new sync from it").isFalse();
		assertThat(this.master.offset()).isEqualTo(700);
	}

	private static Reply execute(SimNode node, Action.NodeCommand command, long now) {
		return node.execute(command, now, List.of());
	}

	private static ReplicationInfo info(SimNode node, long now, List<SimNode> replicas) {
		Reply reply = node.execute(new Action.QueryInfo(node.address()), now, replicas);
		return ((Reply.Info) reply).info();
	}

}
