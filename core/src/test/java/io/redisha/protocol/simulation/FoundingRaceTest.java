package io.redisha.protocol.simulation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.Action;
import io.redisha.protocol.Configuration;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The founding of a brand-new group's first electorate, when the members do not all take
 * the same node for the master before any configuration exists: a replica restarted as a
 * standalone master, a replica still in its first sync, a node that answers one member
 * and not another. Exactly one electorate, on one master, must come of it, and no two
 * masters may take acknowledged writes.
 */
class FoundingRaceTest {

	private final List<String> log = new ArrayList<>();

	private static GroupConfig config(List<NodeAddress> seeds) {
		return new GroupConfig("sim", seeds, 2, Duration.ofSeconds(2), Duration.ofSeconds(8), 1,
				GroupConfig.Timing.defaults(), GroupConfig.DEFAULT_HISTORY_SIZE, 3);
	}

	/**
	 * N1 is the master, N2 and N3 its replicas. Before any member runs, N2 is restarted
	 * as a standalone master (with its data). m1 cannot reach N2 at start, m2 cannot
	 * reach N1; m3 reaches all. m1 and m3 take N1 (its replica N3 follows it); m2, with
	 * N1 silent, takes N2, which holds the data of N1's stranded replica N3. The cuts
	 * heal at 1.5 s, well inside the 3 s start-up quiet period; everyone then sees every
	 * node answer with no configuration, and every member, of rank 0 since none is a
	 * voter, founds at the same tick: m1 (or m3) on N1, m2 on N2.
	 */
	@Test
	void membersCutOffFromDifferentNodesAtStartAdmitWritesToOneMasterOnly() {
		cutOffFromDifferentNodesAtStart(true);
	}

	/**
	 * The same as
	 * {@link #membersCutOffFromDifferentNodesAtStartAdmitWritesToOneMasterOnly} without
	 * the write ledger: whether the founding itself makes two electorates, on two
	 * masters.
	 */
	@Test
	void membersCutOffFromDifferentNodesAtStartFoundOneElectorateOnly() {
		cutOffFromDifferentNodesAtStart(false);
	}

	private void cutOffFromDifferentNodesAtStart(boolean checkWrites) {
		NodeAddress n1 = new NodeAddress("10.0.0.1", 6379);
		NodeAddress n2 = new NodeAddress("10.0.0.2", 6379);
		NodeAddress n3 = new NodeAddress("10.0.0.3", 6379);
		SimWorld world = world(List.of(n1, n2, n3), checkWrites);
		world.addNode(n1, 100, null);
		world.addNode(n2, 100, n1);
		world.addNode(n3, 100, n1);
		world.node(n1).write(1000);
		world.runFor(3000);
		world.killNode(n2);
		world.restartNode(n2, SimNode.Restart.AS_STANDALONE_MASTER);
		world.runFor(2000);
		this.log.add(world.now() + " nodes " + world.node(n1) + " | " + world.node(n2) + " | " + world.node(n3));
		world.network().cutBoth("m1", n2.toString());
		world.network().cutBoth("m2", n1.toString());
		for (String slot : List.of("m1", "m2", "m3")) {
			world.startMember(slot);
		}
		world.runFor(1500);
		logRoutes(world);
		world.network().restoreBoth("m1", n2.toString());
		world.network().restoreBoth("m2", n1.toString());
		finish(world, 60_000);
	}

	/**
	 * A fresh deployment: N1 (10.0.0.2) is the master and N3 its replica, still in its
	 * first sync; N2 (10.0.0.1) is a standalone master the operator has not pointed at N1
	 * yet. m2 starts at once: every node answers, N3's link is down, so N1 and N2 are two
	 * lone masters and m2 takes the smaller address, N2. m1 and m3 start 2 s later, once
	 * N3 streams from N1, and take N1. No member holds a configuration and every node
	 * answers without one, so all three admit writes, to two masters; m2 founds on N2 at
	 * 3 s and the others follow it, leaving what N1 acknowledged behind.
	 */
	@Test
	void membersStartedWhileAReplicaIsInItsFirstSyncDoNotAdmitWritesToTwoMasters() {
		NodeAddress n2 = new NodeAddress("10.0.0.1", 6379);
		NodeAddress n1 = new NodeAddress("10.0.0.2", 6379);
		NodeAddress n3 = new NodeAddress("10.0.0.3", 6379);
		SimWorld world = world(List.of(n1, n2, n3), true);
		world.addNode(n1, 100, null);
		world.addNode(n2, 100, null);
		world.addNode(n3, 100, n1);
		world.startMember("m2");
		world.runFor(2000);
		this.log.add(world.now() + " nodes " + world.node(n1) + " | " + world.node(n2) + " | " + world.node(n3));
		world.startMember("m1");
		world.startMember("m3");
		world.runFor(500);
		logRoutes(world);
		finish(world, 60_000);
	}

