package io.redisha.actuate;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.redisha.member.RedisHaMember;
import io.redisha.member.RedisHaMember.CommandResult;
import io.redisha.protocol.CommandOutcome;
import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.NodeAddress;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The operator commands behind the endpoint's write operations, with their HTTP statuses:
 * 200 when done (a failover or switchover: when it ended with the new master in place),
 * 202 when a failover is still under way after the wait, 400 for a bad request, 404 for
 * an unknown group, 409 when a failover is in progress, 422 when it cannot be done (no
 * eligible replica, the target did not catch up...), with the reason in the body.
 */
public final class RedisHaOperations {

	private static final int STATUS_CONFLICT = 409;

	private static final int STATUS_UNPROCESSABLE = 422;

	/** How long a command waits for the group's thread. */
	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

	/**
	 * How long the master may wait for a switchover's target to catch up, unless the
	 * request says.
	 */
	static final Duration DEFAULT_CATCH_UP = Duration.ofSeconds(5);

	/**
	 * The longest catch-up a request may ask for: the master's writes stay paused for as
	 * long.
	 */
	static final Duration MAX_CATCH_UP = Duration.ofSeconds(30);

	/** How long a request waits for a started failover or switchover to end. */
	private static final Duration FINISH_WAIT = Duration.ofSeconds(60);

	private final RedisHaMember member;

	RedisHaOperations(RedisHaMember member) {
		this.member = member;
	}

	WebEndpointResponse<OperationResult> run(String group, String operation, @Nullable String memberId,
			@Nullable String node, @Nullable String target, @Nullable Long timeoutMs) {
		if (this.member.snapshot(group) == null) {
			return failure(WebEndpointResponse.STATUS_NOT_FOUND, group, operation, "no group '" + group + "'");
		}
		try {
			CommandResult result = switch (operation) {
				case "pause" -> this.member.pause(group, COMMAND_TIMEOUT);
				case "resume" -> this.member.resume(group, COMMAND_TIMEOUT);
				case "failover" -> this.member.failover(group, COMMAND_TIMEOUT);
				case "switchover" -> this.member.switchover(group, (target != null) ? NodeAddress.parse(target) : null,
						catchUp(timeoutMs), COMMAND_TIMEOUT);
				case "forget" -> forget(group, memberId, node);
				case "replace-voters" -> this.member.replaceVoters(group, COMMAND_TIMEOUT);
				default -> throw new IllegalArgumentException("unknown operation '" + operation
						+ "': use pause, resume, failover, switchover, forget or replace-voters");
			};
			return respond(group, operation, result);
		}
		catch (IllegalArgumentException ex) {
			return failure(WebEndpointResponse.STATUS_BAD_REQUEST, group, operation, ex.getMessage());
		}
		catch (IllegalStateException ex) {
			return failure(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE, group, operation, ex.getMessage());
		}
	}

	private static Duration catchUp(@Nullable Long timeoutMs) {
		if (timeoutMs == null) {
			return DEFAULT_CATCH_UP;
		}
		if (timeoutMs <= 0 || timeoutMs > MAX_CATCH_UP.toMillis()) {
			throw new IllegalArgumentException(
					"timeoutMs must be between 1 and " + MAX_CATCH_UP.toMillis() + " but was " + timeoutMs);
		}
		return Duration.ofMillis(timeoutMs);
	}

	private CommandResult forget(String group, @Nullable String memberId, @Nullable String node) {
		if ((memberId == null) == (node == null)) {
			throw new IllegalArgumentException(
					"forget needs exactly one of \"member\" (a member id) or \"node\" (host:port)");
		}
		return (memberId != null) ? this.member.forgetMember(group, memberId, COMMAND_TIMEOUT)
				: this.member.forgetNode(group, NodeAddress.parse(node), COMMAND_TIMEOUT);
	}

	private WebEndpointResponse<OperationResult> respond(String group, String operation, CommandResult result) {
		CommandOutcome outcome = result.outcome();
		return switch (outcome.status()) {
			case DONE -> new WebEndpointResponse<>(
					new OperationResult(group, operation, "done", outcome.message(), null, null), 200);
			case CONFLICT -> failure(STATUS_CONFLICT, group, operation, outcome.message());
			case REFUSED -> failure(STATUS_UNPROCESSABLE, group, operation, outcome.message());
			case STARTED -> awaitEnd(group, operation, outcome, result);
		};
	}

	private WebEndpointResponse<OperationResult> awaitEnd(String group, String operation, CommandOutcome outcome,
			CommandResult result) {
		try {
			// A started command always has its finish.
			FailoverSnapshot failover = Objects.requireNonNull(result.finished())
				.get(FINISH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
			String newMaster = (failover.newMaster() != null) ? failover.newMaster().toString() : null;
			return failover.succeeded()
					? new WebEndpointResponse<>(new OperationResult(group, operation, "succeeded", failover.result(),
							failover.epoch(), newMaster), 200)
					: new WebEndpointResponse<>(new OperationResult(group, operation, "aborted", failover.result(),
							failover.epoch(), newMaster), STATUS_UNPROCESSABLE);
		}
		catch (TimeoutException ex) {
			return new WebEndpointResponse<>(new OperationResult(group, operation, "in-progress",
					outcome.message() + ": still under way, see the history", outcome.epoch(), null), 202);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return failure(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE, group, operation, "interrupted");
		}
		catch (ExecutionException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			return failure(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE, group, operation, cause.getMessage());
		}
	}

	private static WebEndpointResponse<OperationResult> failure(int status, String group, String operation,
			@Nullable String reason) {
		return new WebEndpointResponse<>(new OperationResult(group, operation,
				(status == STATUS_CONFLICT) ? "conflict" : "refused", reason, null, null), status);
	}

	/**
	 * The answer to a write operation.
	 *
	 * @param group the group
	 * @param operation the operation
	 * @param result {@code done}, {@code succeeded}, {@code in-progress},
	 * {@code aborted}, {@code conflict} or {@code refused}
	 * @param message what happened, or why not
	 * @param epoch the epoch of a failover or switchover; null otherwise
	 * @param newMaster the promoted replica of a failover or switchover; null otherwise
	 */
	public record OperationResult(String group, String operation, String result, @Nullable String message,
			@Nullable Long epoch, @Nullable String newMaster) {
	}

}
