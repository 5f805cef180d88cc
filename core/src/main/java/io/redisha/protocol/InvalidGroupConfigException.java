package io.redisha.protocol;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * A group's configuration that the protocol cannot run with, listing every setting that
 * is invalid rather than only the first, each by the name it is configured under.
 */
public class InvalidGroupConfigException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	private final transient List<Violation> violations;

	/**
	 * Creates the exception.
	 * @param group the group's name, or null when the settings are checked on their own
	 * @param violations what is invalid; at least one
	 */
	public InvalidGroupConfigException(@Nullable String group, List<Violation> violations) {
		super(message(group, violations));
		this.violations = List.copyOf(violations);
	}

	/**
	 * What is invalid, in the order the settings are checked.
	 * @return the violations
	 */
	public List<Violation> violations() {
		return this.violations;
	}

	private static String message(@Nullable String group, List<Violation> violations) {
		String problems = violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
		return (group != null) ? "group '" + group + "' is invalid: " + problems : problems;
	}

	/** Throws the violations, if there are any. */
	static void throwIfAny(@Nullable String group, List<Violation> violations) {
		if (!violations.isEmpty()) {
			throw new InvalidGroupConfigException(group, violations);
		}
	}

	/**
	 * One invalid setting.
	 *
	 * @param setting the setting's configuration name in dashed form, e.g.
	 * {@code parallel-syncs}, {@code fence-after}, {@code nodes}
	 * @param value the value as it was given, or null when none was
	 * @param requirement what a valid value is, e.g. "must be >= 1"
	 * @param reason why, or empty when the requirement speaks for itself
	 */
	public record Violation(String setting, @Nullable Object value, String requirement, String reason) {

		/** A violation whose requirement speaks for itself. */
		public Violation(String setting, @Nullable Object value, String requirement) {
			this(setting, value, requirement, "");
		}

		/**
		 * What is wrong with the setting, following its name: the requirement, the value
		 * and the reason, e.g. "must be <= voters (5) but was 6: only voters count
		 * towards it".
		 * @return the problem
		 */
		public String problem() {
			String problem = this.requirement + " but was " + describe(this.value);
			return this.reason.isEmpty() ? problem : problem + ": " + this.reason;
		}

		@Override
		public String toString() {
			return this.setting + " " + problem();
		}

		/**
		 * Writes a value the way it is configured: durations as 5s or 250ms, text quoted,
		 * nothing and empty lists as "empty".
		 * @param value the value
		 * @return its description
		 */
		public static String describe(@Nullable Object value) {
			if (value == null || value instanceof Collection<?> collection && collection.isEmpty()) {
				return "empty";
			}
			if (value instanceof Duration duration) {
				return describe(duration);
			}
			if (value instanceof CharSequence) {
				return "'" + value + "'";
			}
			return String.valueOf(value);
		}

		/**
		 * Writes a duration the way it is usually configured: 5s, 250ms.
		 * @param duration the duration
		 * @return its description
		 */
		public static String describe(Duration duration) {
			long millis = duration.toMillis();
			if (!duration.equals(Duration.ofMillis(millis))) {
				return duration.toString();
			}
			return (millis % 1000 == 0) ? (millis / 1000) + "s" : millis + "ms";
		}

	}

}
