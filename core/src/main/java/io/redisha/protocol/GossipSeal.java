package io.redisha.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticates gossip with a secret the Redis servers never see. A sealed payload is an
 * encoded message with two more fields before its closing {@code end}: {@code wt}, the
 * sender's wall-clock time in milliseconds, and {@code mac}, the HMAC-SHA256 of
 * everything before {@code " mac="}, base64url without padding. Sealing uses the first
 * secret; opening accepts any of them, so that a secret can be rotated one instance at a
 * time.
 * <p>
 * A payload signed more than {@value #MAX_AGE_MILLIS} ms away from the receiver's wall
 * clock is refused: a captured message replayed later is refused by every receiver, and
 * one replayed sooner is a duplicate of a (sender, sequence) pair the receivers still
 * remember (see {@link MemberTable}). Pure: time is an argument.
 */
public final class GossipSeal {

	/**
	 * How far the signing time of an accepted payload may be from the receiver's wall
	 * clock.
	 */
	public static final long MAX_AGE_MILLIS = 30_000;

	/**
	 * The longest sealed payload: a message of {@link GossipCodec#MAX_LENGTH} plus the
	 * seal.
	 */
	public static final int MAX_LENGTH = GossipCodec.MAX_LENGTH + 96;

	private static final String ALGORITHM = "HmacSHA256";

	private static final String TIME = " wt=";

	private static final String MAC = " mac=";

	private static final String END = " end";

	private final List<SecretKeySpec> keys;

	private GossipSeal(List<SecretKeySpec> keys) {
		this.keys = keys;
	}

	/**
	 * @param secrets the current secret first, then those still accepted during a
	 * rotation
	 * @throws IllegalArgumentException when there is none, or one is empty
	 */
	public static GossipSeal of(List<String> secrets) {
		if (secrets.isEmpty() || secrets.stream().anyMatch(String::isEmpty)) {
			throw new IllegalArgumentException("a gossip seal needs at least one secret, none of them empty");
		}
		return new GossipSeal(secrets.stream()
			.map((secret) -> new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM))
			.toList());
	}

	/**
	 * Seals an encoded message with the current secret, as signed at {@code wallMillis}.
	 */
	public String seal(String message, long wallMillis) {
		if (!message.endsWith(END)) {
			throw new IllegalArgumentException("not an encoded message: it does not end with 'end'");
		}
		String signed = message.substring(0, message.length() - END.length()) + TIME + wallMillis;
		return signed + MAC + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(this.keys.get(0), signed))
				+ END;
	}

	/**
	 * Verifies a sealed payload received at {@code wallMillis}.
	 * @return the encoded message, without its seal
	 * @throws RejectedGossipException saying why it is refused
	 */
	public String open(String payload, long wallMillis) {
		if (payload.length() > MAX_LENGTH) {
			throw new RejectedGossipException(GossipRejection.OVERSIZED,
					"oversized message: " + payload.length() + " characters, at most " + MAX_LENGTH);
		}
		int macAt = payload.lastIndexOf(MAC);
		if (macAt < 0 || !payload.endsWith(END)) {
			throw new RejectedGossipException(GossipRejection.UNSIGNED, "unsigned message");
		}
		String signed = payload.substring(0, macAt);
		if (!verifies(signed, payload.substring(macAt + MAC.length(), payload.length() - END.length()))) {
			throw new RejectedGossipException(GossipRejection.BAD_SIGNATURE,
					"signature matches none of the gossip secrets");
		}
		int timeAt = signed.lastIndexOf(TIME);
		String time = (timeAt < 0) ? "" : signed.substring(timeAt + TIME.length());
		if (time.isEmpty() || time.length() > 18 || !time.chars().allMatch((c) -> c >= '0' && c <= '9')) {
			throw new RejectedGossipException(GossipRejection.MALFORMED, "signed message without a valid time");
		}
		long age = wallMillis - Long.parseLong(time);
		if (Math.abs(age) > MAX_AGE_MILLIS) {
			throw new RejectedGossipException(GossipRejection.STALE, "signed " + age + " ms before it arrived, at most "
					+ MAX_AGE_MILLIS + " ms either way: a replay, or a clock that is off");
		}
		return signed.substring(0, timeAt) + END;
	}

	private boolean verifies(String signed, String macText) {
		return signer(signed, macText) >= 0;
	}

	/**
	 * Signs data the members keep outside gossip (the group's stored configuration) with
	 * each secret, the current one first: no time, no expiry. A text signed for storage
	 * never starts as a gossip message does, so neither can pass for the other.
	 * @return the signatures, base64url without padding, separated by {@code '.'}
	 */
	public String sign(String text) {
		return String.join(".",
				this.keys.stream()
					.map((key) -> Base64.getUrlEncoder().withoutPadding().encodeToString(mac(key, text)))
					.toList());
	}

	/**
	 * Which of this seal's secrets signed {@code text}: 0 the current one, 1 and more
	 * those still accepted, -1 none.
	 * @param signatures one signature, or several separated by {@code '.'} (see
	 * {@link #sign})
	 */
	public int signer(String text, String signatures) {
		List<byte[]> received = new ArrayList<>();
		for (String signature : signatures.split("\\.", 8)) {
			try {
				received.add(Base64.getUrlDecoder().decode(signature));
			}
			catch (IllegalArgumentException ex) {
				// Not a signature: it matches nothing.
			}
		}
		for (int i = 0; i < this.keys.size(); i++) {
			byte[] expected = mac(this.keys.get(i), text);
			if (received.stream().anyMatch((mac) -> MessageDigest.isEqual(expected, mac))) {
				return i;
			}
		}
		return -1;
	}

	private static byte[] mac(SecretKeySpec key, String signed) {
		try {
			Mac mac = Mac.getInstance(ALGORITHM);
			mac.init(key);
			return mac.doFinal(signed.getBytes(StandardCharsets.UTF_8));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is part of every JDK", ex);
		}
	}

	@Override
	public String toString() {
		return "GossipSeal[" + this.keys.size() + " secret(s)]";
	}

}
