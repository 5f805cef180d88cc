package io.redisha.protocol;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.Configuration.Departure;

import static org.assertj.core.api.Assertions.assertThat;

class ElectionTest {

	private static final NodeAddress MASTER = NodeAddress.parse("10.0.0.1:6379");

	private static Election election(String candidate, String... voters) {
		Configuration config = new Configuration(3, 0, MASTER, List.of(voters));
		return new Election(candidate, 7, config, 0, GroupSnapshot.Trigger.AUTOMATIC, null, null);
	}

	@Test
	void needsQuorumAndAMajorityOfTheConfigurationsVoters() {
		assertThat(election("a", "a", "b", "c").needed(2, Map.of())).isEqualTo(2);
		assertThat(election("a", "a", "b", "c").needed(1, Map.of())).isEqualTo(2);
		assertThat(election("a", "a", "b", "c").needed(3, Map.of())).isEqualTo(3);
		assertThat(election("a", "a", "b", "c", "d").needed(1, Map.of())).isEqualTo(3);
		assertThat(election("a", "a").needed(1, Map.of())).isEqualTo(1);
		assertThat(election("a", "a", "b").needed(1, Map.of())).isEqualTo(2);
	}

	@Test
	void votersThatDepartedHoldingThisConfigurationOrAnOlderOneNoLongerCount() {
		Election election = election("a", "a", "b", "c", "d", "e");
		assertThat(election.needed(1, Map.of("d", new Departure(3, 0, 6), "e", new Departure(2, 5, 6)))).isEqualTo(2);
		// a voter that departed holding a later configuration may have helped to commit
		// it
		assertThat(election.needed(1, Map.of("d", new Departure(3, 1, 6), "e", new Departure(4, 0, 6)))).isEqualTo(3);
	}

	@Test
	void votersThatDepartedKnowingThisEpochStillCountInIt() {
		Election election = election("a", "a", "b", "c", "d", "e");
		// they may have voted in it, for another candidate, before they left
		assertThat(election.needed(1, Map.of("d", new Departure(3, 0, 7), "e", new Departure(3, 0, 6)))).isEqualTo(3);
		assertThat(election.lost(1, Map.of("d", new Departure(3, 0, 7), "e", new Departure(3, 0, 8)))).isFalse();
	}

	@Test
	void countsEachVoterOnceIgnoresNonVotersAndKnowsWhenItCannotWin() {
		Election election = election("a", "a", "b", "c", "d", "e");
		election.vote("b", true, 1);
		election.vote("b", false, 2);
		election.vote("x", true, 3);
		assertThat(election.votes()).isEqualTo(2);
		assertThat(election.won(2, Map.of())).isFalse();
		election.vote("c", false, 4);
		election.vote("d", false, 5);
		assertThat(election.lost(2, Map.of())).isFalse();
		election.vote("e", false, 6);
		assertThat(election.lost(2, Map.of())).isTrue();
		Election small = election("a", "a", "b", "c");
		small.vote("b", true, 7);
		assertThat(small.won(2, Map.of())).isTrue();
	}

	@Test
	void aVoteStandsOnlyUntilItsVoterSaysInALaterMessageThatTheMasterAnswers() {
		Election election = election("a", "a", "b", "c");
		election.vote("b", true, 10);
		assertThat(election.won(2, Map.of())).isTrue();
		election.masterAnswers("b", 9);
		assertThat(election.won(2, Map.of())).isTrue();
		election.masterAnswers("b", 11);
		assertThat(election.won(2, Map.of())).isFalse();
		election.vote("b", true, 10);
		assertThat(election.won(2, Map.of())).isFalse();
		election.vote("b", true, 12);
		assertThat(election.won(2, Map.of())).isTrue();
	}

	@Test
	void aVoteLetsTheLeaderPromoteOnlyWhileItsVotersWordThatTheMasterIsDownIsFresh() {
		Election election = election("a", "a", "b", "c", "d", "e");
		election.vote("b", true, 1);
		election.vote("c", true, 2);
		assertThat(election.freshVotes(500, 600)).isEqualTo(3);
		assertThat(election.freshVotes(700, 600))
			.as("a vote says the master is down as of the election's start; the candidate's own counts")
			.isEqualTo(1);
		election.masterSeenDown("b", 650);
		assertThat(election.freshVotes(700, 600)).isEqualTo(2);
		election.masterAnswers("b", 3);
		assertThat(election.freshVotes(700, 600)).as("withdrawn").isEqualTo(1);
		assertThat(election.votes()).isEqualTo(2);
		Election operator = new Election("a", 7, new Configuration(3, 0, MASTER, List.of("a", "b", "c")), 0,
				GroupSnapshot.Trigger.FORCED, null, null);
		operator.vote("b", true, 1);
		assertThat(operator.freshVotes(60_000, 600)).as("no word on the master needed").isEqualTo(2);
	}

	@Test
	void oneVotePerEpochAndQuietObservationsCountAsVotes() {
		VoteBook book = new VoteBook();
		book.observedWhileQuiet(5);
		assertThat(book.grant(5, "x")).isFalse();
		assertThat(book.grant(6, "x")).isTrue();
		assertThat(book.votedFor(6, "x")).isTrue();
		assertThat(book.grant(6, "y")).isFalse();
		assertThat(book.votedFor(6, "y")).isFalse();
		book.observedWhileQuiet(4);
		assertThat(book.votedEpoch()).isEqualTo(6);
	}

}
