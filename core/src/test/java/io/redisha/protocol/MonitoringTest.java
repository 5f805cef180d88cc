package io.redisha.protocol;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.GossipMessage.Goodbye;
import io.redisha.protocol.GossipMessage.Hello;
import io.redisha.protocol.GroupSnapshot.MemberSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.simulation.SimCluster;
import io.redisha.protocol.simulation.SimCluster.Member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Discovery, node health, hellos and members: the monitoring half of the protocol. */
class MonitoringTest {

	private static final NodeAddress M = NodeAddress.parse("10.0.0.1:6379");

	private static final NodeAddress R1 = NodeAddress.parse("10.0.0.2:6379");

	private static final NodeAddress R2 = NodeAddress.parse("10.0.0.3:6379");

	private final SimCluster cluster = new SimCluster(SimCluster.config(1, "10.0.0.1:6379"));

	private final SimCluster.Node master = this.cluster.master("10.0.0.1:6379");

	private final SimCluster.Node replica1 = this.cluster.replica("10.0.0.2:6379", this.master);

	private final SimCluster.Node replica2 = this.cluster.replica("10.0.0.3:6379", this.master);

	@Test
	void firstTickMonitorsAndQueriesEverySeed() {
		GroupCoordinator coordinator = new GroupCoordinator(SimCluster.config(1, "10.0.0.1:6379", "10.0.0.2:6379"),
				new MemberIdentity("a", "app"), 0, new SplittableRandom(1));
		List<Action> actions = coordinator.tick(100);
		assertThat(actions).contains(new Action.Monitor(M), new Action.Monitor(R1), new Action.Ping(M),
				new Action.Ping(R1), new Action.QueryInfo(M), new Action.QueryInfo(R1));
		assertThat(actions.indexOf(new Action.Monitor(M))).isLessThan(actions.indexOf(new Action.Ping(M)));
		assertThat(coordinator.snapshot(100).state()).isEqualTo(GroupState.NO_MASTER);
	}

	@Test
	void membersLearnEachOthersSentinelEndpointsFromHellos() {
		NodeAddress endpointOfA = NodeAddress.parse("10.0.1.1:26379");
		Member a = this.cluster.member(new MemberIdentity("a", "app", endpointOfA),
				SimCluster.config(1, "10.0.0.1:6379"));
		Member b = this.cluster.member("b", SimCluster.config(1, "10.0.0.1:6379"));
		this.cluster.run(3_000);
		assertThat(b.coordinator.snapshot(this.cluster.now()).members())
			.extracting(MemberSnapshot::id, MemberSnapshot::endpoint)
			.containsExactlyInAnyOrder(tuple("a", endpointOfA), tuple("b", null));
		assertThat(a.coordinator.snapshot(this.cluster.now()).members()).filteredOn(MemberSnapshot::self)
			.extracting(MemberSnapshot::endpoint)
			.containsExactly(endpointOfA);
	}

	@Test
	void discoversTheTopologyFromTheMaster() {
		Member a = this.cluster.member("a", SimCluster.config(1, "10.0.0.1:6379"));
		this.cluster.run(300);
		GroupSnapshot snapshot = a.coordinator.snapshot(this.cluster.now());
		assertThat(snapshot.state()).isEqualTo(GroupState.OK);
		assertThat(snapshot.master().address()).isEqualTo(M);
		assertThat(snapshot.master().role()).isEqualTo("master");
		assertThat(snapshot.master().runId()).isEqualTo(this.master.runId());
		assertThat(snapshot.replicas()).extracting(NodeSnapshot::address).containsExactly(R1, R2);
		assertThat(snapshot.replicas()).allSatisfy((replica) -> {
			assertThat(replica.status()).isEqualTo(NodeStatus.UP);
			assertThat(replica.linkStatus()).isEqualTo("up");
			assertThat(replica.priority()).isEqualTo(100);
		});
	}

