package io.redisha.sentinel;

import java.util.regex.Pattern;

/**
 * A {@code PSUBSCRIBE} pattern: Redis's glob, {@code *} any text, {@code ?} one
 * character, {@code [abc]}, {@code [^a]} and {@code [a-z]} one of a set, {@code \} takes
 * the next character literally.
 */
final class ChannelPattern {

	private final Pattern regex;

	private ChannelPattern(Pattern regex) {
		this.regex = regex;
	}

	static ChannelPattern of(String glob) {
		StringBuilder regex = new StringBuilder(glob.length() + 8);
		for (int i = 0; i < glob.length(); i++) {
			char c = glob.charAt(i);
			if (c == '*') {
				regex.append(".*");
			}
			else if (c == '?') {
				regex.append('.');
			}
			else if (c == '\\' && i + 1 < glob.length()) {
				regex.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
			}
			else if (c == '[' && glob.indexOf(']', i + 1) > i + 1) {
				i = appendSet(glob, i, regex);
			}
			else {
				regex.append(Pattern.quote(String.valueOf(c)));
			}
		}
		return new ChannelPattern(Pattern.compile(regex.toString(), Pattern.DOTALL));
	}

	/**
	 * Appends the set that starts at {@code open}; returns the index of its closing
	 * bracket.
	 */
	private static int appendSet(String glob, int open, StringBuilder regex) {
		int close = glob.indexOf(']', open + 1);
		regex.append('[');
		int i = open + 1;
		if (glob.charAt(i) == '^' && i + 1 < close) {
			regex.append('^');
			i++;
		}
		for (; i < close; i++) {
			char c = glob.charAt(i);
			if (i + 2 < close && glob.charAt(i + 1) == '-') {
				// A range; Redis takes a reversed one too.
				char to = glob.charAt(i + 2);
				appendLiteral(regex, (char) Math.min(c, to));
				regex.append('-');
				appendLiteral(regex, (char) Math.max(c, to));
				i += 2;
			}
			else {
				appendLiteral(regex, c);
			}
		}
		regex.append(']');
		return close;
	}

	/**
	 * One character of a set, literal: escaped unless a letter or digit, as a Java class
	 * reads it.
	 */
	private static void appendLiteral(StringBuilder regex, char c) {
		if (!Character.isLetterOrDigit(c)) {
			regex.append('\\');
		}
		regex.append(c);
	}

	boolean matches(String channel) {
		return this.regex.matcher(channel).matches();
	}

}
