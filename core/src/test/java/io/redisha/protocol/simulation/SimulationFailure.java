package io.redisha.protocol.simulation;

/**
 * A broken invariant (or a coordinator that threw) in one simulated schedule: says which
 * seed, at which step and simulated time, how to replay it, and what happened just
 * before.
 */
final class SimulationFailure extends AssertionError {

	SimulationFailure(long seed, boolean strict, long step, long now, String problem, String trace, Throwable cause) {
		super(message(seed, strict, step, now, problem, trace), cause);
	}

	/** The command that plays the schedule of this seed again, printing it. */
	static String replayCommand(long seed, boolean strict) {
		return command(strict) + " -Dredisha.simulation.seed=" + seed;
	}

	/** The command that plays these schedules again. */
	static String runCommand(long firstSeed, int count, boolean strict) {
		return command(strict) + " -Dredisha.simulation.firstSeed=" + firstSeed + " -Dredisha.simulation.schedules="
				+ count;
	}

	private static String command(boolean strict) {
		// the core module depends on nothing of this repository: no -am needed
		return "./mvnw -pl core test -Dtest='FailoverSimulationTest#everySeededScheduleKeepsTheInvariantsAndConverges'"
				+ " -Dsurefire.failIfNoSpecifiedTests=false" + (strict ? " -Dredisha.simulation.strict=true" : "");
	}

	private static String message(long seed, boolean strict, long step, long now, String problem, String trace) {
		return String.format("seed %d%s, step %d, t=%.1fs: %s%nreplay: %s%n%s", seed, strict ? " (strict)" : "", step,
				now / 1000.0, problem, replayCommand(seed, strict), trace);
	}

}
