/**
 * The Sentinel-protocol endpoint: a small RESP server through which Sentinel clients in
 * any language ask this member for the master of a group and subscribe to its events,
 * answered from the member's snapshots.
 */
@NullMarked
package io.redisha.sentinel;

import org.jspecify.annotations.NullMarked;