	@Test
	void discoversTheTopologyFromAReplicaSeed() {
		Member a = this.cluster.member("a", SimCluster.config(1, "10.0.0.3:6379"));
		this.cluster.run(500);
		GroupSnapshot snapshot = a.coordinator.snapshot(this.cluster.now());
		assertThat(snapshot.master().address()).isEqualTo(M);
		assertThat(snapshot.replicas()).extracting(NodeSnapshot::address).containsExactlyInAnyOrder(R1, R2);
		assertThat(a.events(Type.SWITCH_MASTER)).hasSize(1);
	}

	@Test
	void reportsLagAndOffsets() {
		// replica1 800 bytes behind: cut off from the master after the first 4200, so
		// that only its own INFO tells of it.
		this.master.write(4200);
		this.cluster.run(100);
		this.replica1.cutOffFrom(this.master);
		this.master.write(800);
		Member a = this.cluster.member("a", SimCluster.config(1, "10.0.0.1:6379", "10.0.0.2:6379"));
		this.cluster.run(300);
		NodeSnapshot replica = replica(a, R1);
		assertThat(replica.offset()).isEqualTo(4200);
		assertThat(replica.lag()).isEqualTo(800);
	}

	@Test
	void aReplicaAddedAtRuntimeAppears() {
		Member a = this.cluster.member("a", SimCluster.config(1, "10.0.0.1:6379"));
		this.cluster.run(500);
		this.cluster.replica("10.0.0.4:6379", this.master);
		this.cluster.run(10_500);
		assertThat(a.coordinator.snapshot(this.cluster.now()).replicas()).hasSize(3);
		assertThat(a.events(Type.REPLICA_ADDED)).extracting(ProtocolEvent::node)
			.containsExactly(NodeAddress.parse("10.0.0.4:6379"));
	}

	@Test
	void aSilentReplicaIsDownAfterDownAfterAndUpWhenItAnswersAgain() {
		Member a = this.cluster.member("a", SimCluster.config(1, "10.0.0.1:6379"));
		this.cluster.run(500);
		this.replica1.kill();
		this.cluster.run(900);
		assertThat(replica(a, R1).status()).isEqualTo(NodeStatus.UP);
		this.cluster.run(300);
		assertThat(replica(a, R1).status()).isEqualTo(NodeStatus.DOWN);
		assertThat(a.coordinator.snapshot(this.cluster.now()).state()).isEqualTo(GroupState.OK);
		this.replica1.restart();
		this.cluster.run(300);
		assertThat(replica(a, R1).status()).isEqualTo(NodeStatus.UP);
	}

	@Test
	void loadingIsAValidReplyButAnErrorIsNot() {
		GroupCoordinator coordinator = new GroupCoordinator(SimCluster.config(1, "10.0.0.2:6379"),
				new MemberIdentity("a", "app"), 0, new SplittableRandom(1));
		coordinator.tick(0);
		coordinator.onReply(10, new Action.Ping(R1), new Reply.Text("LOADING Redis is loading", true));
		assertThat(coordinator.snapshot(1000).replicas().get(0).status()).isEqualTo(NodeStatus.UP);
		assertThat(coordinator.tick(1000)).contains(new Action.Ping(R1));
		coordinator.onReply(1010, new Action.Ping(R1), new Reply.Text("ERR unknown command", true));
		assertThat(coordinator.snapshot(1011).replicas().get(0).status()).isEqualTo(NodeStatus.DOWN);
	}

	@Test
	void neverMoreThanOnePingInFlightPerNode() {
		GroupCoordinator coordinator = new GroupCoordinator(SimCluster.config(1, "10.0.0.2:6379"),
				new MemberIdentity("a", "app"), 0, new SplittableRandom(1));
		long pings = 0;
		for (long now = 0; now < 5000; now += 100) {
			pings += coordinator.tick(now).stream().filter(Action.Ping.class::isInstance).count();
		}
		assertThat(pings).isEqualTo(1);
		assertThat(coordinator.onReply(5000, new Action.Ping(R1), new Reply.Failed("timeout")))
			.contains(new Action.Ping(R1));
	}

