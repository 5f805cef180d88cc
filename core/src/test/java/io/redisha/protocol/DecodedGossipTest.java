package io.redisha.protocol;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.GossipMessage.Hello;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class DecodedGossipTest {

	private static final NodeAddress MASTER = NodeAddress.parse("10.0.0.12:6379");

	private final DecodedGossip decoded = new DecodedGossip();

	@Test
	void copiesOfOnePayloadAreDecodedOnce() {
		String payload = hello(7);
		GossipMessage first = this.decoded.decode(payload);
		assertThat(first).isEqualTo(GossipCodec.decode(payload));
		assertThat(this.decoded.decode(new String(payload))).isSameAs(first);
	}

	@Test
	void aMalformedPayloadIsRefusedEveryTime() {
		String payload = hello(7).replace("seq=7", "seq=x");
		for (int i = 0; i < 2; i++) {
			assertThatIllegalArgumentException().isThrownBy(() -> this.decoded.decode(payload))
				.withMessageContaining("field seq");
		}
	}

	@Test
	void onlyTheLatestPayloadsAreKept() {
		String payload = hello(0);
		GossipMessage first = this.decoded.decode(payload);
		for (int i = 1; i <= DecodedGossip.CAPACITY; i++) {
			this.decoded.decode(hello(i));
		}
		GossipMessage again = this.decoded.decode(payload);
		assertThat(again).isEqualTo(first).isNotSameAs(first);
	}

	private static String hello(long sequence) {
		return GossipCodec.encode(new Hello("orders", "m-1", sequence, "shop app", 3, MASTER, 2, true, 0));
	}

}
