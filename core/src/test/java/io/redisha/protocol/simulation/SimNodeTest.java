package io.redisha.protocol.simulation;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.Action;
import io.redisha.protocol.Configuration;
import io.redisha.protocol.MinReplicas;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ReplicationInfo;
import io.redisha.protocol.Reply;
import io.redisha.protocol.RoleCommand;
import io.redisha.protocol.RoleInfo;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulated Redis node on its own: its INFO text goes through the real
 * {@link ReplicationInfo#parse(String)}, its commands change its role and history as
 * Redis does, and its data keeps what it received through replication, restarts and
 * promotions.
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
		assertThat(info.replicas()).containsExactly(new ReplicationInfo.ReplicaEntry(REPLICA, "online", 5000, 0));
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
	void aFencedMasterTakesWritesOnlyWhileAReplicaAcknowledgedWithinMaxLagAsRedisCountsIt() {
		MinReplicas fence = new MinReplicas(1, Duration.ofSeconds(1));
		this.master.manageFence(fence);
		Action.FenceMaster fenceMaster = new Action.FenceMaster(MASTER, fence);
		assertThat(execute(this.master, fenceMaster, 0)).isEqualTo(new Reply.Text("1", false));
		assertThat(execute(this.master, fenceMaster, 0)).isEqualTo(new Reply.Text("0", false));
		assertThat(this.master.takesWrites(0)).isFalse();
		this.master.acknowledged(REPLICA, 1000);
		assertThat(this.master.takesWrites(1000)).isTrue();
		// Whole seconds of lag, recounted once a second: up to max-lag plus two seconds.
		assertThat(this.master.takesWrites(3999)).isTrue();
		assertThat(this.master.takesWrites(4000)).isFalse();
		// The group's own writes pass it, in the runtime's block that sets it again.
		Action.StoreConfiguration store = new Action.StoreConfiguration(MASTER,
				new Configuration(1, 0, MASTER, List.of("m1", "m2")));
		assertThat(execute(this.master, store, 4000)).isEqualTo(new Reply.Text("1", false));
		assertThat(execute(this.master, new Action.RecordDeparture(MASTER, "m2", new Configuration.Departure(1, 0, 1)),
				4000))
			.isEqualTo(new Reply.Text("1", false));
		assertThat(this.master.takesWrites(4000)).isFalse();
		// A demotion clears it, and the config file keeps that across a restart.
		execute(this.master, new Action.Replicate(MASTER, REPLICA, 1, fence), 4000);
		this.master.kill(4000);
		this.master.restart(5000, 0, SimNode.Restart.AS_STANDALONE_MASTER);
		assertThat(this.master.takesWrites(5000)).isTrue();
	}

	@Test
	void restartedNodeLoadsBeforeAnswering() {
		this.master.write(1000);
		String runId = this.master.runId();
		String replid = this.master.replid();
		this.master.kill(1000);
		this.master.restart(2000, 800, SimNode.Restart.FROM_DISK);
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
		assertThat(info.secondReplicationId()).as("Redis 7 from RDB: the old one is its second").isEqualTo(replid);
		assertThat(info.secondReplicationOffset()).isEqualTo(1001);
		assertThat(info.offset()).as("it keeps its stale data").isEqualTo(1000);
		assertThat(info.role()).isEqualTo(ReplicationInfo.Role.MASTER);
	}

	@Test
	void aPromotionRefusingStreamingLeavesAReplicaOfALiveMasterAloneAsNodeLinkDoes() {
		this.replica.startSync(0, this.master);
		this.replica.progressSync(3000, this.master, 0);
		Action.Promote late = new Action.Promote(REPLICA, 3, MinReplicas.UNMANAGED, RoleCommand.REPLICAOF, 3);
		assertThat(execute(this.replica, late, 4000)).isInstanceOfSatisfying(Reply.Text.class, (text) -> {
			assertThat(text.error()).isTrue();
			assertThat(text.text()).startsWith(Action.Promote.STREAMING);
		});
		assertThat(this.replica.isMaster()).isFalse();
		assertThat(((Reply.Info) execute(this.replica, late, 7100)).info().role())
			.as("nothing heard from the master for over 3 s")
			.isEqualTo(ReplicationInfo.Role.MASTER);
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
		this.replica.restart(5000, 0, SimNode.Restart.FROM_DISK);
		assertThat(this.replica.isMaster()).as("CONFIG REWRITE kept the promotion").isTrue();
	}

	@Test
	void demotedMasterContinuesPartiallyOnlyIfItWroteNothingAfterTheSplit() {
		this.master.write(700);
		this.replica.startSync(0, this.master);
		this.replica.progressSync(3000, this.master, 700);
		this.replica.promote(4000, 3);
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

	@Test
	void replicaHoldsWhatItReceivedAndKeepsItWhenPromoted() {
		AcknowledgedWrite first = write(this.master, 500, 100);
		this.replica.startSync(200, this.master);
		this.replica.progressSync(2500, this.master, this.master.offset());
		AcknowledgedWrite second = write(this.master, 300, 2600);
		this.replica.progressSync(2700, this.master, 500);
		assertThat(this.replica.lineage().contains(first)).isTrue();
		assertThat(this.replica.lineage().contains(second)).as("not replicated yet").isFalse();
		this.master.kill(2800);
		this.replica.promote(3000, 7);
		AcknowledgedWrite third = write(this.replica, 50, 3100);
		assertThat(this.replica.lineage().contains(first)).as("kept under the new replication id").isTrue();
		assertThat(this.replica.lineage().contains(third)).isTrue();
		assertThat(this.replica.lineage().head().epoch()).isEqualTo(7);
		assertThat(this.master.lineage().contains(third)).isFalse();
	}

	@Test
	void demotedMasterKeepsItsPrefixInAPartialResyncAndLosesItsOwnWritesInAFullOne() {
		this.replica.startSync(0, this.master);
		this.replica.progressSync(2500, this.master, 0);
		AcknowledgedWrite replicated = write(this.master, 400, 2600);
		this.replica.progressSync(2700, this.master, this.master.offset());
		AcknowledgedWrite afterTheSplit = write(this.master, 80, 2800);
		this.replica.promote(3000, 4);
		AcknowledgedWrite onTheNewMaster = write(this.replica, 60, 3100);
		this.master.replicate(REPLICA, 3200);
		this.master.startSync(3200, this.replica);
		this.master.progressSync(6000, this.replica, this.replica.offset());
		assertThat(this.master.lineage().contains(replicated)).isTrue();
		assertThat(this.master.lineage().contains(onTheNewMaster)).isTrue();
		assertThat(this.master.lineage().contains(afterTheSplit)).as("replaced by the new master's data").isFalse();
	}

	@Test
	void restartWithoutPersistenceComesBackEmptyAndWithPersistenceWithItsData() {
		AcknowledgedWrite written = write(this.master, 900, 100);
		this.replica.startSync(200, this.master);
		this.replica.progressSync(2500, this.master, this.master.offset());
		String replid = this.master.replid();
		this.master.kill(3000);
		this.master.restart(4000, 0, SimNode.Restart.EMPTY);
		assertThat(this.master.isMaster()).isTrue();
		assertThat(this.master.offset()).isZero();
		assertThat(this.master.replid()).isNotEqualTo(replid);
		assertThat(this.master.lineage().contains(written)).isFalse();
		this.replica.kill(5000);
		this.replica.restart(6000, 0, SimNode.Restart.FROM_DISK);
		assertThat(this.replica.isMaster()).isFalse();
		assertThat(this.replica.replid()).as("a replica resyncs partially after a restart").isEqualTo(replid);
		assertThat(this.replica.lineage().contains(written)).isTrue();
		this.replica.kill(7000);
		this.replica.restart(8000, 0, SimNode.Restart.AS_STANDALONE_MASTER);
		assertThat(this.replica.isMaster()).isTrue();
		assertThat(this.replica.lineage().contains(written)).isTrue();
		assertThat(this.replica.replid()).isNotEqualTo(replid);
	}

	@Test
	void replicasOfANodeWhoseDataWasReplacedResync() {
		SimNode chained = new SimNode(new NodeAddress("10.0.0.3", 6379), 100, REPLICA, 0, this.random);
		this.replica.startSync(0, this.master);
		this.replica.progressSync(2500, this.master, 0);
		chained.startSync(2500, this.replica);
		chained.progressSync(5000, this.replica, 0);
		assertThat(chained.linkUp()).isTrue();
		SimNode other = new SimNode(new NodeAddress("10.0.0.4", 6379), 100, null, 0, this.random);
		write(other, 700, 5100);
		this.replica.replicate(other.address(), 5200);
		this.replica.startSync(5200, other);
		this.replica.progressSync(8000, other, other.offset());
		chained.progressSync(8100, this.replica, this.replica.offset());
		assertThat(chained.linkUp()).as("its master full-resynced: it must resync too").isFalse();
	}

	/** A client's write on the node, as the world records it. */
	private static AcknowledgedWrite write(SimNode node, long bytes, long now) {
		long offset = node.write(bytes);
		return new AcknowledgedWrite(offset, "m1.1", node.address(), node.lineage().head(), offset, now, true,
				Map.of());
	}

	private static Reply execute(SimNode node, Action.NodeCommand command, long now) {
		return node.execute(command, now, List.of());
	}

	private static ReplicationInfo info(SimNode node, long now, List<SimNode> replicas) {
		Reply reply = node.execute(new Action.QueryInfo(node.address()), now, replicas);
		return ((Reply.Info) reply).info();
	}

}
