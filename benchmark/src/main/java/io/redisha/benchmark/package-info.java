/**
 * The benchmarks of the runnable benchmark jar
 * ({@link io.redisha.benchmark.BenchmarkMain}): failover time, clients across a failover,
 * overhead, scale, partitions, switchovers and the Sentinel baseline, on real
 * redis-server processes.
 */
@NullMarked
package io.redisha.benchmark;

import org.jspecify.annotations.NullMarked;
