package io.redisha.redis;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.redisha.protocol.Action;
import io.redisha.protocol.Reply;
import org.jspecify.annotations.Nullable;

/**
 * Turns a failed command into the one {@link Reply} it is owed, with a reason a person
 * can act on.
 */
final class Failures {

	private Failures() {
	}

	static Reply toReply(Action.NodeCommand command, Throwable failure, Duration timeout) {
		Throwable cause = unwrap(failure);
		RedisCommandExecutionException error = find(cause, RedisCommandExecutionException.class);
		if (error != null) {
			String text = String.valueOf(error.getMessage());
			if (command instanceof Action.FenceMaster) {
				// NOPERM here is the ACL's rule for CONFIG, not a wrong password.
				return new Reply.Failed("min-replicas-to-write cannot be set on " + command.node() + ": " + text
						+ " (managing it needs CONFIG GET and CONFIG SET)");
			}
			if (text.startsWith("NOPERM")) {
				return new Reply.Failed(name(command) + " on " + command.node() + " refused by the node's ACL: " + text
						+ " (the user needs every permission of the ACL recipe in docs/security.md)");
			}
			if (isAuthentication(text)) {
				return new Reply.Failed("authentication to " + command.node() + " failed: " + text
						+ " (check the group's username and password)");
			}
			if (command instanceof Action.Ping && cause == error) {
				// LOADING, MASTERDOWN...: the node answers; the protocol decides whether
				// that is valid.
				return new Reply.Text(text, true);
			}
			return new Reply.Failed(name(command) + " on " + command.node() + " answered an error: " + text);
		}
		if (cause instanceof TimeoutException || find(cause, RedisCommandTimeoutException.class) != null) {
			return new Reply.Failed("no reply from " + command.node() + " within " + timeout.toMillis() + " ms");
		}
		ConnectException refused = find(cause, ConnectException.class);
		if (refused != null) {
			return new Reply.Failed("cannot connect to " + command.node() + ": " + refused.getMessage());
		}
		String description = describe(cause);
		if (description.contains("not connected") || description.contains("Connection closed")
				|| description.contains("Connection reset")) {
			return new Reply.Failed(
					"connection to " + command.node() + " lost (it is opened again by the next command)");
		}
		return new Reply.Failed(name(command) + " on " + command.node() + " failed: " + description);
	}

	/** The message of the innermost cause, e.g. Redis's own error text. */
	static String rootMessage(Throwable failure) {
		Throwable root = failure;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return String.valueOf(root.getMessage());
	}

	private static boolean isAuthentication(String text) {
		return text.startsWith("NOAUTH") || text.startsWith("WRONGPASS") || text.contains("invalid password")
				|| text.contains("invalid username-password");
	}

	private static String name(Action.NodeCommand command) {
		return command.getClass().getSimpleName();
	}

	private static String describe(Throwable cause) {
		StringBuilder text = new StringBuilder(String.valueOf(cause.getMessage()));
		for (Throwable inner = cause.getCause(); inner != null && inner != inner.getCause(); inner = inner.getCause()) {
			text.append(": ").append(inner.getMessage());
		}
		return text.toString();
	}

	private static Throwable unwrap(Throwable failure) {
		Throwable cause = failure;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	private static <T extends Throwable> @Nullable T find(Throwable failure, Class<T> type) {
		for (Throwable cause = failure; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		return null;
	}

}
