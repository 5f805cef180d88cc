package io.redisha.benchmark;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;

import io.redisha.protocol.GroupConfig;

/**
 * The options every benchmark understands, from {@code --name=value} arguments.
 *
 * @param rounds how many measured rounds (at least 1)
 * @param downAfter the groups' down-after
 * @param members how many members (application instances) run in this JVM
 * @param replicas how many replicas the master has
 * @param pingPeriod how often members PING each node (the product's default unless given)
 * @param cut how long a network partition lasts
 */
record BenchmarkOptions(int rounds, Duration downAfter, int members, int replicas, Duration pingPeriod, Duration cut) {

	static final BenchmarkOptions DEFAULTS = new BenchmarkOptions(10, Duration.ofSeconds(1), 3, 2,
			GroupConfig.Timing.defaults().pingPeriod(), Duration.ofSeconds(20));

	BenchmarkOptions {
		if (rounds < 1) {
			throw new IllegalArgumentException("--rounds must be >= 1 but was " + rounds);
		}
		if (downAfter.isNegative() || downAfter.isZero()) {
			throw new IllegalArgumentException("--down-after must be positive but was " + downAfter);
		}
		if (members < 1) {
			throw new IllegalArgumentException("--members must be >= 1 but was " + members);
		}
		if (replicas < 1) {
			throw new IllegalArgumentException("--replicas must be >= 1 but was " + replicas);
		}
		if (pingPeriod.isNegative() || pingPeriod.isZero()) {
			throw new IllegalArgumentException("--ping-period must be positive but was " + pingPeriod);
		}
		if (cut.isNegative() || cut.isZero()) {
			throw new IllegalArgumentException("--cut must be positive but was " + cut);
		}
	}

	/**
	 * Parses
	 * {@code --rounds=10 --down-after=1s --members=3 --replicas=2 --ping-period=1s --cut=20s},
	 * each optional.
	 */
	static BenchmarkOptions parse(List<String> arguments) {
		BenchmarkOptions options = DEFAULTS;
		for (String argument : arguments) {
			int eq = argument.indexOf('=');
			if (!argument.startsWith("--") || eq < 0) {
				throw new IllegalArgumentException("'" + argument + "' is not an option of the form --name=value");
			}
			String name = argument.substring(2, eq);
			String value = argument.substring(eq + 1);
			options = switch (name) {
				case "rounds" -> new BenchmarkOptions(number(argument, value), options.downAfter, options.members,
						options.replicas, options.pingPeriod, options.cut);
				case "down-after" -> new BenchmarkOptions(options.rounds, duration(argument, value), options.members,
						options.replicas, options.pingPeriod, options.cut);
				case "members" -> new BenchmarkOptions(options.rounds, options.downAfter, number(argument, value),
						options.replicas, options.pingPeriod, options.cut);
				case "replicas" -> new BenchmarkOptions(options.rounds, options.downAfter, options.members,
						number(argument, value), options.pingPeriod, options.cut);
				case "ping-period" -> new BenchmarkOptions(options.rounds, options.downAfter, options.members,
						options.replicas, duration(argument, value), options.cut);
				case "cut" -> new BenchmarkOptions(options.rounds, options.downAfter, options.members, options.replicas,
						options.pingPeriod, duration(argument, value));
				default -> throw new IllegalArgumentException("unknown option '" + argument
						+ "' (known: --rounds, --down-after, --members, --replicas, --ping-period, --cut)");
			};
		}
		return options;
	}

	private static int number(String argument, String value) {
		try {
			return Integer.parseInt(value);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("'" + argument + "' needs a whole number");
		}
	}

	/** Accepts {@code 1s}, {@code 500ms} or an ISO-8601 duration such as {@code PT1S}. */
	private static Duration duration(String argument, String value) {
		try {
			if (value.endsWith("ms")) {
				return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
			}
			if (value.endsWith("s")) {
				return Duration.ofMillis(Math.round(Double.parseDouble(value.substring(0, value.length() - 1)) * 1000));
			}
			return Duration.parse(value);
		}
		catch (NumberFormatException | DateTimeParseException ex) {
			throw new IllegalArgumentException("'" + argument + "' needs a duration such as 1s or 500ms");
		}
	}

}
