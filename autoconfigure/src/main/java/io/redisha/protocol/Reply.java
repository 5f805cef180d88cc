package io.redisha.protocol;

/** The outcome of one {@link Action.NodeCommand}. */
public sealed interface Reply {

	/** A status, bulk or error reply as text, e.g. {@code PONG} or {@code LOADING Redis is loading...}. */
	record Text(String text, boolean error) implements Reply {
	}

	/** A parsed {@code INFO} reply. */
	record Info(ReplicationInfo info) implements Reply {
	}

	/** A parsed {@code ROLE} reply. */
	record Role(RoleInfo role) implements Reply {
	}

	/** No reply: timeout, refused or broken connection, authentication failure; the reason says which. */
	record Failed(String reason) implements Reply {
	}

}
