package io.redisha.benchmark;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one benchmark by name:
 * {@code java -jar redis-ha-benchmark.jar [name] [--option=value ...]}. Without a name it
 * runs {@code failover}. New benchmarks (writes through a RedisTemplate, switchover) are
 * added to {@link #BENCHMARKS}.
 */
public final class BenchmarkMain {

	private static final List<Benchmark> BENCHMARKS = List.of(new FailoverBenchmark(), new ClientsBenchmark(),
			new SwitchoverBenchmark(), new PartitionBenchmark(), new OverheadBenchmark(),
			new SentinelClientsBenchmark(), new ScaleBenchmark());

	private BenchmarkMain() {
	}

	public static void main(String[] args) throws Exception {
		PrintStream out = System.out;
		Map<String, Benchmark> byName = new LinkedHashMap<>();
		BENCHMARKS.forEach((benchmark) -> byName.put(benchmark.name(), benchmark));
		List<String> arguments = Arrays.asList(args);
		boolean named = !arguments.isEmpty() && !arguments.get(0).startsWith("--");
		String name = named ? arguments.get(0) : BENCHMARKS.get(0).name();
		Benchmark benchmark = byName.get(name);
		if (benchmark == null || arguments.contains("--help")) {
			out.println("usage: java -jar redis-ha-benchmark.jar [benchmark] [--rounds=10] [--down-after=1s]"
					+ " [--members=3] [--replicas=2] [--ping-period=1s] [--cut=20s]");
			byName.values().forEach((each) -> out.println("  " + each.name() + ": " + each.description()));
			if (benchmark == null) {
				out.println("unknown benchmark '" + name + "'");
				System.exit(2);
			}
			return;
		}
		BenchmarkOptions options;
		try {
			options = BenchmarkOptions.parse(arguments.subList(named ? 1 : 0, arguments.size()));
		}
		catch (IllegalArgumentException ex) {
			out.println(ex.getMessage());
			System.exit(2);
			return;
		}
		benchmark.run(options, out);
	}

}
