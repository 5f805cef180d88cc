package io.redisha.embedded;

/**
 * A link between two parties of a {@link PartitionableRedisGroup}, whichever way round.
 */
record PartyLink(String first, String second) {

	PartyLink {
		if (first.compareTo(second) > 0) {
			String swap = first;
			first = second;
			second = swap;
		}
	}

	boolean has(String party) {
		return this.first.equals(party) || this.second.equals(party);
	}

	String otherThan(String party) {
		return this.first.equals(party) ? this.second : this.first;
	}

}