	@Test
	void theMasterSilentForDownAfterIsSubjectivelyDownAndAnnouncedAtOnce() {
		Member a = this.cluster.member("a", SimCluster.config(2, "10.0.0.1:6379"));
		this.cluster.run(500);
		this.master.kill();
		assertThat(this.cluster.runUntil(2000, (c) -> !a.events(Type.SDOWN).isEmpty())).isTrue();
		assertThat(a.coordinator.snapshot(this.cluster.now()).state()).isEqualTo(GroupState.SDOWN);
		String lastHello = a.actions(Action.Publish.class).get(a.actions(Action.Publish.class).size() - 1).payload();
		assertThat(((Hello) GossipCodec.decode(lastHello)).masterDown()).isTrue();
		this.master.restart();
		this.cluster.run(500);
		assertThat(a.events(Type.SDOWN_CLEARED)).hasSize(1);
		assertThat(a.coordinator.snapshot(this.cluster.now()).state()).isEqualTo(GroupState.OK);
	}

	@Test
	void aMasterReportingItselfAReplicaForDownAfterIsSubjectivelyDown() {
		Member a = this.cluster.member("a", SimCluster.config(2, "10.0.0.1:6379"));
		this.cluster.run(500);
		// REPLICAOF a node that is down (one of its replicas would loop the stream).
		SimCluster.Node gone = this.cluster.master("10.0.0.9:6379");
		gone.kill();
		this.master.follow(gone);
		assertThat(this.cluster.runUntil(12_000, (c) -> !a.events(Type.SDOWN).isEmpty())).isTrue();
		assertThat(a.coordinator.snapshot(this.cluster.now()).master().status()).isEqualTo(NodeStatus.UP);
		assertThat(a.coordinator.snapshot(this.cluster.now()).master().role()).isEqualTo("replica");
	}

	@Test
	void membersListEachOtherWithinTwoHelloPeriods() {
		Member a = this.cluster.member("a", SimCluster.config(1, "10.0.0.1:6379"));
		Member b = this.cluster.member("b", SimCluster.config(1, "10.0.0.2:6379"));
		this.cluster.run(2000);
		List<MemberSnapshot> members = a.coordinator.snapshot(this.cluster.now()).members();
		assertThat(members).extracting(MemberSnapshot::id).containsExactly("a", "b");
		assertThat(members.get(0).self()).isTrue();
		assertThat(members.get(0).lastSeenMs()).isZero();
		assertThat(members.get(1).application()).isEqualTo("app-b");
		assertThat(members.get(1).master()).isEqualTo(M);
		assertThat(b.coordinator.snapshot(this.cluster.now()).members()).extracting(MemberSnapshot::id)
			.containsExactly("b", "a");
	}

	@Test
	void aMemberThatSaysGoodbyeIsRemovedAtOnceAVanishedOneAges() {
		Member a = this.cluster.member("a", SimCluster.config(1, "10.0.0.1:6379"));
		Member b = this.cluster.member("b", SimCluster.config(1, "10.0.0.1:6379"));
		Member c = this.cluster.member("c", SimCluster.config(1, "10.0.0.1:6379"));
		this.cluster.run(1500);
		this.cluster.stop(b);
		this.cluster.crash(c);
		assertThat(a.coordinator.snapshot(this.cluster.now()).members()).extracting(MemberSnapshot::id)
			.containsExactly("a", "c");
		this.cluster.run(5000);
		MemberSnapshot vanished = a.coordinator.snapshot(this.cluster.now()).members().get(1);
		assertThat(vanished.lastSeenMs()).isGreaterThanOrEqualTo(5000);
		assertThat(a.events(Type.MEMBER_LEFT)).hasSize(1);
	}

