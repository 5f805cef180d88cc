package io.redisha.protocol;

/** The outcome of one {@link Action.NodeCommand}. */
public sealed interface Reply {

	/**
	 * A status, bulk or error reply as text, e.g. {@code PONG} or
	 * {@code LOADING Redis is loading...}.
	 */
	record Text(String text, boolean error) implements Reply {
	}

	/**
	 * A parsed {@code INFO} reply, and the group's configuration stored on that node,
	 * read in the same round trip.
	 */
	record Info(ReplicationInfo info, StoredConfiguration stored) implements Reply {

		/**
		 * INFO of a node whose stored configuration was not read (or that holds none).
		 */
		public Info(ReplicationInfo info) {
			this(info, StoredConfiguration.NONE);
		}

	}

	/** A parsed {@code ROLE} reply. */
	record Role(RoleInfo role) implements Reply {
	}

	/**
	 * No reply: timeout, refused or broken connection, authentication failure; the reason
	 * says which.
	 */
	record Failed(String reason) implements Reply {
	}

}
