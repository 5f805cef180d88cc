package io.redisha.redis;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.redisha.protocol.Action;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.Reply;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a node's problems once per change, not once per failed PING: a new reason is
 * logged once, however many kinds of command it fails, and the recovery from it once.
 */
final class ProblemLog {

	private static final Logger logger = LoggerFactory.getLogger(NodeLink.class);

	private final NodeAddress node;

	private final Map<Class<?>, String> current = new HashMap<>();

	private @Nullable String latest;

	/**
	 * Problems of the gossip traffic, which has no reply to the protocol: SUBSCRIBE,
	 * PUBLISH.
	 */
	private final Map<String, String> gossip = new HashMap<>();

	/**
	 * The commands the node's ACL refuses to this member's user (see
	 * {@link PermissionProbe}).
	 */
	private @Nullable String permissions;

	/**
	 * What the group's configuration hash holds that no secret of this member sealed (see
	 * {@link ConfigurationSeal}).
	 */
	private @Nullable String storedHash;

	ProblemLog(NodeAddress node) {
		this.node = node;
	}

	/**
	 * The reason of the latest failed reply, else the commands the node's ACL refuses,
	 * else why gossip does not flow through the node; null when the node answers, permits
	 * everything and gossip flows.
	 */
	synchronized @Nullable String current() {
		if (this.latest != null) {
			return this.latest;
		}
		return (this.permissions != null) ? this.permissions : this.gossip.values().stream().findFirst().orElse(null);
	}

	/**
	 * What the group's configuration hash holds that no secret of this member sealed;
	 * null when nothing. Not one of {@link #current()}'s problems: the node answers and
	 * passes gossip on as it should.
	 */
	synchronized @Nullable String storedHash() {
		return this.storedHash;
	}

	/**
	 * Records what the group's configuration hash holds that no secret of this member
	 * sealed, or null once nothing.
	 */
	synchronized void recordStoredHash(@Nullable String problem) {
		String previous = this.storedHash;
		this.storedHash = problem;
		if (problem != null && !problem.equals(previous)) {
			logger.warn("Redis node {}: {}", this.node, problem);
		}
		else if (problem == null && previous != null) {
			logger.info("Redis node {}: the group's configuration hash holds only what is sealed", this.node);
		}
	}

	/**
	 * Records the refusals of a {@link PermissionProbe} (empty once everything is
	 * permitted).
	 */
	synchronized void permissions(List<String> refusals) {
		String previous = this.permissions;
		this.permissions = refusals.isEmpty() ? null
				: "the node's ACL refuses commands a member sends (see the ACL recipe in docs/security.md): "
						+ String.join("; ", refusals);
		if (this.permissions != null && !this.permissions.equals(previous)) {
			logger.warn("Redis node {}: {}", this.node, this.permissions);
		}
		else if (this.permissions == null && previous != null) {
			logger.info("Redis node {}: the ACL permits every command a member sends", this.node);
		}
	}

	/**
	 * Records why a gossip command ({@code SUBSCRIBE}, {@code PUBLISH}) was refused, or
	 * null once it worked.
	 */
	synchronized void gossip(String command, @Nullable String problem) {
		String previous = (problem != null) ? this.gossip.put(command, problem) : this.gossip.remove(command);
		if (problem != null && !problem.equals(previous)) {
			logger.warn("Redis node {}: {}", this.node, problem);
		}
		else if (problem == null && previous != null) {
			logger.info("Redis node {}: {} works again", this.node, command);
		}
	}

	synchronized void record(Action.NodeCommand command, Reply reply) {
		Class<?> kind = command.getClass();
		this.latest = (reply instanceof Reply.Failed failed) ? failed.reason() : null;
		if (reply instanceof Reply.Failed failed) {
			String previous = this.current.remove(kind);
			// A refused connection or a wrong password fails every kind of command: say
			// it once.
			if (!failed.reason().equals(previous) && !this.current.containsValue(failed.reason())) {
				logger.warn("Redis node {}: {}", this.node, failed.reason());
			}
			this.current.put(kind, failed.reason());
		}
		else {
			String solved = this.current.remove(kind);
			if (solved != null && !this.current.containsValue(solved)) {
				logger.info("Redis node {} answers again (was: {})", this.node, solved);
			}
		}
	}

}
