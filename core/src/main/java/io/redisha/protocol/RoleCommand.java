package io.redisha.protocol;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * The command that changes a node's role in a {@link Action.Promote} or
 * {@link Action.Replicate}: {@code REPLICAOF}, or {@code SLAVEOF} on servers before Redis
 * 5, which lack {@code REPLICAOF}. The coordinator decides it per node, from the version
 * in the node's latest INFO; see {@link #forVersion(String)} for a version that says
 * nothing.
 */
public enum RoleCommand {

	/** {@code REPLICAOF}: Redis 5 and later. */
	REPLICAOF,

	/**
	 * {@code SLAVEOF}: every Redis version, but the only one before Redis 5; the same
	 * servers name the master-side fence {@code min-slaves-to-write} and
	 * {@code min-slaves-max-lag}.
	 */
	SLAVEOF;

	/**
	 * The command a server of this version (INFO's {@code redis_version}) knows; null
	 * when the version says nothing (empty, or no number before its first dot).
	 */
	public static @Nullable RoleCommand forVersion(String version) {
		int major = RedisVersion.major(version);
		if (major < 0) {
			return null;
		}
		return (major < 5) ? SLAVEOF : REPLICAOF;
	}

	/** The other command. */
	RoleCommand other() {
		return (this == REPLICAOF) ? SLAVEOF : REPLICAOF;
	}

	/**
	 * Whether this reply to a role change sent with this command says the node does not
	 * know the command ({@code ERR unknown command 'REPLICAOF'...}: an older server, or
	 * the command renamed away).
	 */
	boolean unknownIn(Reply reply) {
		String text;
		if (reply instanceof Reply.Failed failed) {
			text = failed.reason();
		}
		else if (reply instanceof Reply.Text error && error.error()) {
			text = error.text();
		}
		else {
			return false;
		}
		return text.toLowerCase(Locale.ROOT).contains("unknown command '" + name().toLowerCase(Locale.ROOT) + "'");
	}

}
