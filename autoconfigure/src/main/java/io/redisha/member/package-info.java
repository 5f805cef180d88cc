/**
 * This application instance as a redis-ha member: {@link io.redisha.member.RedisHaMember}
 * drives one {@link io.redisha.protocol.GroupCoordinator} per group on a thread of its
 * own and carries out its actions through {@link io.redisha.redis.NodeLink node links}.
 */
@NullMarked
package io.redisha.member;

import org.jspecify.annotations.NullMarked;
