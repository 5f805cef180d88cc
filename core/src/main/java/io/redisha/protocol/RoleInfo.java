package io.redisha.protocol;

import org.jspecify.annotations.Nullable;

/**
 * A parsed {@code ROLE} reply: the cheapest way to confirm a promotion at once.
 *
 * @param master whether the node answers as a master
 * @param offset its replication offset
 * @param following for a replica, the master it follows; null for a master
 */
public record RoleInfo(boolean master, long offset, @Nullable NodeAddress following) {
}
