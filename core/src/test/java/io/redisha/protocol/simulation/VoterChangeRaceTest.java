package io.redisha.protocol.simulation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.Action;
import io.redisha.protocol.Configuration;
import io.redisha.protocol.GossipCodec;
import io.redisha.protocol.GossipMessage;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two changes of voters from one configuration of four voters: a voter that voted for the
 * second leader votes again once a failover timeout has passed since its vote, while that
 * leader, whose own timeout counts from its election (later), still makes its epoch's
 * configurations. Two lineages with voter sets that differ by two, and two disjoint
 * majorities.
 */
class VoterChangeRaceTest {

	private static final NodeAddress N1 = new NodeAddress("10.0.0.1", 6379);

	private static final NodeAddress N2 = new NodeAddress("10.0.0.2", 6379);

	private static final NodeAddress N3 = new NodeAddress("10.0.0.3", 6379);

	/** Which side the swing voter m2 hears and is heard by. */
	private String swingSide = "L2";

	private int phase;

	private long m3HearsM5At = Long.MAX_VALUE;

	private long e2;

	private long votedForE2At = -1;

	private String l1Leader;

	private long votedForE3At = -1;

	private boolean losingStores;

	private boolean partitioned;

	private final List<String> log = new ArrayList<>();

	private static String slot(String id) {
		int dot = id.indexOf('.');
		return (dot < 0) ? id : id.substring(0, dot);
	}

	private String side(String slot) {
		if (slot.equals("m2")) {
			return this.swingSide;
		}
		return Set.of("m0", "m4", "m6").contains(slot) ? "L1" : "L2";
	}

	private boolean lost(SimWorld world, SimMember receiver, String payload) {
		if (this.phase == 0) {
			return false;
		}
		GossipMessage message = GossipCodec.decode(payload);
		String from = slot(message.sender());
		String to = receiver.slot();
		if (from.equals(to)) {
			return false;
		}
		if (from.equals("m2") && message instanceof GossipMessage.Vote) {
			// its votes reach their candidate
			return false;
		}
		if (to.equals("m3") && from.equals("m5") && world.now() < this.m3HearsM5At) {
			return true;
		}
		return !side(from).equals(side(to));
	}

	@Test
	void aVoterThatVotesAgainAfterTheFailoverTimeoutLetsTwoLineagesOfVotersCommit() {
		GroupConfig config = new GroupConfig("sim", List.of(N1, N2, N3), 3, Duration.ofSeconds(1),
				Duration.ofSeconds(10), 1, GroupConfig.Timing.defaults(), GroupConfig.DEFAULT_HISTORY_SIZE, 7);
		SimWorld world = SimWorld.instantWithCoordinators(1, config, RandomSchedule.COMMAND_TIMEOUT_MILLIS);
		world.checker().checkWrites();
		world.addNode(N1, 100, null);
		world.addNode(N2, 100, N1);
		world.addNode(N3, 100, N1);
		world.loseGossip((member, payload) -> lost(world, member, payload));
		world.loseRequests((command) -> this.losingStores && command instanceof Action.StoreConfiguration);
		world.onAction((member, action) -> onAction(world, member, action));
		for (int i = 0; i < 4; i++) {
			world.startMember("m" + i);
		}
		world.runFor(90_000);
		for (int i = 0; i < 4; i++) {
			assertThat(world.member("m" + i).protocol().configuration().voters()).hasSize(4);
		}
		// m4 joins: the voter with the smallest id, m0, is elected to add it, makes
		// (E0, 0) and, once committed, (E0, 1) with m4; from that moment what m0 and m4
		// say reaches nobody on the other side (pub/sub messages lost), and no store
		// lands.
		world.startMember("m4");
		assertThat(world.runUntil(() -> this.phase == 1, 30_000)).isTrue();
		world.startMember("m5");
		// m1 stands for +m5 from (E0, 0); m2 votes at once; m3 only 2 s later, once it
		// hears m5 (within the election timeout of 3 s).
		assertThat(world.runUntil(() -> this.votedForE2At >= 0, 30_000)).isTrue();
		this.swingSide = "L1";
		world.startMember("m6");
		this.log.add(world.now() + " m2 now on L1");
		// m1 elected: it makes (E2, 0), which m2 never hears yet.
		assertThat(world.runUntil(() -> config(world, "m1").epoch() == this.e2, 15_000)).isTrue();
		this.log.add(world.now() + " m1 holds " + config(world, "m1"));
		// m2 holds (E0, 1) now; a failover timeout after its vote for m1 it votes for the
		// L1 leader (+m6), which makes (E3, 0).
		assertThat(world.runUntil(() -> this.votedForE3At >= 0, 20_000)).as(String.join("\n", this.log)).isTrue();
		this.log.add(world.now() + " m2 on L2 again");
		// m2 hears m1's (E2, 0) and says so; m1, whose change started with its election
		// (seconds after m2's vote), would count (E2, 0) committed with m2 and make
		// (E2, 1) with m5; but m2's hello says epoch E3 already, so m1 gives it up.
		assertThat(world.runUntil(() -> config(world, "m1").version() == 1 && config(world, "m1").epoch() == this.e2,
				5000))
			.as("m1 made version 1 of its epoch after a later epoch was seen\n" + String.join("\n", this.log))
			.isFalse();
		this.log.add(world.now() + " m1 holds " + config(world, "m1"));
		this.swingSide = "L1";
		// m2 adopts (E3, 0), which the L1 leader counts committed, and makes (E3, 1).
		world.runUntil(() -> config(world, this.l1Leader).version() == 1
				&& config(world, "m2").equals(config(world, this.l1Leader)), 5000);
		this.log.add(world.now() + " L1: m0 m2 m4 m6 hold " + config(world, "m0") + config(world, "m2")
				+ config(world, "m4") + config(world, "m6"));
		this.log
			.add(world.now() + " L2: m1 m3 m5 hold " + config(world, "m1") + config(world, "m3") + config(world, "m5"));
		// Here m0, m2, m4 and m6 hold (E3, 1), a majority of its six voters (committed),
		// while m1, m3 and m5 hold (E2, 1), a majority of its five: disjoint majorities.
		// A partition between the two, the master on L1's side.
		this.partitioned = true;
		this.phase = 0;
		this.losingStores = false;
		world.partition(List.of("m1", "m3", "m5", N2.toString()),
				List.of("m0", "m2", "m4", "m6", N1.toString(), N3.toString()), true, true);
		long n1AtCut = world.node(N1).offset();
		int bothAdmit = 0;
		for (int i = 0; i < 30; i++) {
			world.runFor(1000);
			if (world.member("m0").protocol().admitsWrites(world.now())
					&& world.member("m1").protocol().admitsWrites(world.now())
					&& !config(world, "m0").master().equals(config(world, "m1").master())) {
				bothAdmit++;
			}
		}
		this.log.add(world.now() + " masters " + world.masters() + ", elected epochs " + world.checker().electedEpochs()
				+ "; m0 holds " + config(world, "m0") + ", m1 holds " + config(world, "m1") + "; N1 offset at the cut "
				+ n1AtCut + ", now " + world.node(N1).offset());
		assertThat(bothAdmit).as("seconds in which two masters admitted writes\n" + String.join("\n", this.log))
			.isZero();
		world.healNetworkAndNodes();
		world.runFor(30_000);
		world.checker().checkAcknowledgedWrites(world.checker().checkConverged());
	}

