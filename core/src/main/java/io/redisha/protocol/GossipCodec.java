package io.redisha.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GossipMessage.Goodbye;
import io.redisha.protocol.GossipMessage.Hello;
import io.redisha.protocol.GossipMessage.Vote;
import io.redisha.protocol.GossipMessage.VoteRequest;

/**
 * The text wire format of {@link GossipMessage}: one line, fields separated by single
 * spaces, {@code redis-ha/1 <type> key=value ... end}; the closing {@code end} tells a
 * whole message from a truncated one. Values are percent-encoded UTF-8 (every character
 * outside {@code A-Z a-z 0-9 - . _ ~ : [ ]}), so application names and ids may contain
 * anything but control characters (sent as {@code ?}, refused when received: no CR or LF
 * reaches a log). A payload is at most {@link #MAX_LENGTH} characters, a free-text value
 * at most {@value #MAX_TEXT_LENGTH}, and a number at most {@value #MAX_NUMBER}: epochs
 * (wall-clock milliseconds at a member's start) and counters grow by one at a time, so
 * the largest number a receiver accepts leaves its own later messages decodable. Unknown
 * keys are ignored so that version 1 can grow; a different version prefix is refused.
 */
public final class GossipCodec {

	/** The version prefix every message starts with. */
	public static final String VERSION = "redis-ha/1";

	/** The longest payload accepted or produced, in characters. */
	public static final int MAX_LENGTH = 4096;

	/**
	 * Free text longer than this (in characters) is cut before encoding so that a message
	 * always fits.
	 */
	static final int MAX_TEXT_LENGTH = 128;

	/** The largest number a message may carry: 15 digits. */
	public static final long MAX_NUMBER = 999_999_999_999_999L;

	/**
	 * The largest configuration version a message may carry: 9 digits, so that one more
	 * still is an int.
	 */
	static final int MAX_VERSION = 999_999_999;

	/**
	 * The one free-text field bounded by its count of voters rather than by
	 * {@link #MAX_TEXT_LENGTH}.
	 */
	static final String VOTERS = "vs";

	private static final String END = "end";

	private static final String HEX = "0123456789ABCDEF";

	private GossipCodec() {
	}

	/**
	 * Encodes a message; free-text fields longer than {@value #MAX_TEXT_LENGTH}
	 * characters are cut.
	 */
	public static String encode(GossipMessage message) {
		StringBuilder out = new StringBuilder(256).append(VERSION);
		if (message instanceof Hello hello) {
			header(out, "hello", message);
			field(out, "app", hello.application());
			field(out, "ep", Long.toString(hello.currentEpoch()));
			field(out, "m", (hello.master() != null) ? hello.master().toString() : "-");
			field(out, "cep", Long.toString(hello.configEpoch()));
			field(out, "down", hello.masterDown() ? "1" : "0");
			field(out, "fo", Long.toString(hello.failoverEpoch()));
			if (hello.maintenance().version() > 0) {
				field(out, "pv", Long.toString(hello.maintenance().version()));
				field(out, "p", hello.maintenance().paused() ? "1" : "0");
				field(out, "pby", hello.maintenance().by());
			}
			if (hello.config() != null) {
				field(out, "cv", Integer.toString(hello.config().version()));
				field(out, VOTERS, hello.config().votersText(), MAX_LENGTH);
			}
			if (hello.campaignEpoch() > 0) {
				field(out, "ce", Long.toString(hello.campaignEpoch()));
			}
			if (hello.sentAt() >= 0) {
				field(out, "ts", Long.toString(hello.sentAt()));
				field(out, "ra", Long.toString(hello.masterReplyAge()));
			}
			if (hello.openVoteEpoch() > 0) {
				field(out, "ov", Long.toString(hello.openVoteEpoch()));
			}
			if (hello.endpoint() != null) {
				field(out, "se", hello.endpoint().toString());
			}
		}
		else if (message instanceof Goodbye goodbye) {
			header(out, "bye", message);
			Configuration.Departure holding = goodbye.holding();
			if (holding != null) {
				field(out, "cep", Long.toString(holding.epoch()));
				field(out, "cv", Integer.toString(holding.version()));
				field(out, "lep", Long.toString(holding.lastEpoch()));
			}
		}
		else if (message instanceof VoteRequest request) {
			header(out, "vote-request", message);
			field(out, "ep", Long.toString(request.epoch()));
			field(out, "m", request.failingMaster().toString());
			field(out, "cep", Long.toString(request.configEpoch()));
			field(out, "cv", Integer.toString(request.configVersion()));
			if (request.forced()) {
				field(out, "f", "1");
			}
			if (request.change() != null) {
				field(out, "chg", request.change());
			}
		}
		else if (message instanceof Vote vote) {
			header(out, "vote", message);
			field(out, "ep", Long.toString(vote.epoch()));
			field(out, "for", vote.candidate());
			field(out, "m", vote.failingMaster().toString());
		}
		return out.append(' ').append(END).toString();
	}

