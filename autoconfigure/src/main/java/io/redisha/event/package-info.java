/**
 * The member's protocol events as Spring {@link io.redisha.event.RedisHaEvent application
 * events} and as {@link io.redisha.event.RedisNotifications notifications} on the Redis
 * nodes in Sentinel's text format.
 */
@NullMarked
package io.redisha.event;

import org.jspecify.annotations.NullMarked;
