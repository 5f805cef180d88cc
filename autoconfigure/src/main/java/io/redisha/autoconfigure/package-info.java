/**
 * Spring Boot auto-configuration of redis-ha: the
 * {@link io.redisha.autoconfigure.RedisHaProperties properties}, the member, the
 * application's master-following connection factory, events, health, metrics, the
 * endpoint and the Sentinel-protocol endpoint.
 */
@NullMarked
package io.redisha.autoconfigure;

import org.jspecify.annotations.NullMarked;
