package io.redisha.protocol;

/**
 * What a member does with its application's writes when it cannot tell that a majority of
 * the electorate still follows its master (see docs/protocol.md, "Partitions").
 */
public enum PartitionMode {

	/**
	 * Writes fail fast with a fence error once the member has not heard, for fence-after,
	 * a majority of the voters that still reach its master: a minority side never
	 * acknowledges a write after the other side could have promoted a replica.
	 */
	CONSISTENT,

	/**
	 * Writes go on to the master the member knows, as long as it answers; a cut may lose
	 * them.
	 */
	AVAILABLE

}
