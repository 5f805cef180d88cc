/**
 * The protocol as a deterministic state machine: failure detection, gossip, votes, epochs
 * and failover steps, fed events and answering with actions. Nothing is null unless
 * marked {@link org.jspecify.annotations.Nullable @Nullable}.
 */
@NullMarked
package io.redisha.protocol;

import org.jspecify.annotations.NullMarked;
