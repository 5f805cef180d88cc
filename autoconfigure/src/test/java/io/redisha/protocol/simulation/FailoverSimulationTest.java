package io.redisha.protocol.simulation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random fault schedules, each from its own seed, played against the real protocol core in
 * the simulated world; every step is checked by the {@link InvariantChecker}, and the end of
 * every schedule for convergence. 1,000 schedules by default;
 * {@code -Dredisha.simulation.schedules=100000} for more (from
 * {@code -Dredisha.simulation.firstSeed}, 1 by default), {@code -Dredisha.simulation.seed=N}
 * to replay one, printing its schedule.
 */
class FailoverSimulationTest {

	@Test
	void everySeededScheduleKeepsTheInvariantsAndConverges() {
		Long replay = Long.getLong("redisha.simulation.seed");
		long first = (replay != null) ? replay : Long.getLong("redisha.simulation.firstSeed", 1);
		int count = (replay != null) ? 1 : Integer.getInteger("redisha.simulation.schedules", 1000);
		long steps = 0;
		long promotions = 0;
		long elections = 0;
		long startedAt = System.nanoTime();
		for (long seed = first; seed < first + count; seed++) {
			RandomSchedule schedule = RandomSchedule.of(seed);
			if (replay != null) {
				System.out.print(schedule);
			}
			RandomSchedule.Outcome outcome;
			try {
				outcome = schedule.run();
			}
			catch (SimulationFailure failure) {
				System.out.println(schedule);
				System.out.println("FAILED: replay with " + SimulationFailure.replayCommand(seed));
				throw failure;
			}
			steps += outcome.steps();
			promotions += outcome.promotions();
			elections += outcome.elections();
		}
		long millis = (System.nanoTime() - startedAt) / 1_000_000;
		System.out.printf("simulation: %d schedules from seed %d, %d steps checked, %d elections, %d promotions, "
				+ "in %.1f s%n", count, first, steps, elections, promotions, millis / 1000.0);
		assertThat(steps).isPositive();
	}

}