	/**
	 * Two standalone masters and no replica (the operator has not pointed N2 yet); m2
	 * cannot reach N1 at start. A lone master beside a node that does not answer is not
	 * taken, so m2 takes no master until N1 answers, then the same one as the others.
	 */
	@Test
	void aLoneMasterBesideASilentNodeIsNotTakenForTheMaster() {
		NodeAddress n1 = new NodeAddress("10.0.0.1", 6379);
		NodeAddress n2 = new NodeAddress("10.0.0.2", 6379);
		SimWorld world = world(List.of(n1, n2), true);
		world.addNode(n1, 100, null);
		world.addNode(n2, 100, null);
		world.network().cutBoth("m2", n1.toString());
		for (String slot : List.of("m1", "m2", "m3")) {
			world.startMember(slot);
		}
		world.runFor(1500);
		logRoutes(world);
		world.network().restoreBoth("m2", n1.toString());
		finish(world, 60_000);
	}

	/**
	 * Every member takes N1 (N2 and N3 stream from it); they all store their founding on
	 * N1 at the same tick. m1's lands first, but its reply is lost (every founding store
	 * of m1's, its retries included): m1 does not know it founded, and the others' stores
	 * are refused. Everybody must read the one electorate back from N1's data.
	 */
	@Test
	void aFoundingStoreWhoseReplyIsLostLeavesOneElectorate() {
		NodeAddress n1 = new NodeAddress("10.0.0.1", 6379);
		NodeAddress n2 = new NodeAddress("10.0.0.2", 6379);
		NodeAddress n3 = new NodeAddress("10.0.0.3", 6379);
		SimWorld world = world(List.of(n1, n2, n3), true);
		world.addNode(n1, 100, null);
		world.addNode(n2, 100, n1);
		world.addNode(n3, 100, n1);
		world.loseReplies((command) -> command instanceof Action.StoreConfiguration store
				&& store.condition() == Action.StoreCondition.ABSENT && store.config().voters().contains("m1.1"));
		for (String slot : List.of("m1", "m2", "m3")) {
			world.startMember(slot);
		}
		finish(world, 30_000);
		assertThat(held(world, "m3")).as(String.join("\n", this.log)).isEqualTo(held(world, "m1"));
	}

	/**
	 * An instant world of real coordinators with these seeds, its store and role events
	 * logged; with the write ledger when {@code checkWrites}.
	 */
	private SimWorld world(List<NodeAddress> seeds, boolean checkWrites) {
		SimWorld world = SimWorld.instantWithCoordinators(1, config(seeds), RandomSchedule.COMMAND_TIMEOUT_MILLIS);
		if (checkWrites) {
			world.checker().checkWrites();
		}
		listen(world);
		return world;
	}

	private void logRoutes(SimWorld world) {
		this.log.add(world.now() + " masters followed: m1 " + route(world, "m1") + ", m2 " + route(world, "m2")
				+ ", m3 " + route(world, "m3"));
	}

	private void finish(SimWorld world, long millis) {
		try {
			world.runFor(millis);
			this.log.add(world.now() + " configurations: m1 " + held(world, "m1") + ", m2 " + held(world, "m2")
					+ ", m3 " + held(world, "m3"));
			world.healNetworkAndNodes();
			world.runFor(30_000);
			NodeAddress converged = world.checker().checkConverged();
			if (world.checker().checksWrites()) {
				world.checker().checkAcknowledgedWrites(converged);
			}
		}
		catch (SimulationFailure failure) {
			throw new AssertionError(failure.getMessage() + "\n" + String.join("\n", this.log), failure);
		}
		this.log.add(world.now() + " configurations: m1 " + held(world, "m1") + ", m2 " + held(world, "m2") + ", m3 "
				+ held(world, "m3"));
		assertThat(held(world, "m1")).as(String.join("\n", this.log)).isEqualTo(held(world, "m2"));
	}

	private void listen(SimWorld world) {
		world.onAction((member, action) -> {
			if (action instanceof Action.StoreConfiguration store) {
				this.log.add(world.now() + " " + member.slot() + " stores " + store.config() + " on " + store.node()
						+ " (" + store.condition() + ")");
			}
			else if (action instanceof Action.Emit emit && (emit.event().type() == ProtocolEvent.Type.ELECTORATE_FOUNDED
					|| emit.event().type() == ProtocolEvent.Type.ELECTED_LEADER
					|| emit.event().type() == ProtocolEvent.Type.PROMOTED_REPLICA
					|| emit.event().type() == ProtocolEvent.Type.SWITCH_MASTER)) {
				this.log.add(world.now() + " " + member.slot() + " " + emit.event());
			}
		});
	}

	private static NodeAddress route(SimWorld world, String slot) {
		return world.member(slot).route();
	}

	private static Configuration held(SimWorld world, String slot) {
		return world.member(slot).protocol().configuration();
	}

}
