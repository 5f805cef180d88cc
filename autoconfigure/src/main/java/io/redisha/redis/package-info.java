/**
 * A member's Lettuce connections to single Redis nodes: {@link io.redisha.redis.NodeLink}
 * carries out the protocol's node commands and receives its gossip, with its own clients
 * (never the application's {@code RedisConnectionFactory}) sharing one member's
 * {@link io.redisha.redis.LinkResources}.
 */
@NullMarked
package io.redisha.redis;

import org.jspecify.annotations.NullMarked;
