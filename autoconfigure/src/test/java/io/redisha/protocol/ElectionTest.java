package io.redisha.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ElectionTest {

	@Test
	void needsQuorumAndAMajorityOfVoters() {
		assertThat(Election.needed(2, 3)).isEqualTo(2);
		assertThat(Election.needed(1, 3)).isEqualTo(2);
		assertThat(Election.needed(3, 3)).isEqualTo(3);
		assertThat(Election.needed(1, 4)).isEqualTo(3);
		assertThat(Election.needed(1, 1)).isEqualTo(1);
		assertThat(Election.needed(1, 2)).isEqualTo(2);
	}

	@Test
	void countsEachVoterOnceAndKnowsWhenItCannotWin() {
		Election election = new Election("a", 7, NodeAddress.parse("10.0.0.1:6379"), 0);
		election.vote("b", true);
		election.vote("b", false);
		assertThat(election.votes()).isEqualTo(2);
		assertThat(election.won(2, 5)).isFalse();
		election.vote("c", false);
		election.vote("d", false);
		assertThat(election.lost(2, 5)).isFalse();
		election.vote("e", false);
		assertThat(election.lost(2, 5)).isTrue();
		assertThat(election.won(2, 4)).isFalse();
		assertThat(election.won(2, 3)).isTrue();
		Election split = new Election("a", 7, NodeAddress.parse("10.0.0.1:6379"), 0);
		split.vote("b", false);
		split.vote("c", false);
		assertThat(split.lost(1, 4)).isTrue();
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
