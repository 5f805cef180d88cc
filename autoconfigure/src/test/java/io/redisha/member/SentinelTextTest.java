package io.redisha.member;

import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;
import io.redisha.protocol.ProtocolEvent.Type;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SentinelText}: the lines are those Sentinel writes
 * ({@code sentinelEvent} in Redis's {@code sentinel.c}), so that readers of Sentinel's
 * channels read them unchanged.
 */
class SentinelTextTest {

	private static final NodeAddress OLD = NodeAddress.parse("10.0.0.12:6379");

	private static final NodeAddress NEW = NodeAddress.parse("10.0.0.14:6379");

	@Test
	void aSwitchNamesTheGroupTheOldAndTheNewMaster() {
		assertThat(SentinelText.format(new ProtocolEvent(Type.SWITCH_MASTER, "orders", 7, OLD, NEW, null)))
			.isEqualTo("+switch-master orders 10.0.0.12 6379 10.0.0.14 6379");
	}

	@Test
	void theEndOfAFailoverNamesTheMasterItWasAboutByItsOldAddressAsSentinelDoes() {
		assertThat(SentinelText.format(new ProtocolEvent(Type.FAILOVER_END, "orders", 7, OLD, NEW, "succeeded")))
			.isEqualTo("+failover-end master orders 10.0.0.12 6379 succeeded");
	}

	@Test
	void aReplicaIsNamedWithItsMaster() {
		assertThat(SentinelText.format(new ProtocolEvent(Type.SDOWN, "orders", 7, NEW, OLD, null)))
			.isEqualTo("+sdown slave 10.0.0.14:6379 10.0.0.14 6379 @ orders 10.0.0.12 6379");
	}

}
