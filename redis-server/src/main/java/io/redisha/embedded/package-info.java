/**
 * Real {@code redis-server} processes on loopback ports for tests and for the sample
 * app's embedded default: {@link io.redisha.embedded.RedisServerProcess one server},
 * {@link io.redisha.embedded.LocalRedisGroup a master with replicas},
 * {@link io.redisha.embedded.RedisGroupExtension a JUnit 5 extension} and
 * {@link io.redisha.embedded.TcpProxy a proxy that can cut one client off}. The binary is
 * {@code redis-server} on the PATH, else the one shipped in {@code embedded-redis}
 * ({@link io.redisha.embedded.RedisServerBinary}); no process outlives its JVM for long
 * (pid files, shutdown hook, reaping at the next start).
 */
@NullMarked
package io.redisha.embedded;

import org.jspecify.annotations.NullMarked;
