package io.redisha.protocol;

/** A gossip payload refused, with the reason it is counted under. */
public final class RejectedGossipException extends IllegalArgumentException {

	private final GossipRejection reason;

	public RejectedGossipException(GossipRejection reason, String message) {
		super(message);
		this.reason = reason;
	}

	public GossipRejection reason() {
		return this.reason;
	}

}
