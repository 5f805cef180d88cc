package io.redisha.protocol;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.GossipMessage.Goodbye;
import io.redisha.protocol.GossipMessage.Hello;
import io.redisha.protocol.GossipMessage.Vote;
import io.redisha.protocol.GossipMessage.VoteRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class GossipCodecTest {

	private static final NodeAddress MASTER = NodeAddress.parse("10.0.0.12:6379");

	private final Hello hello = new Hello("orders", "m-1", 7, "shop app", 3, MASTER, 2, true, 0);

	@Test
	void everyMessageTypeSurvivesTheRoundTrip() {
		GossipMessage[] messages = { this.hello, new Hello("orders", "m-1", 8, "", 0, null, 0, false, 5),
				new Goodbye("orders", "m-1", 9, new Configuration.Departure(3, 1, 4)),
				new Goodbye("orders", "m-1", 9, null),
				new VoteRequest("orders", "m-1", 10, 4, NodeAddress.parse("[::1]:6380"), GossipMessage.Purpose.FAILOVER,
						3, 0, null),
				new VoteRequest("orders", "m-1", 10, 4, MASTER, GossipMessage.Purpose.OPERATOR, 3, 1, null),
				new VoteRequest("orders", "m-1", 10, 4, MASTER, GossipMessage.Purpose.VOTERS, 3, 1, "+m-3"),
				new Hello("orders", "m-1", 12, "app", 9, new Configuration(9, 1, MASTER, List.of("m-1", "m-2", "m-3")),
						true, 0, GossipMessage.Maintenance.NONE, 10),
				new Vote("orders", "m-2", 11, 4, "m-1", MASTER) };
		for (GossipMessage message : messages) {
			assertThat(GossipCodec.decode(GossipCodec.encode(message))).isEqualTo(message);
		}
	}

	@Test
	void freeTextMayContainAnythingPrintable() {
		String application = "shop äpp 🚀 = % & \"quoted\" end";
		Hello unicode = new Hello("grüppe 1", "id with spaces", 1, application, 0, MASTER, 0, false, 0);
		String payload = GossipCodec.encode(unicode);
		assertThat(payload).doesNotContain("🚀");
		assertThat(GossipCodec.decode(payload)).isEqualTo(unicode);
	}

	@Test
	void controlCharactersAreSentAsQuestionMarksAndRefusedWhenReceived() {
		Hello newlines = new Hello("orders", "m-1\r\nINFO forged", 1, "app\u001b[31m", 0, MASTER, 0, false, 0);
		Hello received = (Hello) GossipCodec.decode(GossipCodec.encode(newlines));
		assertThat(received.sender()).isEqualTo("m-1??INFO forged");
		assertThat(received.application()).isEqualTo("app?[31m");
		String payload = GossipCodec.encode(this.hello);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> GossipCodec.decode(payload.replace("id=m-1", "id=m-1%0D%0Aforged")))
			.withMessage("field id has a control character");
	}

	@Test
	void freeTextLongerThanAnEncoderSendsIsRefused() {
		String payload = GossipCodec.encode(this.hello);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> GossipCodec.decode(payload.replace("id=m-1", "id=" + "x".repeat(129))))
			.withMessageContaining("field id is longer than 128 characters");
	}

	@Test
	void numbersAreRefusedAboveFifteenDigitsSoThatAnAdoptedEpochStaysEncodable() {
		String payload = GossipCodec.encode(this.hello);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> GossipCodec.decode(payload.replace("ep=3", "ep=999999999999999999")))
			.withMessageContaining("field ep of hello is larger than " + GossipCodec.MAX_NUMBER);
		Hello largest = new Hello("orders", "m-1", 7, "app", GossipCodec.MAX_NUMBER, MASTER, 2, true, 0);
		assertThat(GossipCodec.decode(GossipCodec.encode(largest))).isEqualTo(largest);
		Hello next = new Hello("orders", "m-1", 8, "app", GossipCodec.MAX_NUMBER + 1, MASTER, 2, true, 0);
		assertThat(GossipCodec.encode(next)).contains("ep=1000000000000000 ");
	}

	@Test
	void longFreeTextIsCutSoThatTheMessageFits() {
		String huge = "🚀".repeat(10_000);
		Hello big = new Hello("orders", "m-1", 1, huge, 0, MASTER, 0, false, 0);
		String payload = GossipCodec.encode(big);
		assertThat(payload.length()).isLessThanOrEqualTo(GossipCodec.MAX_LENGTH);
		assertThat(((Hello) GossipCodec.decode(payload)).application()).startsWith("🚀🚀");
	}

	@Test
	void everyTruncationIsRefused() {
		String payload = GossipCodec.encode(this.hello);
		for (int length = 0; length < payload.length(); length++) {
			String truncated = payload.substring(0, length);
			assertThatIllegalArgumentException().as(truncated).isThrownBy(() -> GossipCodec.decode(truncated));
		}
	}

	@Test
	void oversizedPayloadIsRefusedBeforeParsing() {
		String payload = GossipCodec.encode(this.hello).replace(" end", " pad=" + "x".repeat(5000) + " end");
		assertThatIllegalArgumentException().isThrownBy(() -> GossipCodec.decode(payload))
			.withMessageContaining("oversized");
	}

	@Test
	void otherVersionsAndForeignTextAreRefused() {
		String payload = GossipCodec.encode(this.hello);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> GossipCodec.decode(payload.replace("redis-ha/1", "redis-ha/2")))
			.withMessageContaining("unknown version 'redis-ha/2'");
		assertThatIllegalArgumentException().isThrownBy(() -> GossipCodec.decode("hello,127.0.0.1,26379,abc,0"))
			.withMessageContaining("not a redis-ha message");
		assertThatIllegalArgumentException().isThrownBy(() -> GossipCodec.decode(""));
	}

	@Test
	void malformedFieldsAreNamed() {
		String payload = GossipCodec.encode(this.hello);
		assertThatIllegalArgumentException().isThrownBy(() -> GossipCodec.decode(payload.replace("seq=7", "seq=x")))
			.withMessageContaining("seq");
		assertThatIllegalArgumentException().isThrownBy(() -> GossipCodec.decode(payload.replace("ep=3", "ep=-3")))
			.withMessageContaining("ep");
		assertThatIllegalArgumentException().isThrownBy(() -> GossipCodec.decode(payload.replace("down=1", "down=yes")))
			.withMessageContaining("down");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> GossipCodec.decode(payload.replace("m=10.0.0.12:6379", "m=nohost")))
			.withMessageContaining("field m");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> GossipCodec.decode(payload.replace("app=shop%20app", "app=%E")))
			.withMessageContaining("percent");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> GossipCodec.decode(payload.replace("app=shop%20app", "app=%FF%FE")))
			.withMessageContaining("UTF-8");
		assertThatIllegalArgumentException().isThrownBy(() -> GossipCodec.decode(payload.replace("app=", "ep=")))
			.withMessageContaining("duplicated field ep");
		assertThatIllegalArgumentException().isThrownBy(() -> GossipCodec.decode(payload.replace("hello", "gossip")))
			.withMessageContaining("unknown message type");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> GossipCodec.decode(payload.replace("seq=7", "seq=99999999999999999999")))
			.withMessageContaining("seq");
	}

	@Test
	void aHelloCarriesTheSendersSentinelEndpointWhenItServesOne() {
		Hello withEndpoint = new Hello("orders", "m-1", 7, "app", 3, MASTER, 2, false, 0,
				GossipMessage.Maintenance.NONE, null, 0, 100, 5, 0, NodeAddress.parse("10.0.0.7:26379"));
		String payload = GossipCodec.encode(withEndpoint);
		assertThat(payload).contains(" se=10.0.0.7:26379 ");
		assertThat(GossipCodec.decode(payload)).isEqualTo(withEndpoint);
		assertThat(GossipCodec.encode(this.hello)).doesNotContain(" se=");
		assertThat(((Hello) GossipCodec.decode(GossipCodec.encode(this.hello))).endpoint()).isNull();
	}

	@Test
	void aSentinelEndpointThatIsNoAddressIsRefused() {
		String payload = GossipCodec.encode(this.hello);
		for (String endpoint : new String[] { "", "10.0.0.7", "10.0.0.7:0", "10.0.0.7:65536", "a%20b:26379",
				"x:26379%0D%0A+switch-master", "[::1:26379" }) {
			assertThatIllegalArgumentException()
				.isThrownBy(() -> GossipCodec.decode(payload.replace(" end", " se=" + endpoint + " end")))
				.withMessageContaining("field se");
		}
	}

	@Test
	void unknownFieldsAreIgnoredSoThatVersionOneCanGrow() {
		String payload = GossipCodec.encode(this.hello).replace(" end", " zone=eu-1 end");
		assertThat(GossipCodec.decode(payload)).isEqualTo(this.hello);
	}

	@Test
	void randomGarbageNeverEscapesAsAnythingButIllegalArgument() {
		SplittableRandom random = new SplittableRandom(7);
		String valid = GossipCodec.encode(this.hello);
		for (int i = 0; i < 20_000; i++) {
			StringBuilder garbage = new StringBuilder(valid);
			int flips = 1 + random.nextInt(4);
			for (int f = 0; f < flips; f++) {
				garbage.setCharAt(random.nextInt(garbage.length()), (char) random.nextInt(0x20, 0x3000));
			}
			try {
				GossipCodec.decode(garbage.toString());
			}
			catch (IllegalArgumentException expected) {
				assertThat(expected.getMessage()).isNotBlank();
			}
		}
	}

}
