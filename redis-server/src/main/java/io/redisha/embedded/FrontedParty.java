package io.redisha.embedded;

/**
 * A party of a {@link PartitionableRedisGroup} that others connect to: the address its
 * own connections come from, and its front, the proxy the others reach it through.
 */
interface FrontedParty {

	String source();

	TcpProxy front();

}
