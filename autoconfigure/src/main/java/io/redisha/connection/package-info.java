/**
 * The application's connections to a redis-ha group: a
 * {@link io.redisha.connection.MasterFollowingConnectionFactory Lettuce connection
 * factory} that always goes to the group's current master, and the exceptions a command
 * fails with across a failover or while this instance is fenced.
 */
@NullMarked
package io.redisha.connection;

import org.jspecify.annotations.NullMarked;
