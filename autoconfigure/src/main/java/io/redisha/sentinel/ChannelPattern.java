package io.redisha.sentinel;

import java.util.regex.Pattern;

/**
 * A {@code PSUBSCRIBE} pattern: Redis's glob, {@code *} any text, {@code ?} one character,
 * {@code [abc]}, {@code [^a]} and {@code [a-z]} one of a set, {@code \} takes the next
 * character literally.
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

	/** Appends the set that starts at {@code open}; returns the index of its closing bracket. */
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
			if (c == '-' && i > open + 1 && i + 1 < close) {
				regex.append('-');
			}
			else if (Character.isLetterOrDigit(c)) {
				regex.append(c);
			}
			else {
				// Literal in a glob's set; escaped, a Java class reads it literally too.
				regex.append('\\').append(c);
			}
		}
		return close;
	}

	boolean matches(String channel) {
		return this.regex.matcher(channel).matches();
	}

}
