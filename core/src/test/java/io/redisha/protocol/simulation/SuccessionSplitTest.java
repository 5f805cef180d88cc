package io.redisha.protocol.simulation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.Action;
import io.redisha.protocol.Configuration;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.GroupState;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One voter, m1, fails over N1 (which it alone cannot reach) to N2 and stores the new
 * configuration there, but the reply is lost and N2 is cut off from it right then: it
 * gives up after the failover timeout, still holding the configuration naming N1, and
 * stops gracefully. Its goodbye carries a departure (it had no vote of another open):
 * counted out of the configuration it held and, since that is older, out of the one it
 * made on N2 as well. The observer m2, with N1, succeeds the electorate on N1; the
 * observer m3, with N2 (whose data gave it the failover's configuration), succeeds it on
 * N2: two electorates of one voter each, two masters.
 */
class SuccessionSplitTest {

	private static final NodeAddress N1 = new NodeAddress("10.0.0.1", 6379);

	private static final NodeAddress N2 = new NodeAddress("10.0.0.2", 6379);

	private static final NodeAddress N3 = new NodeAddress("10.0.0.3", 6379);

	private final List<String> log = new ArrayList<>();

	@Test
	void aLeaderThatGaveUpOnAFailoverWhoseConfigurationLandedLeavesNoDepartureForTwoSuccessions() {
		GroupConfig config = new GroupConfig("sim", List.of(N1, N2, N3), 1, Duration.ofSeconds(2),
				Duration.ofSeconds(8), 1, GroupConfig.Timing.defaults(), GroupConfig.DEFAULT_HISTORY_SIZE, 1);
		SimWorld world = SimWorld.instantWithCoordinators(1, config, RandomSchedule.COMMAND_TIMEOUT_MILLIS);
		world.checker().checkWrites();
		world.addNode(N1, 100, null);
		world.addNode(N2, 100, N1);
		world.addNode(N3, 100, N1);
		for (String slot : List.of("m1", "m2", "m3")) {
			world.startMember(slot);
		}
		world.runFor(20_000);
		Configuration founded = config(world, "m1");
		assertThat(founded.voters()).containsExactly("m1.1");
		assertThat(config(world, "m2")).isEqualTo(founded);
		assertThat(config(world, "m3")).isEqualTo(founded);
		boolean[] cut = new boolean[1];
		world.beforeExecution((command) -> {
			if (!cut[0] && command instanceof Action.StoreConfiguration store && store.node().equals(N2)
					&& store.config().epoch() > founded.epoch()) {
				// the failover's configuration lands on N2; its reply, and everything
				// after it, is lost on the way back to m1
				cut[0] = true;
				world.network().cutBoth("m1", N2.toString());
				this.log.add(world.now() + " N2 stores " + store.config() + "; m1 cut off from N2");
			}
		});
		world.onAction((member, action) -> {
			if (action instanceof Action.StoreConfiguration store) {
				this.log.add(world.now() + " " + member.slot() + " stores " + store.config() + " on " + store.node()
						+ " (" + store.condition() + ")");
			}
			else if (action instanceof Action.RecordDeparture departure) {
				this.log.add(world.now() + " " + member.slot() + " records " + departure);
			}
			else if (action instanceof Action.Emit emit && (emit.event().type() == ProtocolEvent.Type.ELECTORATE_FOUNDED
					|| emit.event().type() == ProtocolEvent.Type.ELECTED_LEADER
					|| emit.event().type() == ProtocolEvent.Type.PROMOTED_REPLICA
					|| emit.event().type() == ProtocolEvent.Type.SWITCH_MASTER)) {
				this.log.add(world.now() + " " + member.slot() + " " + emit.event());
			}
		});
		// {N1, m2} | {N2, m3}; N3 replicates from N1 and everybody reaches it; m1 reaches
		// N2 and N3, not N1.
		world.partition(List.of(N1.toString(), "m2"), List.of(N2.toString(), "m3"), true, true);
		world.network().cutBoth("m1", N1.toString());
		assertThat(world.runUntil(() -> cut[0], 20_000)).as(String.join("\n", this.log)).isTrue();
		// m1 reaches N1 again; its failover times out.
		world.runFor(2000);
		world.network().restoreBoth("m1", N1.toString());
		assertThat(world.runUntil(() -> world.snapshot("m1").state() != GroupState.FAILOVER
				&& world.snapshot("m1").state() != GroupState.ODOWN, 20_000))
			.as(String.join("\n", this.log))
			.isTrue();
		world.runFor(2000);
		this.log.add(world.now() + " m1 holds " + config(world, "m1") + ", m2 " + config(world, "m2") + ", m3 "
				+ config(world, "m3") + "; N2 is master: " + world.node(N2).isMaster());
		assertThat(config(world, "m1")).as(String.join("\n", this.log)).isEqualTo(founded);
		assertThat(config(world, "m3").master()).as("m3 read the failover's configuration in N2's data").isEqualTo(N2);
		world.stopMember("m1");
		int bothAdmit = 0;
		try {
			for (int i = 0; i < 20; i++) {
				world.runFor(1000);
				if (world.member("m2").protocol().admitsWrites(world.now())
						&& world.member("m3").protocol().admitsWrites(world.now())
						&& !config(world, "m2").master().equals(config(world, "m3").master())) {
					bothAdmit++;
				}
			}
			this.log.add(world.now() + " m2 holds " + config(world, "m2") + ", m3 " + config(world, "m3"));
			assertThat(bothAdmit).as("seconds in which two masters admitted writes\n" + String.join("\n", this.log))
				.isZero();
			// m1 counts as a crashed voter: nobody elects until the operator replaces it
			world.healNetworkAndNodes();
			world.runFor(10_000);
			world.replaceDeadVoters();
			world.runFor(30_000);
			world.checker().checkAcknowledgedWrites(world.checker().checkConverged());
		}
		catch (SimulationFailure failure) {
			throw new AssertionError(failure.getMessage() + "\n" + String.join("\n", this.log), failure);
		}
	}

	private static Configuration config(SimWorld world, String slot) {
		return world.member(slot).protocol().configuration();
	}

}
