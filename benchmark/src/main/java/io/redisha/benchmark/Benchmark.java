package io.redisha.benchmark;

import java.io.PrintStream;

/**
 * One benchmark the runnable jar can run by name. Each prints what it measures, the
 * machine and the binary it ran on, every round's numbers and a summary; none asserts
 * anything.
 */
interface Benchmark {

	/** The name it is run by: {@code java -jar redis-ha-benchmark.jar <name>}. */
	String name();

	/** One line for the usage text. */
	String description();

	void run(BenchmarkOptions options, PrintStream out) throws Exception;

}
