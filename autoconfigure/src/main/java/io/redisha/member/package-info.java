/**
 * This application instance as a redis-ha member: {@link io.redisha.member.RedisHaMember}
 * drives one {@link io.redisha.protocol.GroupCoordinator} per group on a thread of its
 * own and carries out its actions through {@link io.redisha.redis.NodeLink node links}.
 */
package io.redisha.member;
