package io.redisha.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;

/**
 * Finds out, without running anything, which of the commands a member sends only now and
 * then (a failover's, a switchover's, the configuration hash's, gossip's) the node's ACL
 * refuses to this link's user. Each is queued in a {@code MULTI} block, where Redis
 * checks the ACL (command, key and channel) at once and answers {@code NOPERM} instead of
 * {@code QUEUED}, and the block is discarded: nothing is executed. So a missing
 * permission is seen when the member starts, not when the failover that needs it comes.
 * <p>
 * {@code MULTI} and {@code DISCARD} go out under keywords Lettuce does not recognise as
 * its own transaction commands: Lettuce would otherwise hold every reply back until
 * {@code EXEC}.
 */
final class PermissionProbe {

	private static final ProtocolKeyword MULTI = new Raw("MULTI");

	private static final ProtocolKeyword DISCARD = new Raw("DISCARD");

	private final List<List<String>> commands;

	private final ProblemLog problems;

	/**
	 * Whether the next INFO also probes the ACL: at first, after a reconnect, and while
	 * something was refused.
	 */
	private final AtomicBoolean due = new AtomicBoolean(true);

	/**
	 * @param configurationKey the group's configuration hash
	 * @param channel the gossip channel (the notifications' channels share its prefix)
	 * @param problems where the refusals are recorded
	 */
	PermissionProbe(String configurationKey, String channel, ProblemLog problems) {
		this.problems = problems;
		this.commands = List.of(List.of("ROLE"), List.of("HGETALL", configurationKey),
				List.of("HGET", configurationKey, "epoch"), List.of("HSET", configurationKey, "epoch", "0"),
				List.of("HKEYS", configurationKey), List.of("HDEL", configurationKey, "departed:"),
				List.of("EVAL", "return 0", "1", configurationKey), List.of("PUBLISH", channel, ""),
				List.of("WATCH", configurationKey), List.of("UNWATCH"), List.of("REPLICAOF", "NO", "ONE"),
				List.of("CONFIG", "REWRITE"), List.of("CONFIG", "GET", "min-replicas-to-write"),
				List.of("CONFIG", "SET", "min-replicas-to-write", "0"), List.of("CLIENT", "KILL", "TYPE", "normal"),
				List.of("CLIENT", "PAUSE", "0", "WRITE"), List.of("CLIENT", "UNPAUSE"));
	}

	/** Has the probe run again at the next INFO. */
	void runAgain() {
		this.due.set(true);
	}

	/**
	 * Runs the probe, when due, on a connection of its own, opened and closed for it (a
	 * {@code MULTI} block on the command connection would take in the commands of
	 * others), and records what the node's ACL refuses. Runs again at the next INFO when
	 * something was refused (to see it fixed) or the probe could not run.
	 */
	void runIfDue(NodeConnections connections) {
		if (!this.due.compareAndSet(true, false)) {
			return;
		}
		connections.openSingleUse()
			.thenCompose((connection) -> run(connection.async())
				.whenComplete((refusals, failure) -> connection.closeAsync()))
			.whenComplete((refusals, failure) -> {
				if (failure == null) {
					this.problems.permissions(refusals);
				}
				if (failure != null || !refusals.isEmpty()) {
					this.due.set(true);
				}
			});
	}

	/**
	 * Queues every command and discards them, on a connection of the probe's own: the
	 * commands are queued only once {@code MULTI} was accepted, so none of them is ever
	 * executed.
	 * @return completes with the refusals, e.g.
	 * {@code CONFIG REWRITE: NOPERM this user has no
	 * permissions to run the 'config|rewrite' command}; empty when everything is
	 * permitted
	 */
	private CompletableFuture<List<String>> run(RedisAsyncCommands<String, String> redis) {
		return send(redis, MULTI, List.of()).handle((ok, failure) -> failure).thenCompose((failure) -> {
			if (failure != null) {
				return refusal("MULTI", failure).map((refused) -> CompletableFuture.completedFuture(List.of(refused)))
					.orElseGet(() -> CompletableFuture.failedFuture(failure));
			}
			List<CompletableFuture<Optional<String>>> replies = new ArrayList<>();
			for (List<String> command : this.commands) {
				replies.add(send(redis, new Raw(command.get(0)), command.subList(1, command.size())).handle(
						(queued, refused) -> (refused != null) ? refusal(name(command), refused) : Optional.empty()));
			}
			return send(redis, DISCARD, List.of()).thenApply(
					(discarded) -> replies.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList());
		});
	}

	/**
	 * {@code CONFIG REWRITE}, {@code PUBLISH}: the command and, for a container command,
	 * its subcommand.
	 */
	private static String name(List<String> command) {
		boolean container = command.get(0).equals("CONFIG") || command.get(0).equals("CLIENT");
		return String.join(" ", command.subList(0, container ? 2 : 1));
	}

	private static Optional<String> refusal(String command, Throwable failure) {
		String message = Failures.rootMessage(failure);
		return message.startsWith("NOPERM") ? Optional.of(command + ": " + message) : Optional.empty();
	}

	private static CompletableFuture<String> send(RedisAsyncCommands<String, String> redis, ProtocolKeyword keyword,
			List<String> arguments) {
		CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8);
		arguments.forEach(args::add);
		return redis.dispatch(keyword, new StatusOutput<>(StringCodec.UTF8), args).toCompletableFuture();
	}

	/** A command name sent as is, which Lettuce gives no meaning of its own. */
	private record Raw(String command) implements ProtocolKeyword {

		@Override
		public byte[] getBytes() {
			return this.command.getBytes(StandardCharsets.US_ASCII);
		}

		@Override
		public String toString() {
			return "probe " + this.command;
		}

	}

}
