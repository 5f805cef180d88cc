package io.redisha.protocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.simulation.SimCluster;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicaSelectorTest {

	private static final NodeAddress FAILED = NodeAddress.parse("10.0.0.1:6379");

	private static final String HISTORY = "aaaa";

	private static final long TENURE_EPOCH = 200;

	/**
	 * Available mode: these tests choose among replicas whose link state is staged by
	 * hand.
	 */
	private final Timers timers = Timers.of(SimCluster.config(2, "10.0.0.1:6379")
		.withFencing(new GroupConfig.Fencing(PartitionMode.AVAILABLE, Duration.ofMillis(600))));

	private final ReplicaSelector selector = new ReplicaSelector(this.timers);

	private final List<NodeState> nodes = new ArrayList<>();

	private final long now = 100_000;

	private final NodeState master = new NodeState(FAILED, 0);

	ReplicaSelectorTest() {
		this.master.validReply(this.now - 1500, this.timers.downAfter(), false);
		this.master.info(this.now - 2000, ReplicationInfo
			.parse("role:master\nrun_id:m\nmaster_replid:" + HISTORY + "\nmaster_repl_offset:1000\n"));
		this.nodes.add(this.master);
	}

	private NodeState replica(String address, String extraInfo) {
		NodeState node = new NodeState(NodeAddress.parse(address), 0);
		node.validReply(this.now - 50, this.timers.downAfter(), false);
		node.info(this.now - 100,
				ReplicationInfo.parse("role:slave\nmaster_host:10.0.0.1\nmaster_port:6379\n"
						+ "master_link_status:up\nslave_repl_offset:1000\nslave_priority:100\nrun_id:run-" + address
						+ "\nmaster_replid:" + HISTORY + "\n" + extraInfo));
		this.nodes.add(node);
		return node;
	}

	/**
	 * A replica of the failed master that now answers as a master with this INFO (a
	 * promotion keeps the run id {@code run-<address>}; another one is a restart).
	 */
	private NodeState nowMaster(String address, String info) {
		NodeState node = replica(address, "");
		node.info(this.now - 50, ReplicationInfo.parse(info));
		return node;
	}

	/**
	 * A node answering as a master of history {@code cccc} (run id {@code x}) with
	 * {@code extraInfo}, never seen replicating.
	 */
	private NodeState answeringMaster(String address, String extraInfo) {
		NodeState node = new NodeState(NodeAddress.parse(address), 0);
		node.validReply(this.now - 50, this.timers.downAfter(), false);
		node.info(this.now - 50, ReplicationInfo.parse("role:master\nrun_id:x\nmaster_replid:cccc\n" + extraInfo));
		this.nodes.add(node);
		return node;
	}

	private Optional<NodeAddress> choice() {
		return this.selector.select(this.nodes, FAILED, this.now).map((c) -> c.node().address());
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
		down.validReply(this.now - 5000, this.timers.downAfter(), false);
		NodeState stale = replica("10.0.0.4:1", "");
		stale.info(this.now - 5000, stale.info());
		replica("10.0.0.5:1", "master_link_status:down\nmaster_link_down_since_seconds:60\n");
		assertThat(choice()).isEmpty();
		replica("10.0.0.6:1", "master_link_status:down\nmaster_link_down_since_seconds:2\n");
		assertThat(choice()).hasValue(NodeAddress.parse("10.0.0.6:1"));
	}

	@Test
	void promotesOnlyDataThatContinuesTheGroups() {
		replica("10.0.0.2:1", "slave_repl_offset:9000\nloading:1\n");
		replica("10.0.0.3:1", "slave_repl_offset:9000\nmaster_sync_in_progress:1\nmaster_link_status:down\n");
		replica("10.0.0.4:1", "slave_repl_offset:9000\nmaster_link_status:down\nmaster_link_down_since_seconds:-1\n");
		replica("10.0.0.5:1", "slave_repl_offset:0\nmaster_link_status:down\nmaster_link_down_since_seconds:1\n");
		assertThat(choice()).as("loading, in a full sync, never synced since its restart, cut off empty").isEmpty();
		replica("10.0.0.6:1", "slave_repl_offset:10\nmaster_link_status:down\nmaster_link_down_since_seconds:0\n");
		assertThat(choice()).hasValue(NodeAddress.parse("10.0.0.6:1"));
	}

	@Test
	void aGroupThatNeverTookAWriteHasNoDataToLoseItsReplicasAtOffsetZeroArePromoted() {
		this.master.info(this.now - 2000,
				ReplicationInfo.parse("role:master\nrun_id:m\nmaster_replid:" + HISTORY + "\nmaster_repl_offset:0\n"));
		replica("10.0.0.2:1", "slave_repl_offset:0\n");
		assertThat(choice()).hasValue(NodeAddress.parse("10.0.0.2:1"));
	}

	@Test
	void aReplicaWithItsLinkUpReceivesTheDataOnlyOneCutOffMustHoldSomeOfIt() {
		replica("10.0.0.3:1", "slave_repl_offset:0\n");
		assertThat(choice()).as("its INFO read before the master's first write")
			.hasValue(NodeAddress.parse("10.0.0.3:1"));
	}

	@Test
	void neverPromotesANodeReplicatingAnotherHistory() {
		replica("10.0.0.2:1", "master_host:10.9.9.9\nmaster_replid:bbbb\n");
		assertThat(choice()).isEmpty();
		replica("10.0.0.3:1", "master_host:10.9.9.9\n");
		assertThat(choice()).as("same history through another address").hasValue(NodeAddress.parse("10.0.0.3:1"));
	}

	@Test
	void neverPromotesAReplicaOfTheFailedMasterWhoseHistoryIsNotTheOneLastSeenOnIt() {
		replica("10.0.0.2:1", "master_replid:bbbb\nslave_repl_offset:9000\n");
		assertThat(choice()).as("it resynced from a restarted, empty master").isEmpty();
		replica("10.0.0.3:1", "");
		assertThat(choice()).hasValue(NodeAddress.parse("10.0.0.3:1"));
	}

	@Test
	void withoutTheFailedMastersInfoItsHistoryIsTheOneItsReplicasTookFromIt() {
		this.nodes.set(0, new NodeState(FAILED, 0));
		StoredConfiguration namingIt = new StoredConfiguration(
				new Configuration(TENURE_EPOCH, 0, FAILED, List.of("m1", "m2", "m3")), Map.of());
		replica("10.0.0.2:1", "master_replid:bbbb\nslave_repl_offset:900\n").stored(namingIt, false);
		NodeState further = replica("10.0.0.3:1", "slave_repl_offset:950\n");
		assertThat(choice()).as("its data shows no configuration stored on the failed master: from elsewhere?")
			.hasValue(NodeAddress.parse("10.0.0.2:1"));
		further.stored(namingIt, false);
		assertThat(choice()).as("the most advanced replica's history").hasValue(NodeAddress.parse("10.0.0.3:1"));
		this.nodes.remove(2);
		replica("10.0.0.4:1", "master_replid:bbbb\nmaster_link_status:down\nmaster_link_down_since_seconds:-1\n"
				+ "slave_repl_offset:5000\n")
			.stored(namingIt, false);
		assertThat(choice()).as("one never in sync says nothing of it").hasValue(NodeAddress.parse("10.0.0.2:1"));
	}

	/**
	 * Redis 7 restarted from RDB keeps its history as the second one, under a new id: the
	 * same INFO as a promotion. The failed master was seen replicating HISTORY at 1000
	 * and promoted since; the old master went on in HISTORY to 1500 (a stale branch),
	 * restarted from its RDB, and its replica resumed from it (eeee, HISTORY up to 1500),
	 * then was repointed to the failed master, which died before it synced.
	 */
	@Test
	void aReplicaOfAStaleMasterRestartedFromItsRdbDoesNotPassForTheFailedMastersHistory() {
		this.master.info(this.now - 2000, ReplicationInfo.parse("role:slave\nmaster_host:10.0.0.9\nmaster_port:6379\n"
				+ "master_link_status:up\nslave_repl_offset:1000\nrun_id:m\nmaster_replid:" + HISTORY + "\n"));
		replica("10.0.0.2:1", "master_link_status:down\nmaster_link_down_since_seconds:0\nmaster_replid:eeee\n"
				+ "slave_repl_offset:1600\nmaster_replid2:" + HISTORY + "\nsecond_repl_offset:1501\n");
		assertThat(choiceFollowingSince(this.now - 1000)).as("HISTORY beyond where the failed master was seen")
			.isEmpty();
		this.nodes.set(0, new NodeState(FAILED, 0));
		assertThat(choiceFollowingSince(this.now - 1000))
			.as("nor, the failed master never read, without a configuration stored on it")
			.isEmpty();
	}

	@Test
	void adoptsAReplicaAnEarlierLeaderAlreadyPromoted() {
		replica("10.0.0.2:1", "slave_repl_offset:9000\n");
		NodeState promoted = nowMaster("10.0.0.3:1",
				"role:master\nrun_id:run-10.0.0.3:1\nmaster_replid:cccc\nmaster_replid2:aaaa\nsecond_repl_offset:9001\n");
		Optional<ReplicaSelector.Choice> choice = this.selector.select(this.nodes, FAILED, this.now);
		assertThat(choice).hasValueSatisfying((c) -> {
			assertThat(c.node()).isSameAs(promoted);
			assertThat(c.alreadyPromoted()).isTrue();
		});
	}

	@Test
	void neverAdoptsANodePromotedBeforeTheFailedMastersCurrentConfiguration() {
		NodeState promoted = nowMaster("10.0.0.3:1",
				"role:master\nrun_id:run-10.0.0.3:1\nmaster_replid:cccc\nmaster_replid2:aaaa\nsecond_repl_offset:901\n");
		promoted.stored(new StoredConfiguration(
				new Configuration(TENURE_EPOCH, 0, NodeAddress.parse("10.0.0.3:1"), List.of("m1", "m2", "m3")),
				Map.of()), false);
		assertThat(choiceFollowingSince(-1)).as("promoted in the failed master's current epoch")
			.contains(promoted.address());
		promoted.stored(new StoredConfiguration(
				new Configuration(TENURE_EPOCH - 1, 0, NodeAddress.parse("10.0.0.3:1"), List.of("m1", "m2", "m3")),
				Map.of()), false);
		assertThat(choiceFollowingSince(-1)).as("promoted before the configuration naming the failed master again")
			.isEmpty();
		NodeState replicaOfIt = replica("10.0.0.4:1", "");
		replicaOfIt.info(this.now - 50,
				ReplicationInfo.parse("role:slave\nmaster_host:10.0.0.3\nmaster_port:1\nmaster_link_status:up\n"
						+ "slave_repl_offset:900\nslave_priority:100\nrun_id:run-10.0.0.4:1\nmaster_replid:cccc\n"
						+ "master_replid2:aaaa\nsecond_repl_offset:901\n"));
		replicaOfIt.stored(promoted.stored(), false);
		assertThat(choiceFollowingSince(-1)).as("nor a replica of it").isEmpty();
	}

	@Test
	void neverAdoptsAReplicaRestartedEmptyAsAMaster() {
		replica("10.0.0.2:1", "master_link_status:down\nmaster_link_down_since_seconds:2\n");
		nowMaster("10.0.0.3:1", "role:master\nrun_id:new\nmaster_replid:dddd\n"
				+ "master_replid2:0000000000000000000000000000000000000000\nmaster_repl_offset:0\nsecond_repl_offset:-1\n");
		assertThat(choice()).as("a history of its own").hasValue(NodeAddress.parse("10.0.0.2:1"));
		nowMaster("10.0.0.4:1", "role:master\nrun_id:new\nmaster_replid:eeee\nmaster_replid2:aaaa\n"
				+ "master_repl_offset:0\nsecond_repl_offset:1\n");
		assertThat(choice()).as("reloaded a file written before any write").hasValue(NodeAddress.parse("10.0.0.2:1"));
		nowMaster("10.0.0.5:1", "role:master\nrun_id:new\nmaster_replid:ffff\nmaster_replid2:aaaa\n"
				+ "master_repl_offset:400\nsecond_repl_offset:401\n");
		assertThat(choice()).as("left the history with less of it than the best replica has")
			.hasValue(NodeAddress.parse("10.0.0.2:1"));
	}

	@Test
	void realRedisReplicaRestartedAsAMasterIsNotAdoptedTheOneWithTheDataIsChosen() {
		NodeAddress failed = NodeAddress.parse("127.0.0.1:27301");
		this.nodes.clear();
		NodeState master = node(failed, "master", this.now - 2000);
		master.validReply(this.now - 2000, this.timers.downAfter(), false);
		node(NodeAddress.parse("127.0.0.1:27302"), "replica-master-dead", this.now - 50);
		NodeState emptied = node(NodeAddress.parse("127.0.0.1:27303"), "replica", this.now - 3000);
		assertThat(emptied.info(this.now - 50, ReplicationInfoTest.real("replica-restarted-as-master")))
			.as("restart seen")
			.isTrue();
		assertThat(this.selector.select(this.nodes, failed, this.now)).hasValueSatisfying((c) -> {
			assertThat(c.node().address()).isEqualTo(NodeAddress.parse("127.0.0.1:27302"));
			assertThat(c.alreadyPromoted()).isFalse();
		});
	}

	@Test
	void adoptsTheMasterTheFailedMasterItselfNowFollows() {
		answeringMaster("10.0.0.3:1", "master_repl_offset:1200\nmaster_replid2:aaaa\nsecond_repl_offset:900\n");
		assertThat(choice()).isEmpty();
		this.nodes.get(0)
			.info(this.now - 50, ReplicationInfo.parse("role:slave\nrun_id:m\nmaster_host:10.0.0.3\n"
					+ "master_port:1\nmaster_link_status:up\nmaster_replid:cccc\nslave_repl_offset:1200\n"));
		assertThat(this.selector.select(this.nodes, FAILED, this.now))
			.hasValueSatisfying((c) -> assertThat(c.alreadyPromoted()).isTrue());
	}

	/**
	 * Strict seed 27824378: a switchover demoted the master to a replica of its target in
	 * epoch 199 while the other voters, cut off from every node, made epoch 200 naming
	 * the old master again. The old master has replicated the target ever since and took
	 * no write under epoch 200 (a replica refuses writes and the store of epoch 200 with
	 * them): it holds what the target holds. Refusing the target as a superseded
	 * promotion, and its replicas with it, left the group without a master for good.
	 */
	@Test
	void adoptsASupersededPromotionThatTheFailedMasterItselfFollows() {
		NodeState target = answeringMaster("10.0.0.3:1",
				"master_repl_offset:1200\nmaster_replid2:aaaa\nsecond_repl_offset:1001\n");
		StoredConfiguration switchover = new StoredConfiguration(
				new Configuration(TENURE_EPOCH - 1, 0, target.address(), List.of("m1", "m2", "m3")), Map.of());
		target.stored(switchover, false);
		this.master.info(this.now - 50, ReplicationInfo.parse("role:slave\nrun_id:m\nmaster_host:10.0.0.3\n"
				+ "master_port:1\nmaster_link_status:up\nmaster_replid:cccc\nslave_repl_offset:1200\n"));
		this.master.stored(switchover, false);
		assertThat(choiceFollowingSince(-1)).as("the node the failed master replicates, promoted in an older epoch")
			.contains(target.address());
		this.master.info(this.now - 50, ReplicationInfo.parse("role:slave\nrun_id:m\nmaster_host:10.0.0.3\n"
				+ "master_port:1\nmaster_link_status:down\nmaster_replid:" + HISTORY + "\nslave_repl_offset:1100\n"));
		assertThat(choiceFollowingSince(-1))
			.as("not before the failed master synced with it: it still holds what it took under the later epoch")
			.isEmpty();
		this.master.info(this.now - 50, ReplicationInfo.parse("role:slave\nrun_id:m\nmaster_host:10.0.0.3\n"
				+ "master_port:1\nmaster_link_status:up\nmaster_replid:cccc\nslave_repl_offset:1200\n"));
		NodeState replica = replica("10.0.0.4:1", "slave_repl_offset:1000\n");
		assertThat(choiceFollowingSince(-1)).as("beside a replica holding no more of the failed master's history")
			.contains(target.address());
		replica.info(this.now - 50,
				ReplicationInfo.parse("role:slave\nmaster_host:10.0.0.1\nmaster_port:6379\n"
						+ "master_link_status:up\nslave_repl_offset:1100\nslave_priority:100\nrun_id:run-10.0.0.4:1\n"
						+ "master_replid:" + HISTORY + "\n"));
		assertThat(choiceFollowingSince(-1))
			.as("not while a replica holds writes the failed master took after that promotion: the failover waits")
			.isEmpty();
	}

	@Test
	void theMasterAFailedMasterReplicatedBeforeItsTenureIsNotAdoptedInItsPlace() {
		// seen replicating 10.0.0.9 (HISTORY at 1000), then promoted in its place;
		// 10.0.0.9 comes back as a master of HISTORY at 1000: it holds none of the
		// writes the failed master took as master
		this.master.info(this.now - 2000, ReplicationInfo.parse("role:slave\nmaster_host:10.0.0.9\nmaster_port:6379\n"
				+ "master_link_status:up\nslave_repl_offset:1000\nrun_id:m\nmaster_replid:" + HISTORY + "\n"));
		NodeState replaced = new NodeState(NodeAddress.parse("10.0.0.9:6379"), 0);
		replaced.validReply(this.now - 50, this.timers.downAfter(), false);
		replaced.info(this.now - 50, ReplicationInfo
			.parse("role:master\nrun_id:x\nmaster_replid:" + HISTORY + "\nmaster_repl_offset:1000\n"));
		this.nodes.add(replaced);
		assertThat(choiceFollowingSince(this.now - 1000)).as("INFO from before this member followed the failed master")
			.isEmpty();
		assertThat(choiceFollowingSince(this.now - 3000))
			.as("the failed master replicates from it since this member followed it")
			.contains(NodeAddress.parse("10.0.0.9:6379"));
	}

	/**
	 * Simulation seed 7001188, once the simulated nodes restarted as Redis 7 does: a
	 * replica of the failed master killed, and restarted as a master from its RDB (its
	 * config file lost its role) shows the group's history as its second one, as a
	 * replica an earlier leader promoted would; its run id says it restarted.
	 */
	@Test
	void aReplicaRestartedAsAMasterIsNotAdoptedAsThoughPromoted() {
		NodeState restarted = seenReplicatingTheFailedMaster("10.0.0.2:1", this.now - 900);
		String master = "role:master\nrun_id:%s\nmaster_replid:bbbb\nmaster_repl_offset:1000\nmaster_replid2:" + HISTORY
				+ "\nsecond_repl_offset:1001\n";
		restarted.info(this.now - 50, ReplicationInfo.parse(master.formatted("t")));
		assertThat(choiceFollowingSince(this.now - 1000)).as("promoted by an earlier leader")
			.contains(NodeAddress.parse("10.0.0.2:1"));
		restarted.info(this.now - 40, ReplicationInfo.parse(master.formatted("t2")));
		assertThat(choiceFollowingSince(this.now - 1000)).as("a master since it restarted").isEmpty();
	}

	@Test
	void theSwitchoverTargetAFailedMastersTenureReplacedIsNotAdoptedInItsPlace() {
		// Seen as master of HISTORY at 1000 (the constructor's INFO, 2 s ago, read during
		// a switchover's pause), 10.0.0.2 its replica; the switchover promoted 10.0.0.2
		// at exactly 1000, a later failover promoted the failed master back from
		// 10.0.0.2's history, and this member, cut off from it, followed it only a second
		// ago. 10.0.0.2, still a master, left HISTORY where the failed master was seen:
		// it holds none of the writes the failed master took in its tenure.
		NodeState target = seenReplicatingTheFailedMaster("10.0.0.2:1", this.now - 2500);
		String promoted = "role:master\nrun_id:t\nmaster_replid:bbbb\nmaster_repl_offset:%d\nmaster_replid2:" + HISTORY
				+ "\nsecond_repl_offset:1001\n";
		target.info(this.now - 1900, ReplicationInfo.parse(promoted.formatted(1000)));
		target.info(this.now - 50, ReplicationInfo.parse(promoted.formatted(9000)));
		assertThat(choiceFollowingSince(this.now - 1000))
			.as("a master since before this member followed the failed master: the node its tenure replaced")
			.isEmpty();
		assertThat(choiceFollowingSince(this.now - 3000))
			.as("promoted from the failed master's replicas since this member followed it")
			.contains(NodeAddress.parse("10.0.0.2:1"));
		assertThat(choiceFollowingSince(-1)).as("not known to predate the failed master's tenure")
			.contains(NodeAddress.parse("10.0.0.2:1"));
	}

	@Test
	void theNodeATenureReplacedIsNotAdoptedEvenWhenItsMasterRoleIsSeenOnlyAfterThisMemberFollowedTheTenure() {
		// Last seen replicating the failed master before this member followed its current
		// tenure (cut off from both, it learned the tenure at a heal); its first INFO
		// as a master arrives only after that: when this member noticed the role says
		// nothing of when the node became a master.
		NodeState target = seenReplicatingTheFailedMaster("10.0.0.2:1", this.now - 2500);
		target.info(this.now - 500, ReplicationInfo.parse("role:master\nrun_id:t\nmaster_replid:bbbb\n"
				+ "master_repl_offset:9000\nmaster_replid2:" + HISTORY + "\nsecond_repl_offset:1001\n"));
		assertThat(choiceFollowingSince(this.now - 1000)).isEmpty();
		assertThat(choiceFollowingSince(this.now - 3000)).as("seen replicating the tenure, then a master")
			.contains(NodeAddress.parse("10.0.0.2:1"));
	}

	@Test
	void infoIsStaleAfterThreePingPeriods() {
		assertThat(ReplicaSelector.maxInfoAge(this.timers)).isEqualTo(3 * this.timers.pingEvery());
		assertThat(Timers
			.of(new GroupConfig("g", List.of(FAILED), 1, Duration.ofSeconds(30), Duration.ofMinutes(3), 1,
					GroupConfig.Timing.defaults()))
			.pingEvery()).isEqualTo(1000);
	}

	private NodeState node(NodeAddress address, String realInfo, long infoAt) {
		NodeState node = new NodeState(address, 0);
		node.validReply(this.now - 50, this.timers.downAfter(), false);
		node.info(infoAt, ReplicationInfoTest.real(realInfo));
		this.nodes.add(node);
		return node;
	}

	@Test
	void aNodePromotedWithLessThanItHeldBeforeItsLatestRestartIsNotAdopted() {
		String promoted = "role:master\nrun_id:%s\nmaster_replid:bbbb\nmaster_repl_offset:3000\nmaster_replid2:"
				+ HISTORY + "\nsecond_repl_offset:3001\n";
		NodeState lagging = replica("10.0.0.2:1", "slave_repl_offset:3000\n");
		lagging.info(this.now - 50, ReplicationInfo.parse(promoted.formatted("run-10.0.0.2:1")));
		assertThat(choice()).as("promoted with what it had: adopted").contains(lagging.address());
		this.nodes.remove(lagging);
		NodeState restarted = replica("10.0.0.3:1", "slave_repl_offset:5000\n");
		// restarted from an RDB file saved at 3000, as a replica, then promoted by a
		// leader that had chosen it before
		restarted.info(this.now - 80,
				ReplicationInfo.parse("role:slave\nmaster_host:10.0.0.1\nmaster_port:6379\nmaster_link_status:down\n"
						+ "master_link_down_since_seconds:1\nslave_repl_offset:3000\nrun_id:restarted\nmaster_replid:"
						+ HISTORY + "\n"));
		restarted.info(this.now - 50, ReplicationInfo.parse(promoted.formatted("restarted")));
		assertThat(choice()).as("it held 5000 of the history before its restart").isEmpty();
	}

	@Test
	void inConsistentModeAReplicaStillStreamingFromItsMasterIsNeverFailedOverToButASwitchoverMayHandOverToIt() {
		ReplicaSelector consistent = new ReplicaSelector(Timers.of(SimCluster.config(2, "10.0.0.1:6379")));
		replica("10.0.0.2:1", "master_last_io_seconds_ago:0\n");
		replica("10.0.0.3:1", "master_last_io_seconds_ago:3\n");
		assertThat(consistent.select(this.nodes, FAILED, this.now).map((c) -> c.node().address()))
			.as("down-after 1 s: fence-after 600 ms, so silent for 3 s or less is streaming")
			.isEmpty();
		assertThat(consistent.select(this.nodes, FAILED, this.now, ReplicaSelector.maxInfoAge(this.timers), false,
				ReplicationLineage.Tenure.UNKNOWN))
			.isPresent();
		replica("10.0.0.4:1", "master_last_io_seconds_ago:4\n");
		assertThat(consistent.select(this.nodes, FAILED, this.now).map((c) -> c.node().address()))
			.contains(NodeAddress.parse("10.0.0.4:1"));
	}

	@Test
	void inConsistentModeAReplicaWhoseLinkIsDownOrSilenceUnknownIsJudgedByItsLink() {
		ReplicaSelector consistent = new ReplicaSelector(Timers.of(SimCluster.config(2, "10.0.0.1:6379")));
		replica("10.0.0.2:1", "");
		assertThat(consistent.select(this.nodes, FAILED, this.now)).as("link up, silence unknown").isEmpty();
		replica("10.0.0.3:1", "master_link_status:down\nmaster_link_down_since_seconds:1\n");
		assertThat(consistent.select(this.nodes, FAILED, this.now).map((c) -> c.node().address()))
			.contains(NodeAddress.parse("10.0.0.3:1"));
	}

	@Test
	void aFailedMasterLastSeenAsAReplicaLeftItsHistoryWhereSeenSoANodeFurtherAlongItWentOnWithoutIt() {
		// promoted at 99,000, after this member's last INFO of it, which showed it
		// replicating HISTORY at 1000
		this.master.info(this.now - 2000, ReplicationInfo.parse("role:slave\nmaster_host:10.0.0.9\nmaster_port:6379\n"
				+ "master_link_status:up\nslave_repl_offset:1000\nrun_id:m\nmaster_replid:" + HISTORY + "\n"));
		long followedSince = this.now - 1000;
		replica("10.0.0.2:1", "slave_repl_offset:5000\n");
		assertThat(choiceFollowingSince(followedSince)).as("5000 of HISTORY: a branch the failed master never had")
			.isEmpty();
		assertThat(choiceFollowingSince(-1)).as("INFO not known to predate its promotion").isPresent();
		nowMaster("10.0.0.9:6379",
				"role:master\nrun_id:run-10.0.0.9:6379\nmaster_replid:" + HISTORY + "\nmaster_repl_offset:5000\n");
		assertThat(choiceFollowingSince(followedSince)).as("neither is the node it replicated, further along")
			.isEmpty();
		replica("10.0.0.3:1", "slave_repl_offset:900\n");
		assertThat(choiceFollowingSince(followedSince)).contains(NodeAddress.parse("10.0.0.3:1"));
	}

	@Test
	void aFailedMasterLastSeenAsMasterOfAnEarlierTenureMayHaveLeftThatHistorySince() {
		// Seen as master of HISTORY at 1000 (the constructor's INFO, 2 s ago); this
		// member followed it again only a second ago: in between, a switchover promoted
		// 10.0.0.2 from HISTORY at 3000 and a later failover promoted the failed master
		// back from 10.0.0.2's history, which 10.0.0.2 then went on without.
		long followedSince = this.now - 1000;
		nowMaster("10.0.0.2:1", "role:master\nrun_id:run-10.0.0.2:1\nmaster_replid:bbbb\nmaster_repl_offset:9000\n"
				+ "master_replid2:" + HISTORY + "\nsecond_repl_offset:3001\n");
		assertThat(choiceFollowingSince(followedSince))
			.as("promoted from HISTORY beyond where the failed master was seen: a branch it left")
			.isEmpty();
		assertThat(choiceFollowingSince(-1)).as("INFO not known to predate its tenure").isPresent();
		replica("10.0.0.3:1",
				"master_replid:cccc\nslave_repl_offset:8000\nmaster_replid2:bbbb\nsecond_repl_offset:7001\n");
		assertThat(choiceFollowingSince(followedSince))
			.as("its replica's history does not show HISTORY: its data may come from elsewhere, so wait")
			.isEmpty();
	}

	@Test
	void aFailedMasterLastSeenAsAReplicaHasItsNewHistoryOnlyOnItsOwnReplicas() {
		// seen replicating HISTORY at 1000, then promoted; meanwhile another master,
		// promoted elsewhere from HISTORY at 1000, took writes that 10.0.0.2 holds
		this.master.info(this.now - 2000, ReplicationInfo.parse("role:slave\nmaster_host:10.0.0.9\nmaster_port:6379\n"
				+ "master_link_status:up\nslave_repl_offset:1000\nrun_id:m\nmaster_replid:" + HISTORY + "\n"));
		long followedSince = this.now - 1000;
		replica("10.0.0.2:1",
				"master_host:10.0.0.8\nmaster_link_status:down\nmaster_link_down_since_seconds:5\n"
						+ "master_replid:bbbb\nslave_repl_offset:3000\nmaster_replid2:" + HISTORY
						+ "\nsecond_repl_offset:1001\n");
		assertThat(choiceFollowingSince(followedSince))
			.as("another master's history, left from HISTORY where the failed master was seen")
			.isEmpty();
		assertThat(choiceFollowingSince(-1)).as("INFO not known to predate its promotion").isPresent();
		replica("10.0.0.3:1", "master_link_status:down\nmaster_link_down_since_seconds:5\nmaster_replid:cccc\n"
				+ "slave_repl_offset:1200\nmaster_replid2:" + HISTORY + "\nsecond_repl_offset:1001\n");
		assertThat(choiceFollowingSince(followedSince)).as("a replica of the failed master took its new history")
			.contains(NodeAddress.parse("10.0.0.3:1"));
	}

	@Test
	void aReplicaRepointedToTheFailedMasterWhileItWasDownDoesNotTellItsHistory() {
		// seen replicating HISTORY at 1000, then promoted and killed at once; 10.0.0.2,
		// not repointed yet, resynced from the old master restarted with a history of its
		// own, and was repointed to the failed master only after that (link never up)
		this.master.info(this.now - 2000, ReplicationInfo.parse("role:slave\nmaster_host:10.0.0.9\nmaster_port:6379\n"
				+ "master_link_status:up\nslave_repl_offset:1000\nrun_id:m\nmaster_replid:" + HISTORY + "\n"));
		long followedSince = this.now - 1000;
		replica("10.0.0.2:1", "master_link_status:down\nmaster_link_down_since_seconds:5\nmaster_replid:dddd\n"
				+ "slave_repl_offset:1500\nslave_priority:10\n");
		assertThat(choiceFollowingSince(followedSince))
			.as("a history that does not hold the one the failed master was seen in came from elsewhere")
			.isEmpty();
		NodeState itsReplica = replica("10.0.0.3:1",
				"master_link_status:down\nmaster_link_down_since_seconds:5\nmaster_replid:cccc\n"
						+ "slave_repl_offset:1300\nmaster_replid2:" + HISTORY + "\nsecond_repl_offset:1201\n");
		assertThat(choiceFollowingSince(followedSince))
			.as("HISTORY up to 1200, beyond where the failed master was seen: a promotion, or a restart of a "
					+ "node that went on in it (Redis 7 from RDB)")
			.isEmpty();
		itsReplica.stored(new StoredConfiguration(new Configuration(TENURE_EPOCH, 0, FAILED, List.of("m1", "m2", "m3")),
				Map.of()), false);
		assertThat(choiceFollowingSince(followedSince))
			.as("a replica holding the configuration of the failed master's tenure took its history from it")
			.contains(NodeAddress.parse("10.0.0.3:1"));
	}

	@Test
	void aFailedMasterSeenAsAStrayBeforeItsTenureHasTheHistoryItsReplicasTookFromItSince() {
		// Simulation seed 266365: seen 2 s ago as a stray master of a branch of its own
		// (bbbb at 1500, its data storing the configuration of epoch 198 while this
		// member held 199 and followed another master); then repointed to that master (a
		// full resync: bbbb is gone from its data), promoted by a switchover in epoch 200
		// and killed. 10.0.0.2, its replica on the stray branch, cut off since, holds
		// bbbb.
		Configuration stray = new Configuration(198, 0, FAILED, List.of("m1", "m2", "m3"));
		this.master.info(this.now - 2000,
				ReplicationInfo.parse("role:master\nrun_id:m\nmaster_replid:bbbb\nmaster_repl_offset:1500\n"));
		this.master.stored(new StoredConfiguration(stray, Map.of()), true);
		long followedSince = this.now - 1000;
		replica("10.0.0.2:1",
				"master_link_status:down\nmaster_link_down_since_seconds:5\nmaster_replid:bbbb\n"
						+ "slave_repl_offset:1500\nslave_priority:50\n")
			.stored(new StoredConfiguration(stray, Map.of()), false);
		assertThat(choiceFollowingSince(followedSince))
			.as("seen with data behind the configuration: what it held then tells nothing, so wait")
			.isEmpty();
		NodeState earlierTenure = replica("10.0.0.5:1",
				"master_link_status:down\nmaster_link_down_since_seconds:4\nmaster_replid:dddd\n"
						+ "slave_repl_offset:9000\nmaster_replid2:aaaa\nsecond_repl_offset:2001\n");
		earlierTenure.stored(
				new StoredConfiguration(new Configuration(199, 0, FAILED, List.of("m1", "m2", "m3")), Map.of()), false);
		assertThat(choiceFollowingSince(followedSince))
			.as("a configuration stored on the failed master in an earlier tenure: its replica may have missed this one")
			.isEmpty();
		NodeState tenure = replica("10.0.0.4:1",
				"master_link_status:down\nmaster_link_down_since_seconds:4\nmaster_replid:cccc\n"
						+ "slave_repl_offset:3000\nmaster_replid2:aaaa\nsecond_repl_offset:2001\n");
		tenure.stored(new StoredConfiguration(stray, Map.of()), false);
		assertThat(choiceFollowingSince(followedSince))
			.as("another history, and nothing stored on the failed master since: it may come from elsewhere")
			.isEmpty();
		tenure.stored(new StoredConfiguration(new Configuration(200, 0, FAILED, List.of("m1", "m2", "m3")), Map.of()),
				false);
		assertThat(choiceFollowingSince(followedSince))
			.as("a replica holding the configuration of the failed master's tenure has the history it took since")
			.contains(NodeAddress.parse("10.0.0.4:1"));
	}

	/**
	 * A switchover demoted the master to replicate itself at its final offset 1000, and
	 * its target does not answer: a replica that lags behind is never promoted instead
	 * (it would lose the writes the master acknowledged beyond it), the demoted master is
	 * promoted again only once every other node answers and its replica-priority allows.
	 */
	@Test
	void aReplicaLaggingBehindAMasterDemotedToItselfIsNeverPromoted() {
		this.master.validReply(this.now - 50, this.timers.downAfter(), false);
		this.master.info(this.now - 100, ReplicationInfo.parse("role:slave\nmaster_host:10.0.0.1\nmaster_port:6379\n"
				+ "master_link_status:down\nslave_repl_offset:1000\nslave_priority:100\nrun_id:m\nmaster_replid:"
				+ HISTORY + "\n"));
		replica("10.0.0.2:1", "slave_repl_offset:900\nslave_priority:50\n");
		NodeState target = new NodeState(NodeAddress.parse("10.0.0.3:1"), 0);
		this.nodes.add(target);
		assertThat(choice()).as("the target does not answer: it may hold its promotion").isEmpty();
		target.validReply(this.now - 50, this.timers.downAfter(), false);
		target.info(this.now - 100, ReplicationInfo.parse("role:slave\nmaster_host:10.0.0.1\nmaster_port:6379\n"
				+ "master_link_status:up\nslave_repl_offset:800\nrun_id:t\nmaster_replid:" + HISTORY + "\n"));
		assertThat(choice()).as("every node answers").hasValue(FAILED);
		this.master.info(this.now - 100,
				ReplicationInfo.parse("role:slave\nmaster_host:10.0.0.1\nmaster_port:6379\n"
						+ "master_link_status:down\nslave_repl_offset:1000\nslave_priority:0\nrun_id:m\nmaster_replid:"
						+ HISTORY + "\n"));
		assertThat(choice()).as("the demoted master's replica-priority is 0").isEmpty();
	}

	/**
	 * A switchover's target promoted without all of the demoted master's writes (it
	 * restarted from an older RDB file just before its promotion, and its leader gave up)
	 * is not adopted: the demoted master, holding more, is promoted again.
	 */
	@Test
	void aNodePromotedWithLessThanAMasterDemotedToItselfIsNotAdopted() {
		this.master.validReply(this.now - 50, this.timers.downAfter(), false);
		this.master.info(this.now - 100, ReplicationInfo.parse("role:slave\nmaster_host:10.0.0.1\nmaster_port:6379\n"
				+ "master_link_status:down\nslave_repl_offset:1000\nrun_id:m\nmaster_replid:" + HISTORY + "\n"));
		NodeState target = replica("10.0.0.2:1", "slave_repl_offset:900\n");
		target.info(this.now - 50, ReplicationInfo.parse("role:master\nrun_id:run-10.0.0.2:1\nmaster_replid:cccc\n"
				+ "master_replid2:" + HISTORY + "\nmaster_repl_offset:900\nsecond_repl_offset:901\n"));
		assertThat(choice()).hasValue(FAILED);
	}

	/**
	 * A node up now, whose INFO at {@code infoAt} showed it replicating the failed master
	 * at HISTORY 1000; later INFO is the caller's.
	 */
	private NodeState seenReplicatingTheFailedMaster(String address, long infoAt) {
		NodeState node = new NodeState(NodeAddress.parse(address), 0);
		node.validReply(this.now - 50, this.timers.downAfter(), false);
		node.info(infoAt, ReplicationInfo.parse("role:slave\nmaster_host:10.0.0.1\nmaster_port:6379\n"
				+ "master_link_status:up\nslave_repl_offset:1000\nrun_id:t\nmaster_replid:" + HISTORY + "\n"));
		this.nodes.add(node);
		return node;
	}

	/**
	 * The choice of a member that has followed the failed master's current tenure since
	 * then, holding a configuration of epoch {@value #TENURE_EPOCH}.
	 */
	private Optional<NodeAddress> choiceFollowingSince(long failedMasterSince) {
		return this.selector
			.select(this.nodes, FAILED, this.now, ReplicaSelector.maxInfoAge(this.timers), true,
					new ReplicationLineage.Tenure(failedMasterSince, TENURE_EPOCH))
			.map((c) -> c.node().address());
	}

}