	@Test
	void aNewMemberBeyondTheTableLimitIsCountedAndChangesNothing() {
		GroupCoordinator coordinator = new GroupCoordinator(SimCluster.config(1, "10.0.0.1:6379"),
				new MemberIdentity("a", "app"), 0, new SplittableRandom(1));
		coordinator.tick(0);
		for (int i = 0; i < MemberTable.MAX_MEMBERS; i++) {
			coordinator.onGossip(10, M, GossipCodec.encode(new Hello("orders", "m-" + i, 1, "app", 4, M, 3, false, 0)));
		}
		GroupSnapshot full = coordinator.snapshot(20);
		assertThat(coordinator.onGossip(20, M,
				GossipCodec.encode(new Hello("orders", "one-too-many", 1, "app", 9, R2, 9, true, 0))))
			.isEmpty();
		GroupSnapshot after = coordinator.snapshot(20);
		assertThat(after.members()).hasSize(MemberTable.MAX_MEMBERS + 1).isEqualTo(full.members());
		assertThat(after.currentEpoch()).isEqualTo(full.currentEpoch());
		assertThat(after.rejections().count(GossipRejection.MEMBER_TABLE_FULL)).isEqualTo(1);
		assertThat(after.rejections().last()).startsWith("member-table-full: new member one-too-many");
	}

	@Test
	void aConfigurationNamingAMasterNoNodeReportsIsNotAdopted() {
		GroupCoordinator coordinator = new GroupCoordinator(SimCluster.config(1, "10.0.0.1:6379"),
				new MemberIdentity("a", "app"), 0, new SplittableRandom(1));
		coordinator.tick(0);
		NodeAddress stranger = NodeAddress.parse("10.9.9.9:6379");
		Configuration named = new Configuration(50, 0, stranger, List.of("b"));
		List<Action> actions = coordinator.onGossip(10, M, GossipCodec
			.encode(new Hello("orders", "b", 1, "app", 50, named, false, 0, GossipMessage.Maintenance.NONE, 0)));
		assertThat(actions)
			.noneMatch((action) -> action instanceof Action.Monitor monitor && monitor.node().equals(stranger));
		GroupSnapshot after = coordinator.snapshot(10);
		assertThat(after.configEpoch()).isZero();
		assertThat(after.rejections().count(GossipRejection.UNKNOWN_MASTER)).isEqualTo(1);
		assertThat(after.rejections().last())
			.startsWith("unknown-master: configuration 50.0 of b names master " + stranger);
	}

	@Test
	void aMasterReportingMoreReplicasThanTheNodeTableHoldsIsCountedAndTheTableStaysBounded() {
		for (int i = 0; i < NodeTracker.MAX_NODES + 5; i++) {
			this.cluster.replica("10.1." + (i / 200) + "." + (i % 200) + ":6379", this.master);
		}
		Member a = this.cluster.member("a", SimCluster.config(1, "10.0.0.1:6379"));
		this.cluster.run(300);
		GroupSnapshot snapshot = a.coordinator.snapshot(this.cluster.now());
		assertThat(snapshot.replicas()).hasSize(NodeTracker.MAX_NODES - 1);
		assertThat(snapshot.rejections().count(GossipRejection.NODE_TABLE_FULL)).isPositive();
		assertThat(snapshot.rejections().last()).startsWith("node-table-full: " + M + " reports ");
		assertThat(snapshot.master().address()).isEqualTo(M);
	}

