package io.redisha.protocol;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WriteLeaseTest {

	private static final NodeAddress MASTER = NodeAddress.parse("10.0.0.1:6379");

	private static final Configuration FIVE = new Configuration(7, 0, MASTER, List.of("a", "b", "c", "d", "e"));

	private static final long FENCE_AFTER = 600;

	private static WriteLease.Evidence heard(String voter, long at) {
		return new WriteLease.Evidence(voter, at);
	}

	@Test
	void theLeaseEndsFenceAfterTheMajorityThMostRecentReplyOfAVoter() {
		List<WriteLease.Evidence> evidence = List.of(heard("a", 1000), heard("b", 900), heard("c", 800),
				heard("d", 100));
		GroupSnapshot.FenceSnapshot fence = WriteLease.of(1000, FENCE_AFTER, FIVE, Map.of(), evidence, -1, 0, false);
		assertThat(fence.leaseUntilMs()).isEqualTo(800 + FENCE_AFTER);
		assertThat(fence.fenced()).isFalse();
		assertThat(fence.votersWithMaster()).isEqualTo(3);
		assertThat(fence.votersNeeded()).isEqualTo(3);
		assertThat(fence.admitsWrites(1399)).isTrue();
		assertThat(fence.admitsWrites(1400)).as("a frozen member that wakes refuses before it processes anything")
			.isFalse();
	}

	@Test
	void aMinorityOfVotersNeverAdmitsWritesAndSaysWhy() {
		List<WriteLease.Evidence> evidence = List.of(heard("a", 1000), heard("b", 1000), heard("x", 1000));
		GroupSnapshot.FenceSnapshot fence = WriteLease.of(1000, FENCE_AFTER, FIVE, Map.of(), evidence, -1, 0, false);
		assertThat(fence.fenced()).as("x is no voter").isTrue();
		assertThat(fence.admitsWrites(1000)).isFalse();
		assertThat(fence.reason()).contains("2 voters", "3 needed");
		assertThat(fence.sinceMs()).isEqualTo(0);
	}

	@Test
	void departedVotersLeaveTheMajorityToThoseThatMayStillVote() {
		Map<String, Configuration.Departure> departed = Map.of("c", new Configuration.Departure(7, 0, 7), "d",
				new Configuration.Departure(7, 0, 7), "e", new Configuration.Departure(7, 0, 7));
		GroupSnapshot.FenceSnapshot fence = WriteLease.of(1000, FENCE_AFTER, FIVE, departed,
				List.of(heard("a", 1000), heard("c", 1000)), -1, 0, false);
		assertThat(fence.votersNeeded()).isEqualTo(2);
		assertThat(fence.fenced()).isTrue();
		fence = WriteLease.of(1000, FENCE_AFTER, FIVE, departed, List.of(heard("a", 1000), heard("b", 950)), -1, 0,
				false);
		assertThat(fence.fenced()).isFalse();
	}

	@Test
	void replicasStreamingFromTheMasterKeepALoneMemberWritingForFenceAfter() {
		GroupSnapshot.FenceSnapshot fence = WriteLease.of(1000, FENCE_AFTER, FIVE, Map.of(), List.of(heard("a", 1000)),
				900, 0, false);
		assertThat(fence.fenced()).isFalse();
		assertThat(fence.replicasAttached()).isTrue();
		assertThat(fence.leaseUntilMs()).isEqualTo(900 + FENCE_AFTER);
		assertThat(fence.reason()).contains("every replica streams");
	}

	@Test
	void availableModeAndAGroupWithoutElectorateNeverFence() {
		assertThat(WriteLease.of(1000, 0, FIVE, Map.of(), List.of(), -1, 0, false).admitsWrites(Long.MAX_VALUE - 1))
			.isTrue();
		GroupSnapshot.FenceSnapshot unfounded = WriteLease.of(1000, FENCE_AFTER, null, Map.of(), List.of(), -1, 0,
				false);
		assertThat(unfounded.fenced()).isFalse();
		assertThat(unfounded.mode()).isEqualTo(PartitionMode.CONSISTENT);
	}

	@Test
	void withoutAConfigurationWhileOneMayExistElsewhereWritesAreFenced() {
		GroupSnapshot.FenceSnapshot doubtful = WriteLease.of(1000, FENCE_AFTER, null, Map.of(), List.of(), -1, 0, true);
		assertThat(doubtful.fenced()).isTrue();
		assertThat(doubtful.admitsWrites(1000)).isFalse();
		assertThat(doubtful.reason()).contains("not every node answered");
	}

}
