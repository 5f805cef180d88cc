package io.redisha.protocol;

/**
 * A server's version as INFO's {@code redis_version} tells it ({@code 7.0.15}), read the
 * same way wherever a command depends on it. A version that says nothing (empty, no
 * number before its first dot) is older than every version asked about.
 */
public final class RedisVersion {

	private RedisVersion() {
	}

	/** The number before the first dot; -1 when there is none. */
	public static int major(String version) {
		int dot = version.indexOf('.');
		return number((dot >= 0) ? version.substring(0, dot) : version);
	}

	/**
	 * Whether the version is {@code major.minor} or later; false for a version that says
	 * nothing.
	 */
	public static boolean atLeast(String version, int major, int minor) {
		int have = major(version);
		if (have != major) {
			return have > major;
		}
		int dot = version.indexOf('.');
		int next = (dot >= 0) ? version.indexOf('.', dot + 1) : -1;
		int haveMinor = (dot < 0) ? -1
				: number((next >= 0) ? version.substring(dot + 1, next) : version.substring(dot + 1));
		return haveMinor >= minor;
	}

	/** A number of at most 9 digits; -1 for anything else. */
	private static int number(String digits) {
		if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch((c) -> c >= '0' && c <= '9')) {
			return -1;
		}
		return Integer.parseInt(digits);
	}

}
