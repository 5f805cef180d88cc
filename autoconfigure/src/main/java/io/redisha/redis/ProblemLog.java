package io.redisha.redis;

import java.util.HashMap;
import java.util.Map;

import io.redisha.protocol.Action;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a node's problems once per change, not once per failed PING: a new reason is logged
 * once, however many kinds of command it fails, and the recovery from it once.
 */
final class ProblemLog {

	private static final Logger logger = LoggerFactory.getLogger(NodeLink.class);

	private final NodeAddress node;

	private final Map<Class<?>, String> current = new HashMap<>();

	private String latest;

	private String subscription;

	ProblemLog(NodeAddress node) {
		this.node = node;
	}

	/**
	 * The reason of the latest failed reply, else why the gossip subscription is refused; null
	 * when the node answers and the subscription works.
	 */
	synchronized String current() {
		return (this.latest != null) ? this.latest : this.subscription;
	}

	/** Records why SUBSCRIBE was refused, or null once it worked. */
	synchronized void subscription(String problem) {
		if (problem != null && !problem.equals(this.subscription)) {
			logger.warn("Redis node {}: {}", this.node, problem);
		}
		else if (problem == null && this.subscription != null) {
			logger.info("Redis node {}: gossip subscription works again", this.node);
		}
		this.subscription = problem;
	}

	synchronized void record(Action.NodeCommand command, Reply reply) {
		Class<?> kind = command.getClass();
		this.latest = (reply instanceof Reply.Failed failed) ? failed.reason() : null;
		if (reply instanceof Reply.Failed failed) {
			String previous = this.current.remove(kind);
			// A refused connection or a wrong password fails every kind of command: say it once.
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
