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
 * A promotion that a later configuration naming the old master superseded is never
 * adopted (strict seed 21076342, {@code ReplicaSelectorTest}); these scenarios check the
 * other side: a legitimate promotion whose leader crashed before storing its
 * configuration is adopted even when the members hold a later configuration than the
 * nodes' data, so the group is never left without a master, nor given a second one.
 */
class SupersededPromotionTest {

	private static final NodeAddress N1 = new NodeAddress("10.0.0.1", 6379);

	private static final NodeAddress N2 = new NodeAddress("10.0.0.2", 6379);

	private final List<String> log = new ArrayList<>();

	/**
	 * Two nodes: N1 the master, N2 its only replica; voters m1..m3 (up to 5 allowed). N1
	 * dies for good. The leader promotes N2 and crashes before it stores its
	 * configuration there: N2 is a master holding every write N1 acknowledged, its data
	 * holding the configuration of N1's epoch. A new member m4 starts meanwhile, and the
	 * voters add it in a later epoch naming N1 again (a change of voters, committed by
	 * hellos, while N1 is down). N2's data holds a configuration older than N1's tenure,
	 * naming N1: a promotion whose store was lost, not a superseded one. It is adopted.
	 */
	@Test
	void aLegitimatePromotionWhoseStoreWasLostIsAdoptedAfterAChangeOfVoters() {
		GroupConfig config = new GroupConfig("sim", List.of(N1, N2), 2, Duration.ofSeconds(2), Duration.ofSeconds(8), 1,
				GroupConfig.Timing.defaults());
		SimWorld world = SimWorld.withCoordinators(1, config, RandomSchedule.COMMAND_TIMEOUT_MILLIS);
		world.checker().checkWrites();
		world.addNode(N1, 100, null);
		world.addNode(N2, 100, N1);
		for (int i = 1; i <= 3; i++) {
			world.startMember("m" + i);
		}
		world.runFor(10_000);
		assertThat(world.checker().checkConverged()).isEqualTo(N1);
		String[] crashed = new String[1];
		world.onAction((member, action) -> {
			log(world, member, action);
			if (action instanceof Action.Promote && crashed[0] == null) {
				crashed[0] = member.slot();
				world.at(world.now(), "crash the leader " + member + ", start m4", (w) -> {
					w.crashMember(member.slot());
					w.startMember("m4");
				});
			}
		});
		world.killNode(N1);
		world.runFor(90_000);
		this.log.add(world.now() + " N2 " + world.node(N2) + "; configurations: m2 " + held(world, "m2") + ", m3 "
				+ held(world, "m3") + ", m4 " + held(world, "m4"));
		assertThat(crashed[0]).as("a leader promoted N2").isNotNull();
		for (String slot : List.of("m1", "m2", "m3", "m4")) {
			if (!slot.equals(crashed[0])) {
				assertThat(held(world, slot).master()).as(slot + "\n" + String.join("\n", this.log)).isEqualTo(N2);
			}
		}
	}

	/**
	 * N1 the master, N2 its replica, N3 a replica of priority 0; voters m1..m3. m4 starts
	 * and the voters add it: the stores of that change on N1 are lost (timeouts), so the
	 * members hold a configuration of a later epoch than N1's data (and N2's, which
	 * replicates it). N1 dies before a voter stores it again. The leader promotes N2 and
	 * crashes before storing. The next leader finds N2 a master whose data holds a
	 * configuration older than N1's tenure, naming N1: it adopts it (a first form of the
	 * rule took it for superseded, and the group stayed without a master).
	 */
	@Test
	void aLegitimatePromotionIsAdoptedWhenTheStoreOfAChangeOfVotersOnTheOldMasterWasLost() {
		lostStoreOfAChangeOfVoters(0);
	}

