package io.redisha.protocol;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.simulation.SimCluster;
import io.redisha.protocol.simulation.SimCluster.Member;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A voter that stops gracefully right after voting: its vote may have elected a leader
 * the others do not know of yet, so its departure must not let them elect beside it.
 */
class VoterDepartureTest {

	private static final String MASTER = "10.0.0.1:6379";

	private static final String R1 = "10.0.0.2:6379";

	private static final String R2 = "10.0.0.3:6379";

	private final SimCluster cluster = new SimCluster(SimCluster.config(2, MASTER));

	private final SimCluster.Node master = this.cluster.master(MASTER);

	{
		this.cluster.replica(R1, this.master);
		this.cluster.replica(R2, this.master);
	}

	/**
	 * Five voters; m2 never stands itself (its quorum of 3 is out of reach on its side),
	 * which only spares the test a split vote between m1 and m2.
	 */
	private List<Member> fiveVoters() {
		for (int i = 0; i < 5; i++) {
			this.cluster.member("m" + i, config((i == 2) ? 3 : 2));
		}
		this.cluster.run(8000);
		assertThat(this.cluster.members.get(0).coordinator.configuration().voters()).containsExactly("m0", "m1", "m2",
				"m3", "m4");
		return List.copyOf(this.cluster.members);
	}

	private static GroupConfig config(int quorum) {
		GroupConfig.Timing d = GroupConfig.Timing.defaults();
		GroupConfig.Timing timing = new GroupConfig.Timing(d.pingPeriod(), d.infoPeriod(), d.helloPeriod(),
				d.opinionValidity(), Duration.ofSeconds(20), d.startupQuietPeriod(), d.tiltThreshold(),
				d.tiltDuration(), d.demoteAfter());
		return new GroupConfig("orders", List.of(NodeAddress.parse(MASTER)), quorum, Duration.ofSeconds(1),
				Duration.ofSeconds(10), 1, timing);
	}

	@Test
	void votersThatVotedAndThenStoppedStillCountInTheEpochTheyVotedIn() {
		List<Member> members = fiveVoters();
		// {m0, m3, m4, R1} | {m1, m2, R2}; the master dies.
		for (Member member : List.of(members.get(0), members.get(3), members.get(4))) {
			member.cutOffFrom(MASTER, R2);
		}
		for (Member member : List.of(members.get(1), members.get(2))) {
			member.cutOffFrom(MASTER, R1);
		}
		this.master.kill();
		// m0 is elected by m0, m3 and m4 (3 of 5); m1, on the other side, stands in the
		// same epoch, which it never heard of.
		assertThat(this.cluster.runUntil(10_000, (c) -> !members.get(0).events(Type.ELECTED_LEADER).isEmpty()))
			.isTrue();
		assertThat(this.cluster.runUntil(3000, (c) -> !members.get(1).events(Type.TRY_FAILOVER).isEmpty())).isTrue();
		// m3 and m4 stop gracefully (a rolling deploy); their goodbyes reach m1 and m2
		// through R2. Counted out, they would leave m1 needing 2 of 3 votes.
		members.get(3).reconnectTo(R2);
		members.get(4).reconnectTo(R2);
		this.cluster.stop(members.get(3));
		this.cluster.stop(members.get(4));
		this.cluster.run(30_000);
		// The checker throws on a second leader of one epoch; and m1 leads no other one
		// beside m0's failover.
		assertThat(members.get(1).events(Type.ELECTED_LEADER)).isEmpty();
	}

}