	private static void header(StringBuilder out, String type, GossipMessage message) {
		out.append(' ').append(type);
		field(out, "g", message.group());
		field(out, "id", message.sender());
		field(out, "seq", Long.toString(message.sequence()));
	}

	private static void field(StringBuilder out, String key, String value) {
		field(out, key, value, MAX_TEXT_LENGTH);
	}

	/**
	 * A field cut at {@code limit} characters (the voters' ids are bounded by their count
	 * instead).
	 */
	private static void field(StringBuilder out, String key, String value, int limit) {
		out.append(' ').append(key).append('=');
		String cut = (value.length() > limit) ? value.substring(0, limit) : value;
		if (allPlain(cut, 0, cut.length())) {
			// ids, numbers and addresses: nothing to escape
			out.append(cut);
			return;
		}
		String text = printable(cut);
		for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
			char c = (char) (b & 0xFF);
			if (isPlain(c)) {
				out.append(c);
			}
			else {
				out.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xF));
			}
		}
	}

	private static boolean allPlain(String text, int from, int to) {
		for (int i = from; i < to; i++) {
			if (!isPlain(text.charAt(i))) {
				return false;
			}
		}
		return true;
	}

	private static boolean isPlain(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
				|| c == '_' || c == '~' || c == ':' || c == '[' || c == ']';
	}

	/**
	 * Decodes a payload.
	 * @throws IllegalArgumentException saying what is wrong: oversized, not a redis-ha
	 * message, another version, unknown type, a missing, duplicated or malformed field
	 */
	public static GossipMessage decode(String payload) {
		if (payload == null || payload.isEmpty()) {
			throw new IllegalArgumentException("empty message");
		}
		if (payload.length() > MAX_LENGTH) {
			throw new IllegalArgumentException(
					"oversized message: " + payload.length() + " characters, at most " + MAX_LENGTH);
		}
		// Scanned in place rather than split: every member decodes every copy of every
		// message, so this is the hottest code of a busy group (and of the simulation).
		int space = payload.indexOf(' ');
		String version = (space < 0) ? payload : payload.substring(0, space);
		if (!version.equals(VERSION)) {
			throw new IllegalArgumentException(
					version.startsWith("redis-ha/") ? "unknown version '" + version + "', this member speaks " + VERSION
							: "not a redis-ha message: it does not start with " + VERSION);
		}
		int typeStart = space + 1;
		int typeEnd = payload.indexOf(' ', typeStart);
		int last = payload.lastIndexOf(' ');
		if (space < 0 || typeEnd < 0 || payload.length() - last - 1 != END.length()
				|| !payload.startsWith(END, last + 1)) {
			throw new IllegalArgumentException("truncated message: it does not end with '" + END + "'");
		}
		String type = payload.substring(typeStart, typeEnd);
		Map<String, String> fields = new HashMap<>(32);
		for (int start = typeEnd + 1; start <= last; start++) {
			int end = payload.indexOf(' ', start);
			int eq = payload.indexOf('=', start);
			if (eq <= start || eq > end) {
				throw new IllegalArgumentException(
						"malformed field '" + shorten(payload.substring(start, end)) + "': expected key=value");
			}
			String key = payload.substring(start, eq);
			if (fields.put(key, percentDecode(key, payload, eq + 1, end)) != null) {
				throw new IllegalArgumentException("duplicated field " + shorten(key));
			}
			start = end;
		}
		GossipFields in = new GossipFields(type, fields);
		String group = in.text("g");
		String sender = in.text("id");
		long sequence = in.number("seq");
		return switch (type) {
			case "hello" -> hello(in, group, sender, sequence);
			case "bye" -> new Goodbye(group, sender, sequence, departure(in));
			case "vote-request" -> voteRequest(in, group, sender, sequence);
			case "vote" -> new Vote(group, sender, sequence, in.number("ep"), in.text("for"), in.address("m"));
			default -> throw new IllegalArgumentException("unknown message type '" + shorten(type) + "'");
		};
	}

	/** A goodbye without its last epoch counts as a crash. */
	private static Configuration.@Nullable Departure departure(GossipFields in) {
		return in.values().containsKey("lep")
				? new Configuration.Departure(in.optionalNumber("cep"), in.version(), in.number("lep")) : null;
	}

	private static Hello hello(GossipFields in, String group, String sender, long sequence) {
		NodeAddress master = in.optionalAddress("m");
		long configEpoch = in.number("cep");
		Configuration config = null;
		if (in.values().containsKey(VOTERS)) {
			if (master == null) {
				throw new IllegalArgumentException("hello names voters but no master");
			}
			config = in.configuration(configEpoch, master);
		}
		return new Hello(group, sender, sequence, in.text("app"), in.number("ep"), master, configEpoch, in.flag("down"),
				in.number("fo"), in.maintenance(), config, in.optionalNumber("ce"),
				in.values().containsKey("ts") ? in.number("ts") : -1, replyAge(in), in.optionalNumber("ov"),
				in.values().containsKey("se") ? in.address("se") : null);
	}

	/** The sender's master reply age: -1 (never) or a number of milliseconds. */
	private static long replyAge(GossipFields in) {
		String text = in.values().get("ra");
		return (text == null || text.equals("-1")) ? -1 : in.number("ra");
	}

	private static VoteRequest voteRequest(GossipFields in, String group, String sender, long sequence) {
		boolean forced = in.values().containsKey("f") && in.flag("f");
		String change = in.values().get("chg");
		if (change != null && (change.length() < 2 || change.charAt(0) != '+' && change.charAt(0) != '-')) {
			throw new IllegalArgumentException(
					"field chg of vote-request is not +id or -id: '" + shorten(change) + "'");
		}
		GossipMessage.Purpose purpose = (change != null) ? GossipMessage.Purpose.VOTERS
				: forced ? GossipMessage.Purpose.OPERATOR : GossipMessage.Purpose.FAILOVER;
		return new VoteRequest(group, sender, sequence, in.number("ep"), in.address("m"), purpose,
				in.optionalNumber("cep"), in.version(), change);
	}

	private static String percentDecode(String key, String payload, int from, int to) {
		if (allPlain(payload, from, to)) {
			// Nothing escaped (ids, numbers, addresses): plain ASCII is the text itself.
			return checkedLength(key, payload.substring(from, to));
		}
		byte[] bytes = new byte[to - from];
		int length = 0;
		boolean ascii = true;
		for (int i = from; i < to; i++) {
			char c = payload.charAt(i);
			if (c == '%') {
				int high = (i + 2 < to) ? Character.digit(payload.charAt(i + 1), 16) : -1;
				int low = (high >= 0) ? Character.digit(payload.charAt(i + 2), 16) : -1;
				if (low < 0) {
					throw new IllegalArgumentException("field " + shorten(key) + " has a broken percent escape");
				}
				ascii &= high < 8;
				bytes[length++] = (byte) (high * 16 + low);
				i += 2;
			}
			else if (isPlain(c)) {
				bytes[length++] = (byte) c;
			}
			else {
				throw new IllegalArgumentException(
						"field " + shorten(key) + " has an unencoded character U+" + String.format("%04X", (int) c));
			}
		}
		String text;
		if (ascii) {
			// Escaped punctuation (the voters' commas): ASCII is valid UTF-8 as it is.
			text = new String(bytes, 0, length, StandardCharsets.US_ASCII);
		}
		else {
			try {
				text = StandardCharsets.UTF_8.newDecoder()
					.onMalformedInput(CodingErrorAction.REPORT)
					.onUnmappableCharacter(CodingErrorAction.REPORT)
					.decode(ByteBuffer.wrap(bytes, 0, length))
					.toString();
			}
			catch (CharacterCodingException ex) {
				throw new IllegalArgumentException("field " + shorten(key) + " is not valid UTF-8");
			}
		}
		for (int i = 0; i < text.length(); i++) {
			if (Character.isISOControl(text.charAt(i))) {
				throw new IllegalArgumentException("field " + shorten(key) + " has a control character");
			}
		}
		return checkedLength(key, text);
	}

	private static String checkedLength(String key, String text) {
		if (text.length() > MAX_TEXT_LENGTH && !key.equals(VOTERS)) {
			throw new IllegalArgumentException(
					"field " + shorten(key) + " is longer than " + MAX_TEXT_LENGTH + " characters");
		}
		return text;
	}

	static String shorten(String text) {
		return printable((text.length() > 40) ? text.substring(0, 40) + "..." : text);
	}

	/** The text with every control character (CR, LF, ESC...) replaced by {@code ?}. */
	private static String printable(String text) {
		StringBuilder printable = new StringBuilder(text.length());
		text.codePoints().forEach((c) -> printable.appendCodePoint(Character.isISOControl(c) ? '?' : c));
		return printable.toString();
	}

}
