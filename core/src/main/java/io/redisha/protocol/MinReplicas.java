package io.redisha.protocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.redisha.protocol.InvalidGroupConfigException.Violation;
import org.jspecify.annotations.Nullable;

/**
 * The master-side fence redis-ha manages with Redis's own {@code min-replicas-to-write}
 * and {@code min-replicas-max-lag}: a master with fewer than {@code toWrite} replicas
 * that acknowledged within {@code maxLag} refuses writes ({@code NOREPLICAS}) from every
 * client, so an old master cut off from its replicas stops acknowledging writes that its
 * demotion would lose. The leader sets it on the node it promotes and clears it on a node
 * it makes a replica; the voters keep the current master fenced (see docs/protocol.md).
 *
 * @param toWrite how many replicas a master needs to take writes; 0 leaves the nodes' own
 * settings alone
 * @param maxLag how recent a replica's acknowledgement must be; whole seconds, at least
 * one
 */
public record MinReplicas(int toWrite, Duration maxLag) {

	/** Redis's own default of {@code min-replicas-max-lag}. */
	public static final Duration DEFAULT_MAX_LAG = Duration.ofSeconds(10);

	/** Not managed: redis-ha never touches the nodes' settings. */
	public static final MinReplicas UNMANAGED = new MinReplicas(0, DEFAULT_MAX_LAG);

	public MinReplicas {
		InvalidGroupConfigException.throwIfAny(null, violations(toWrite, maxLag));
	}

	/**
	 * Checks the settings, all of them, as the constructor does.
	 * @param toWrite the min-replicas-to-write
	 * @param maxLag the min-replicas-max-lag
	 * @return the invalid settings, in this order; empty when all are valid
	 */
	public static List<Violation> violations(int toWrite, @Nullable Duration maxLag) {
		List<Violation> violations = new ArrayList<>();
		if (toWrite < 0) {
			violations.add(new Violation("min-replicas-to-write", toWrite, "must be >= 0"));
		}
		if (maxLag == null || maxLag.compareTo(Duration.ofSeconds(1)) < 0 || maxLag.toMillis() % 1000 != 0) {
			violations.add(new Violation("min-replicas-max-lag", maxLag,
					"must be whole seconds, at least 1s (Redis counts the lag in seconds)"));
		}
		return violations;
	}

	/** Whether redis-ha sets the fence on the nodes. */
	public boolean managed() {
		return this.toWrite > 0;
	}

	/** {@code min-replicas-max-lag} as Redis takes it. */
	public long maxLagSeconds() {
		return this.maxLag.toSeconds();
	}

}
