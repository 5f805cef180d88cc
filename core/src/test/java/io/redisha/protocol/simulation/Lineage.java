package io.redisha.protocol.simulation;

/**
 * The data a node holds at one moment: the chain of segments it descends from, read up to
 * its replication offset. Immutable, so a copy taken at some moment stays what it was.
 *
 * @param head the newest segment of the chain
 * @param offset how far the node has got in it
 */
record Lineage(Segment head, long offset) {

	/** Whether the data holds the write: the segment it went to, up to its offset. */
	boolean contains(AcknowledgedWrite write) {
		long end = this.offset;
		for (Segment segment = this.head; segment != null; segment = segment.parent()) {
			if (segment == write.segment()) {
				return write.offset() > segment.from() && write.offset() <= end;
			}
			end = Math.min(end, segment.from());
		}
		return false;
	}

}
