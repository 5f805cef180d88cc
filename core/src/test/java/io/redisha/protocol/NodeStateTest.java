package io.redisha.protocol;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.GroupSnapshot.NodeStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How long a node may stay silent: a member that PINGs it every down-after (an observer)
 * waits for a PING to go unanswered as well, a voter does not.
 */
class NodeStateTest {

	private static final long DOWN_AFTER = 1000;

	private final NodeState node = new NodeState(NodeAddress.parse("10.0.0.1:6379"), 0);

	@Test
	void aNodePingedEveryDownAfterIsUpBetweenTwoPingsItAnswers() {
		this.node.validReply(0, DOWN_AFTER, true);
		this.node.pingSent(1000);
		assertThat(this.node.status(1300, DOWN_AFTER, true)).isEqualTo(NodeStatus.UP);
		assertThat(this.node.status(1300, DOWN_AFTER)).as("a voter's view").isEqualTo(NodeStatus.DOWN);
		this.node.pingAnswered(false);
		this.node.validReply(1310, DOWN_AFTER, true);
		assertThat(this.node.status(2300, DOWN_AFTER, true)).isEqualTo(NodeStatus.UP);
		assertThat(this.node.lastPingFailed()).isFalse();
	}

	@Test
	void aSilentNodeIsDownOnceAPingWentUnansweredForHalfOfDownAfter() {
		this.node.validReply(0, DOWN_AFTER, true);
		this.node.pingSent(1000);
		this.node.pingAnswered(true);
		assertThat(this.node.lastPingFailed()).as("no answer: the next PING comes at a voter's pace").isTrue();
		assertThat(this.node.status(1500, DOWN_AFTER, true)).isEqualTo(NodeStatus.UP);
		assertThat(this.node.status(1501, DOWN_AFTER, true)).isEqualTo(NodeStatus.DOWN);
		this.node.pingSent(1200);
		assertThat(this.node.status(1501, DOWN_AFTER, true)).as("counted from the first PING unanswered")
			.isEqualTo(NodeStatus.DOWN);
	}

	@Test
	void aPingThatAnInfoAnswerOvertookStillCountsAsUnanswered() {
		this.node.validReply(0, DOWN_AFTER, true);
		this.node.pingSent(1000);
		this.node.validReply(1010, DOWN_AFTER, true);
		assertThat(this.node.status(2011, DOWN_AFTER, true)).as("silent for down-after, the PING out since 1000")
			.isEqualTo(NodeStatus.DOWN);
	}

	@Test
	void aNodeAnsweringPingWithAnErrorIsNotPingedFasterButIsNotUpEither() {
		this.node.validReply(0, DOWN_AFTER, true);
		this.node.pingSent(1000);
		this.node.pingAnswered(false);
		assertThat(this.node.lastPingFailed()).isFalse();
		assertThat(this.node.status(1501, DOWN_AFTER, true)).isEqualTo(NodeStatus.DOWN);
	}

	@Test
	void aNodePingedOftenIsJudgedTheSameEitherWay() {
		this.node.validReply(0, DOWN_AFTER, true);
		this.node.pingSent(200);
		assertThat(this.node.status(1001, DOWN_AFTER, true)).isEqualTo(NodeStatus.DOWN);
		assertThat(this.node.status(1001, DOWN_AFTER)).isEqualTo(NodeStatus.DOWN);
		assertThat(this.node.upSince(1001, DOWN_AFTER)).isEqualTo(-1);
	}

	@Test
	void aNodeThatNeverAnsweredIsUnknownUntilSilentAndUnanswered() {
		assertThat(this.node.status(500, DOWN_AFTER, true)).isEqualTo(NodeStatus.UNKNOWN);
		assertThat(this.node.status(1500, DOWN_AFTER, true)).as("never asked").isEqualTo(NodeStatus.UNKNOWN);
		this.node.pingSent(1500);
		assertThat(this.node.status(2001, DOWN_AFTER, true)).isEqualTo(NodeStatus.DOWN);
	}

}
