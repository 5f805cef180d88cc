package io.redisha.protocol;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.GossipMessage.Hello;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class GossipSealTest {

	private static final long NOW = 1_796_166_955_362L;

	private static final String CURRENT = "current-secret-of-32-characters!";

	private static final String PREVIOUS = "previous-secret-of-32-characters";

	private final String message = GossipCodec
		.encode(new Hello("orders", "m-1", 7, "app", 3, NodeAddress.parse("10.0.0.12:6379"), 2, true, 0));

	private final GossipSeal seal = GossipSeal.of(List.of(CURRENT));

	@Test
	void aSealedMessageOpensToItselfAndIsReadableByMembersThatIgnoreTheSeal() {
		String sealed = this.seal.seal(this.message, NOW);
		assertThat(sealed).startsWith(this.message.substring(0, this.message.length() - 4))
			.contains(" wt=" + NOW + " mac=")
			.endsWith(" end");
		assertThat(this.seal.open(sealed, NOW + 5)).isEqualTo(this.message);
		assertThat(GossipCodec.decode(sealed)).isEqualTo(GossipCodec.decode(this.message));
	}

	@Test
	void everyChangedCharacterBreaksTheSignature() {
		String sealed = this.seal.seal(this.message, NOW);
		int macAt = sealed.indexOf(" mac=");
		for (int i = 0; i < macAt; i++) {
			char replacement = (sealed.charAt(i) == '1') ? '2' : '1';
			String forged = sealed.substring(0, i) + replacement + sealed.substring(i + 1);
			assertThat(rejection(forged, NOW)).as(forged).isIn(GossipRejection.BAD_SIGNATURE, GossipRejection.UNSIGNED);
		}
	}

	@Test
	void anUnsignedMessageIsRefused() {
		assertThat(rejection(this.message, NOW)).isEqualTo(GossipRejection.UNSIGNED);
		assertThat(rejection("PING", NOW)).isEqualTo(GossipRejection.UNSIGNED);
	}

	@Test
	void anotherSecretsSignatureIsRefused() {
		String sealed = GossipSeal.of(List.of("someone-elses-secret-32-characters")).seal(this.message, NOW);
		assertThat(rejection(sealed, NOW)).isEqualTo(GossipRejection.BAD_SIGNATURE);
		assertThat(rejection(sealed.replaceAll("mac=\\S+", "mac=%%%"), NOW)).isEqualTo(GossipRejection.BAD_SIGNATURE);
	}

	@Test
	void aRotationSignsWithTheCurrentSecretAndAcceptsThePreviousOne() {
		GossipSeal rotating = GossipSeal.of(List.of(CURRENT, PREVIOUS));
		GossipSeal notYetRotated = GossipSeal.of(List.of(PREVIOUS));
		assertThat(rotating.open(notYetRotated.seal(this.message, NOW), NOW)).isEqualTo(this.message);
		assertThat(this.seal.open(rotating.seal(this.message, NOW), NOW)).isEqualTo(this.message);
		assertThatExceptionOfType(RejectedGossipException.class)
			.isThrownBy(() -> notYetRotated.open(rotating.seal(this.message, NOW), NOW));
	}

	@Test
	void storedDataIsSignedWithEverySecretAndTellsWhichOneSignedIt() {
		GossipSeal rotating = GossipSeal.of(List.of(CURRENT, PREVIOUS));
		GossipSeal before = GossipSeal.of(List.of(PREVIOUS));
		GossipSeal after = GossipSeal.of(List.of(CURRENT));
		String signatures = rotating.sign("epoch 7");
		assertThat(signatures.split("\\.")).hasSize(2);
		assertThat(rotating.signer("epoch 7", signatures)).isZero();
		assertThat(before.signer("epoch 7", signatures)).isZero();
		assertThat(after.signer("epoch 7", signatures)).isZero();
		assertThat(rotating.signer("epoch 7", before.sign("epoch 7"))).isEqualTo(1);
		assertThat(after.signer("epoch 7", before.sign("epoch 7"))).isEqualTo(-1);
		assertThat(rotating.signer("epoch 8", signatures)).isEqualTo(-1);
		assertThat(rotating.signer("epoch 7", "not base64!.")).isEqualTo(-1);
		assertThat(rotating.signer("epoch 7", "")).isEqualTo(-1);
	}

	@Test
	void aMessageSignedTooLongAgoOrAheadIsAReplayOrAClockOff() {
		String sealed = this.seal.seal(this.message, NOW);
		assertThat(this.seal.open(sealed, NOW + GossipSeal.MAX_AGE_MILLIS)).isEqualTo(this.message);
		assertThat(this.seal.open(sealed, NOW - GossipSeal.MAX_AGE_MILLIS)).isEqualTo(this.message);
		assertThat(rejection(sealed, NOW + GossipSeal.MAX_AGE_MILLIS + 1)).isEqualTo(GossipRejection.STALE);
		assertThat(rejection(sealed, NOW - GossipSeal.MAX_AGE_MILLIS - 1)).isEqualTo(GossipRejection.STALE);
	}

	@Test
	void anOversizedPayloadIsRefusedBeforeItsSignatureIsComputed() {
		String huge = this.message.replace(" end", " pad=" + "x".repeat(GossipSeal.MAX_LENGTH) + " end");
		assertThat(rejection(huge, NOW)).isEqualTo(GossipRejection.OVERSIZED);
	}

	@Test
	void aSealNeedsASecretAndNeverShowsIt() {
		assertThatIllegalArgumentException().isThrownBy(() -> GossipSeal.of(List.of()));
		assertThatIllegalArgumentException().isThrownBy(() -> GossipSeal.of(List.of(CURRENT, "")));
		assertThat(GossipSeal.of(List.of(CURRENT, PREVIOUS))).hasToString("GossipSeal[2 secret(s)]");
	}

	private GossipRejection rejection(String payload, long now) {
		try {
			this.seal.open(payload, now);
		}
		catch (RejectedGossipException ex) {
			return ex.reason();
		}
		throw new AssertionError("accepted: " + payload);
	}

}