	private Configuration config(SimWorld world, String slot) {
		return world.member(slot).protocol().configuration();
	}

	private void onAction(SimWorld world, SimMember member, Action action) {
		if (this.phase == 0 && !this.partitioned && action instanceof Action.StoreConfiguration store
				&& store.config().version() == 1
				&& store.config().voters().stream().anyMatch((id) -> slot(id).equals("m4"))) {
			assertThat(member.slot()).isEqualTo("m0");
			this.phase = 1;
			this.losingStores = true;
			this.log.add(world.now() + " m0 makes " + store.config());
		}
		if (action instanceof Action.Publish publish) {
			GossipMessage message = GossipCodec.decode(publish.payload());
			if (message instanceof GossipMessage.VoteRequest request && member.slot().equals("m1")
					&& request.purpose() == GossipMessage.Purpose.VOTERS && this.e2 == 0 && this.phase == 1) {
				this.e2 = request.epoch();
				this.m3HearsM5At = world.now() + 1900;
				this.log.add(world.now() + " m1 stands in " + request.epoch() + " for " + request.change() + " from "
						+ request.configEpoch() + "." + request.configVersion());
			}
			if (message instanceof GossipMessage.Vote vote && member.slot().equals("m2")) {
				this.log.add(world.now() + " m2 votes for " + vote.candidate() + " in " + vote.epoch());
				if (vote.epoch() == this.e2 && this.votedForE2At < 0) {
					this.votedForE2At = world.now();
				}
				else if (vote.epoch() > this.e2 && this.e2 > 0 && this.votedForE3At < 0) {
					this.votedForE3At = world.now();
					this.l1Leader = slot(vote.candidate());
					// from this very moment m2 hears L2, not L1's new configuration
					this.swingSide = "L2";
				}
			}
			if (message instanceof GossipMessage.Vote vote && member.slot().equals("m3")) {
				this.log.add(world.now() + " m3 votes for " + vote.candidate() + " in " + vote.epoch());
			}
		}
		if (this.partitioned && action instanceof Action.Emit emit && !emit.event().type().name().contains("DOWN")
				&& !emit.event().type().name().contains("FENCE")) {
			this.log.add(world.now() + " " + member.slot() + " " + emit.event());
		}
		if (this.partitioned && action instanceof Action.Promote promote) {
			this.log.add(world.now() + " " + member.slot() + " " + promote);
		}
		if (action instanceof Action.StoreConfiguration store && (this.phase == 1 || this.partitioned)) {
			this.log.add(world.now() + " " + member.slot() + " stores " + store.config());
		}
	}

}
