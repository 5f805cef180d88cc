package io.redisha.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class OpenVotesTest {

	private final OpenVotes<Long> votes = new OpenVotes<>(2);

	@Test
	void aFullBookTakesNoMoreVotesUntilOneIsKnownToBeOver() {
		assertThat(this.votes.hasRoom((vote) -> false)).isTrue();
		this.votes.add(1L);
		this.votes.add(2L);
		assertThat(this.votes.hasRoom((vote) -> false)).as("full: the oldest is not forgotten").isFalse();
		assertThatIllegalStateException().isThrownBy(() -> this.votes.add(3L));
		assertThat(this.votes.latest((vote) -> false, (vote) -> vote == 1L)).isEqualTo(1L);
		assertThat(this.votes.hasRoom((vote) -> vote == 1L)).as("the vote of epoch 1 is over").isTrue();
		this.votes.add(3L);
		assertThat(this.votes.latest((vote) -> false, (vote) -> true)).isEqualTo(3L);
	}

	@Test
	void theLatestCountedVoteNotKnownToBeOver() {
		this.votes.add(5L);
		this.votes.add(6L);
		assertThat(this.votes.latest((vote) -> false, (vote) -> vote < 6)).isEqualTo(5L);
		assertThat(this.votes.latest((vote) -> vote == 5L, (vote) -> vote < 6)).isNull();
		assertThat(this.votes.latest((vote) -> false, (vote) -> true)).isEqualTo(6L);
	}

}