	@Test
	void duplicatesAndOwnMessagesAreIgnoredGarbageIsCounted() {
		GroupCoordinator coordinator = new GroupCoordinator(SimCluster.config(1, "10.0.0.1:6379"),
				new MemberIdentity("a", "app"), 0, new SplittableRandom(1));
		coordinator.tick(0);
		String hello = GossipCodec.encode(new Hello("orders", "b", 1, "app", 4, M, 3, false, 0));
		assertThat(coordinator.onGossip(10, M, hello)).extracting(Action::getClass).contains(Action.Emit.class);
		assertThat(coordinator.onGossip(11, R1, hello)).isEmpty();
		assertThat(
				coordinator.onGossip(12, M, GossipCodec.encode(new Hello("orders", "a", 1, "app", 9, R2, 9, false, 0))))
			.isEmpty();
		GroupSnapshot before = coordinator.snapshot(20);
		for (String garbage : List.of("", "PING", "redis-ha/1 hello g=orders", "redis-ha/9 hello end",
				"x".repeat(100_000), GossipCodec.encode(new Hello("other", "c", 1, "app", 50, R2, 50, true, 0)),
				GossipCodec.encode(new Goodbye("orders", "b", 2, new Configuration.Departure(0, 0, 0)))
					.replace("seq=2", "seq=two"))) {
			assertThat(coordinator.onGossip(20, M, garbage)).isEmpty();
		}
		GroupSnapshot after = coordinator.snapshot(20);
		assertThat(after.rejectedMessages()).isEqualTo(7);
		assertThat(after.currentEpoch()).isEqualTo(before.currentEpoch()).isEqualTo(4);
		assertThat(after.master()).isEqualTo(before.master());
		assertThat(after.members()).isEqualTo(before.members());
		assertThat(after.rejections().last()).startsWith("malformed: ").contains("seq");
		assertThat(after.rejections().count(GossipRejection.MALFORMED)).isEqualTo(6);
		assertThat(after.rejections().count(GossipRejection.FOREIGN_GROUP)).isEqualTo(1);
	}

	@Test
	void aStartingMemberAdoptsTheMasterOfTheHighestConfigEpoch() {
		GroupCoordinator coordinator = new GroupCoordinator(
				SimCluster.config(1, "10.0.0.1:6379", R1.toString(), R2.toString()), new MemberIdentity("a", "app"), 0,
				new SplittableRandom(1));
		coordinator.tick(0);
		coordinator.onGossip(10, M, GossipCodec.encode(new Hello("orders", "b", 1, "app", 6,
				new Configuration(5, 0, R1, List.of("b", "c")), false, 0, GossipMessage.Maintenance.NONE, 0)));
		coordinator.onGossip(11, M, GossipCodec.encode(new Hello("orders", "c", 1, "app", 6,
				new Configuration(4, 1, R2, List.of("b", "c")), false, 0, GossipMessage.Maintenance.NONE, 0)));
		GroupSnapshot snapshot = coordinator.snapshot(20);
		assertThat(snapshot.master().address()).isEqualTo(R1);
		assertThat(snapshot.configEpoch()).isEqualTo(5);
		assertThat(snapshot.currentEpoch()).isEqualTo(6);
	}

	@Test
	void aStartingMemberWaitsForEveryNodeBeforeChoosingTheMasterItsReplicasFollow() {
		SimCluster.Node oldMaster = this.cluster.master("10.0.0.9:6379");
		Member a = this.cluster.member("a", SimCluster.config(1, "10.0.0.9:6379", "10.0.0.2:6379"));
		this.cluster.run(500);
		assertThat(a.coordinator.snapshot(this.cluster.now()).master().address()).isEqualTo(M);
		assertThat(a.events(Type.SWITCH_MASTER)).hasSize(1);
		assertThat(oldMaster.following()).isNull();
	}

	@Test
	void stopSaysGoodbyeOnceAndThenIgnoresInput() {
		GroupCoordinator coordinator = new GroupCoordinator(SimCluster.config(1, "10.0.0.1:6379"),
				new MemberIdentity("a", "app"), 0, new SplittableRandom(1));
		coordinator.tick(0);
		List<Action> goodbye = coordinator.stop(50);
		assertThat(goodbye).hasSize(1);
		assertThat(GossipCodec.decode(((Action.Publish) goodbye.get(0)).payload())).isInstanceOf(Goodbye.class);
		assertThat(coordinator.stop(60)).isEmpty();
		assertThat(coordinator.tick(100)).isEmpty();
	}

	private NodeSnapshot replica(Member member, NodeAddress address) {
		return member.coordinator.snapshot(this.cluster.now())
			.replicas()
			.stream()
			.filter((node) -> node.address().equals(address))
			.findFirst()
			.orElseThrow();
	}

}
