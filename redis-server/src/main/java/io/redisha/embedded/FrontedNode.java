package io.redisha.embedded;

/**
 * A node of a {@link PartitionableRedisGroup}, the address its own connections come from,
 * and the proxy every replica reaches it through.
 */
record FrontedNode(String name, RedisServerProcess process, String source, TcpProxy front) implements FrontedParty {

	@Override
	public String toString() {
		return this.name + " at " + this.front.address() + " (listening on " + this.process.address() + ", from "
				+ this.source + ")";
	}

}
