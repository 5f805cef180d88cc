/**
 * Actuator support for redis-ha: the {@link io.redisha.actuate.RedisHaEndpoint endpoint}
 * and its {@link io.redisha.actuate.RedisHaOperations operator commands}, the
 * {@link io.redisha.actuate.RedisHaHealthIndicator health indicator} and the
 * {@link io.redisha.actuate.RedisHaMetrics Micrometer meters}.
 */
@NullMarked
package io.redisha.actuate;

import org.jspecify.annotations.NullMarked;
