package io.redisha.protocol.simulation;

import java.util.Map;

import io.redisha.protocol.NodeAddress;

/**
 * A write a simulated client made through its member's route and the master acknowledged.
 *
 * @param id its number, in the order of acknowledgement
 * @param member the member whose route the client followed
 * @param node the master that acknowledged it
 * @param segment the history it went to (the master's newest segment)
 * @param offset the master's replication offset right after it
 * @param at when it was acknowledged
 * @param majority whether more than half of the member slots could reach that master then
 * @param streamed when each replica of that master last acknowledged its stream, as of
 * the write (such a replica holds the data written before that tick)
 */
record AcknowledgedWrite(long id, String member, NodeAddress node, Segment segment, long offset, long at,
		boolean majority, Map<NodeAddress, Long> streamed) {

	@Override
	public String toString() {
		return String.format("write #%d (by %s's client to %s at %.1fs, offset %d of replid %s%s)", this.id,
				this.member, this.node, this.at / 1000.0, this.offset, this.segment.replid().substring(0, 8),
				this.majority ? ", a majority of the members could reach it" : ", in a minority");
	}

}
