package io.redisha.autoconfigure;

import java.time.Duration;
import java.util.function.Predicate;

import io.redisha.protocol.InvalidGroupConfigException.Violation;
import org.jspecify.annotations.Nullable;

import org.springframework.validation.Errors;

/**
 * Records property errors whose message names the full property and the rejected value,
 * e.g. {@code redis-ha.groups.orders.quorum must be >= 1 but was 0}: the message alone
 * tells the user what to fix, wherever it is shown.
 */
final class PropertyChecks {

	private final Errors errors;

	PropertyChecks(Errors errors) {
		this.errors = errors;
	}

	/**
	 * Rejects the value unless it passes the check.
	 * @param property the property's name relative to the object validated, in dashed
	 * form
	 * @param value its value
	 * @param check whether the value is valid
	 * @param requirement what a valid value is, e.g. "must be >= 1"
	 */
	<T> void require(String property, @Nullable T value, Predicate<T> check, String requirement) {
		if (!check.test(value)) {
			reject(property, requirement + " but was " + describe(value));
		}
	}

	void requirePositive(String property, @Nullable Duration value) {
		require(property, value, (duration) -> duration != null && !duration.isNegative() && !duration.isZero(),
				"must be positive");
	}

	/**
	 * Rejects the property with a problem statement that follows its full name.
	 * @param property the property's name relative to the object validated, in dashed
	 * form
	 * @param problem what is wrong, including the value
	 */
	void reject(String property, String problem) {
		this.errors.rejectValue(property, "invalid", fullName(property) + " " + problem);
	}

	/**
	 * Rejects the object as a whole, for problems no single property value carries.
	 * @param message the complete message
	 */
	void rejectObject(String message) {
		this.errors.reject("invalid", message);
	}

	String fullName(String property) {
		return this.errors.getObjectName() + "." + property;
	}

	private static String describe(@Nullable Object value) {
		return Violation.describe(value);
	}

	/** Writes a duration the way it is usually configured: 5s, 250ms. */
	static String describe(Duration duration) {
		return Violation.describe(duration);
	}

}