	/**
	 * As
	 * {@link #aLegitimatePromotionIsAdoptedWhenTheStoreOfAChangeOfVotersOnTheOldMasterWasLost}
	 * with N3 of priority 100: the next leader adopts N2 rather than promote N3 beside it
	 * (the first form of the rule did, and stray repair dropped what N2 held beyond N3).
	 */
	@Test
	void noSecondPromotionBesideALegitimateOneWhoseStoreWasLost() {
		lostStoreOfAChangeOfVoters(100);
	}

	private void lostStoreOfAChangeOfVoters(int priorityOfN3) {
		NodeAddress n3 = new NodeAddress("10.0.0.3", 6379);
		GroupConfig config = new GroupConfig("sim", List.of(N1, N2, n3), 2, Duration.ofSeconds(2),
				Duration.ofSeconds(8), 1, GroupConfig.Timing.defaults());
		SimWorld world = SimWorld.withCoordinators(1, config, RandomSchedule.COMMAND_TIMEOUT_MILLIS);
		world.checker().checkWrites();
		world.addNode(N1, 100, null);
		world.addNode(N2, 100, N1);
		world.addNode(n3, priorityOfN3, N1);
		String[] crashed = new String[1];
		boolean[] armed = new boolean[1];
		world.onAction((member, action) -> {
			log(world, member, action);
			if (armed[0] && action instanceof Action.Promote && crashed[0] == null) {
				crashed[0] = member.slot();
				world.at(world.now(), "crash the leader " + member, (w) -> w.crashMember(member.slot()));
			}
		});
		for (int i = 1; i <= 3; i++) {
			world.startMember("m" + i);
		}
		world.runFor(10_000);
		assertThat(world.checker().checkConverged()).isEqualTo(N1);
		long before = world.node(N1).storedConfiguration().config().epoch();
		world.loseRequests(
				(command) -> command instanceof Action.StoreConfiguration store && store.config().epoch() > before);
		world.startMember("m4");
		world.runUntil(() -> held(world, "m1").voters().size() == 4 && held(world, "m2").voters().size() == 4
				&& held(world, "m3").voters().size() == 4, 30_000);
		this.log.add(world.now() + " m4 added: " + held(world, "m1") + "; N1 stores "
				+ world.node(N1).storedConfiguration());
		armed[0] = true;
		world.killNode(N1);
		world.runFor(1000);
		world.loseRequests((command) -> false);
		world.runFor(90_000);
		this.log.add(world.now() + " N2 " + world.node(N2) + " stores " + world.node(N2).storedConfiguration()
				+ "; configurations: m2 " + held(world, "m2") + ", m3 " + held(world, "m3") + ", m4 "
				+ held(world, "m4"));
		assertThat(crashed[0]).as("a leader promoted N2").isNotNull();
		for (String slot : List.of("m1", "m2", "m3", "m4")) {
			if (!slot.equals(crashed[0])) {
				assertThat(held(world, slot).master()).as(slot + "\n" + String.join("\n", this.log)).isEqualTo(N2);
			}
		}
		world.healNetworkAndNodes();
		world.runFor(30_000);
		world.checker().checkAcknowledgedWrites(world.checker().checkConverged());
	}

	private void log(SimWorld world, SimMember member, Action action) {
		if (action instanceof Action.StoreConfiguration store) {
			this.log.add(world.now() + " " + member.slot() + " stores " + store.config() + " on " + store.node() + " ("
					+ store.condition() + ")");
		}
		else if (action instanceof Action.Emit emit && (emit.event().type() == ProtocolEvent.Type.ELECTORATE_FOUNDED
				|| emit.event().type() == ProtocolEvent.Type.ELECTED_LEADER
				|| emit.event().type() == ProtocolEvent.Type.PROMOTED_REPLICA
				|| emit.event().type() == ProtocolEvent.Type.SWITCH_MASTER
				|| emit.event().type().name().startsWith("FAILOVER"))) {
			this.log.add(world.now() + " " + member.slot() + " " + emit.event());
		}
	}

	private static Configuration held(SimWorld world, String slot) {
		return world.member(slot).protocol().configuration();
	}

}
