package io.redisha.protocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.redisha.protocol.InvalidGroupConfigException.Violation;
import org.jspecify.annotations.Nullable;

/**
 * Everything the protocol needs to know about one monitored group. Every invalid setting
 * is refused at once with an {@link InvalidGroupConfigException} naming each by its
 * configuration name; the Spring properties report the same violations against their
 * properties.
 *
 * @param name the group's name (Sentinel's "master name")
 * @param seeds any nodes of the group; the rest is discovered
 * @param quorum members that must see the master down before it is objectively down
 * @param downAfter time without a valid reply after which a node is subjectively down
 * @param failoverTimeout how long one failover attempt may take before it is aborted
 * @param parallelSyncs how many replicas may resync with a new master at a time
 * @param timing the periods and limits that have sensible defaults
 * @param historySize how many failovers and switchovers the snapshot keeps
 * @param voters how many members the electorate grows to; the other members observe
 * @param fencing what happens to the application's writes when this member is cut from
 * the majority
 * @param minReplicas the master-side fence, for every client: Redis's
 * min-replicas-to-write, set on the master by redis-ha when managed
 */
public record GroupConfig(String name, List<NodeAddress> seeds, int quorum, Duration downAfter,
		Duration failoverTimeout, int parallelSyncs, Timing timing, int historySize, int voters, Fencing fencing,
		MinReplicas minReplicas) {

	/** The default of {@link #historySize()}. */
	public static final int DEFAULT_HISTORY_SIZE = 10;

	/**
	 * The default of {@link #voters()}: tolerates two voters lost, like five Sentinels.
	 */
	public static final int DEFAULT_VOTERS = 5;

	public GroupConfig {
		Objects.requireNonNull(name, "name");
		seeds = List.copyOf(seeds);
		Objects.requireNonNull(timing, "timing");
		Objects.requireNonNull(fencing, "fencing");
		Objects.requireNonNull(minReplicas, "minReplicas");
		InvalidGroupConfigException.throwIfAny(name, violations(seeds, quorum, downAfter, failoverTimeout,
				parallelSyncs, historySize, voters, fencing.fenceAfter()));
		fencing = new Fencing(fencing.mode(), fencing.fenceAfter(downAfter));
	}

	/**
	 * Checks a group's own settings, all of them, as the constructor does; the timing and
	 * the master-side fence are checked by {@link Timing#violations} and
	 * {@link MinReplicas#violations}.
	 * @param seeds the seed nodes in any form (addresses, or the text they are parsed
	 * from): only that there is one is checked here
	 * @param quorum the quorum
	 * @param downAfter the down-after
	 * @param failoverTimeout the failover timeout
	 * @param parallelSyncs the parallel syncs
	 * @param historySize the history size
	 * @param voters the voters
	 * @param fenceAfter the fence-after, or null for the default that follows down-after
	 * @return the invalid settings, in this order; empty when all are valid
	 */
	public static List<Violation> violations(List<?> seeds, int quorum, @Nullable Duration downAfter,
			@Nullable Duration failoverTimeout, int parallelSyncs, int historySize, int voters,
			@Nullable Duration fenceAfter) {
		List<Violation> violations = new ArrayList<>();
		if (seeds.isEmpty()) {
			violations.add(new Violation("nodes", seeds, "must list at least one host:port node of the group"));
		}
		if (quorum < 1) {
			violations.add(new Violation("quorum", quorum, "must be >= 1"));
		}
		if (parallelSyncs < 1) {
			violations.add(new Violation("parallel-syncs", parallelSyncs, "must be >= 1"));
		}
		if (historySize < 1) {
			violations.add(new Violation("history-size", historySize, "must be >= 1"));
		}
		if (voters < 1 || voters >= Configuration.MAX_VOTERS) {
			violations.add(new Violation("voters", voters, "must be between 1 and " + (Configuration.MAX_VOTERS - 1)));
		}
		else if (quorum > voters) {
			violations.add(new Violation("quorum", quorum, "must be <= voters (" + voters + ")",
					"only voters count towards it"));
		}
		requirePositive(violations, "down-after", downAfter);
		requirePositive(violations, "failover-timeout", failoverTimeout);
		violations.addAll(Fencing.violations(fenceAfter));
		if (downAfter != null && isPositive(downAfter) && (fenceAfter == null || isPositive(fenceAfter))) {
			Duration effective = (fenceAfter != null) ? fenceAfter : Fencing.defaultFenceAfter(downAfter);
			if (effective.compareTo(downAfter) >= 0) {
				violations.add(new Violation("fence-after", effective,
						"must be shorter than down-after (" + Violation.describe(downAfter) + ")",
						"writes must be refused before the other side of a partition may see the master down"
								+ " and fail over"));
			}
		}
		return violations;
	}

	/** A group whose nodes' min-replicas settings redis-ha leaves alone. */
	public GroupConfig(String name, List<NodeAddress> seeds, int quorum, Duration downAfter, Duration failoverTimeout,
			int parallelSyncs, Timing timing, int historySize, int voters, Fencing fencing) {
		this(name, seeds, quorum, downAfter, failoverTimeout, parallelSyncs, timing, historySize, voters, fencing,
				MinReplicas.UNMANAGED);
	}

	/** A group in {@link PartitionMode#CONSISTENT} mode with the default fence-after. */
	public GroupConfig(String name, List<NodeAddress> seeds, int quorum, Duration downAfter, Duration failoverTimeout,
			int parallelSyncs, Timing timing, int historySize, int voters) {
		this(name, seeds, quorum, downAfter, failoverTimeout, parallelSyncs, timing, historySize, voters,
				Fencing.withDefaultFenceAfter(PartitionMode.CONSISTENT));
	}

	/** A group of {@value #DEFAULT_VOTERS} voters at most. */
	public GroupConfig(String name, List<NodeAddress> seeds, int quorum, Duration downAfter, Duration failoverTimeout,
			int parallelSyncs, Timing timing, int historySize) {
		this(name, seeds, quorum, downAfter, failoverTimeout, parallelSyncs, timing, historySize, DEFAULT_VOTERS);
	}

	/** A group that keeps the last {@value #DEFAULT_HISTORY_SIZE} failovers. */
	public GroupConfig(String name, List<NodeAddress> seeds, int quorum, Duration downAfter, Duration failoverTimeout,
			int parallelSyncs, Timing timing) {
		this(name, seeds, quorum, downAfter, failoverTimeout, parallelSyncs, timing, DEFAULT_HISTORY_SIZE);
	}

	/**
	 * The fence-after in force: the one set, else the default for down-after.
	 * @return the fence-after
	 */
	public Duration fenceAfter() {
		return this.fencing.fenceAfter(this.downAfter);
	}

	/**
	 * The hello period in force: the configured one, at most a third of fence-after in
	 * consistent partition mode (see docs/protocol.md, "Timers").
	 * @return the hello period
	 */
	public Duration helloEvery() {
		long hello = this.timing.helloPeriod().toMillis();
		if (this.fencing.mode() == PartitionMode.CONSISTENT) {
			hello = Math.min(hello, Math.max(1, fenceAfter().toMillis() / 3));
		}
		return Duration.ofMillis(Math.max(1, hello));
	}

	/** The same group with another partition fence. */
	public GroupConfig withFencing(Fencing fencing) {
		return new GroupConfig(this.name, this.seeds, this.quorum, this.downAfter, this.failoverTimeout,
				this.parallelSyncs, this.timing, this.historySize, this.voters, fencing, this.minReplicas);
	}

	/** The same group with another master-side fence. */
	public GroupConfig withMinReplicas(MinReplicas minReplicas) {
		return new GroupConfig(this.name, this.seeds, this.quorum, this.downAfter, this.failoverTimeout,
				this.parallelSyncs, this.timing, this.historySize, this.voters, this.fencing, minReplicas);
	}

	static void requirePositive(List<Violation> violations, String setting, @Nullable Duration value) {
		if (!isPositive(value)) {
			violations.add(new Violation(setting, value, "must be positive"));
		}
	}

	static boolean isPositive(@Nullable Duration value) {
		return value != null && !value.isNegative() && !value.isZero();
	}

	/**
	 * Periods and limits with defaults modelled on Sentinel's, tightened where Sentinel
	 * is needlessly slow.
	 *
	 * @param pingPeriod how often each node is PINGed
	 * @param infoPeriod how often each node's INFO is read (every {@code pingPeriod}
	 * during a failover)
	 * @param helloPeriod how often a hello is published on every node
	 * @param opinionValidity how long a peer's "master is down" opinion counts towards
	 * ODOWN
	 * @param memberExpiry how long a member that vanished without saying goodbye still
	 * counts as a voter
	 * @param startupQuietPeriod how long a starting member only listens: no vote, no
	 * failover
	 * @param tiltThreshold a timer gap longer than this enters TILT; the protocol uses at
	 * most half of down-after, so that a pause long enough to make a healthy node look
	 * down enters TILT
	 * @param tiltDuration how long TILT lasts after the last gap
	 * @param demoteAfter how long a returning old master must stay reachable before it is
	 * turned into a replica
	 * @param masterRebootDownAfter how long the master counts as subjectively down after
	 * it restarted, so that a replica that still has the data may be promoted in place of
	 * a master that came back without it; zero (the default) never
	 */
	public record Timing(Duration pingPeriod, Duration infoPeriod, Duration helloPeriod, Duration opinionValidity,
			Duration memberExpiry, Duration startupQuietPeriod, Duration tiltThreshold, Duration tiltDuration,
			Duration demoteAfter, Duration masterRebootDownAfter) {

		public Timing {
			InvalidGroupConfigException.throwIfAny(null,
					violations(pingPeriod, infoPeriod, helloPeriod, opinionValidity, memberExpiry, startupQuietPeriod,
							tiltThreshold, tiltDuration, demoteAfter, masterRebootDownAfter));
		}

		/**
		 * Checks timing settings, all of them, as the constructor does.
		 * @param pingPeriod the ping period
		 * @param infoPeriod the info period
		 * @param helloPeriod the hello period
		 * @param opinionValidity the opinion validity
		 * @param memberExpiry the member expiry
		 * @param startupQuietPeriod the startup quiet period
		 * @param tiltThreshold the tilt threshold
		 * @param tiltDuration the tilt duration
		 * @param demoteAfter the demote-after
		 * @param masterRebootDownAfter the master-reboot-down-after
		 * @return the invalid settings, in this order; empty when all are valid
		 */
		public static List<Violation> violations(@Nullable Duration pingPeriod, @Nullable Duration infoPeriod,
				@Nullable Duration helloPeriod, @Nullable Duration opinionValidity, @Nullable Duration memberExpiry,
				@Nullable Duration startupQuietPeriod, @Nullable Duration tiltThreshold,
				@Nullable Duration tiltDuration, @Nullable Duration demoteAfter,
				@Nullable Duration masterRebootDownAfter) {
			List<Violation> violations = new ArrayList<>();
			requirePositive(violations, "ping-period", pingPeriod);
			requirePositive(violations, "info-period", infoPeriod);
			requirePositive(violations, "hello-period", helloPeriod);
			requirePositive(violations, "opinion-validity", opinionValidity);
			requirePositive(violations, "member-expiry", memberExpiry);
			requirePositive(violations, "startup-quiet-period", startupQuietPeriod);
			requirePositive(violations, "tilt-threshold", tiltThreshold);
			requirePositive(violations, "tilt-duration", tiltDuration);
			requirePositive(violations, "demote-after", demoteAfter);
			if (masterRebootDownAfter == null || masterRebootDownAfter.isNegative()) {
				violations.add(new Violation("master-reboot-down-after", masterRebootDownAfter, "must be >= 0"));
			}
			return violations;
		}

		/** Timing that never counts a restarted master down. */
		public Timing(Duration pingPeriod, Duration infoPeriod, Duration helloPeriod, Duration opinionValidity,
				Duration memberExpiry, Duration startupQuietPeriod, Duration tiltThreshold, Duration tiltDuration,
				Duration demoteAfter) {
			this(pingPeriod, infoPeriod, helloPeriod, opinionValidity, memberExpiry, startupQuietPeriod, tiltThreshold,
					tiltDuration, demoteAfter, Duration.ZERO);
		}

		public static Timing defaults() {
			return new Timing(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(1),
					Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofSeconds(3), Duration.ofSeconds(2),
					Duration.ofSeconds(30), Duration.ofSeconds(3));
		}

		/** The same timing with another {@link #masterRebootDownAfter()}. */
		public Timing withMasterRebootDownAfter(Duration masterRebootDownAfter) {
			return new Timing(this.pingPeriod, this.infoPeriod, this.helloPeriod, this.opinionValidity,
					this.memberExpiry, this.startupQuietPeriod, this.tiltThreshold, this.tiltDuration, this.demoteAfter,
					masterRebootDownAfter);
		}

	}

	/**
	 * The partition fence.
	 *
	 * @param mode whether writes are fenced when the majority is not heard
	 * @param fenceAfter how long this member may go without hearing a majority of the
	 * voters that reach its master before it fences its application's writes; shorter
	 * than down-after, and the difference is the margin for a write in flight (see
	 * docs/protocol.md). Null for the default, {@link #defaultFenceAfter 60% of
	 * down-after}, which the group resolves: a group's fencing always has one.
	 */
	public record Fencing(PartitionMode mode, @Nullable Duration fenceAfter) {

		public Fencing {
			Objects.requireNonNull(mode, "mode");
			InvalidGroupConfigException.throwIfAny(null, violations(fenceAfter));
		}

		/**
		 * The fence in this mode with the default fence-after, which follows the group's
		 * down-after.
		 * @param mode the mode
		 * @return the fence
		 */
		public static Fencing withDefaultFenceAfter(PartitionMode mode) {
			return new Fencing(mode, null);
		}

		/**
		 * Checks the fence-after on its own, as the constructor does; that it is shorter
		 * than down-after is the group's check.
		 * @param fenceAfter the fence-after, or null for the default
		 * @return the invalid settings; empty when all are valid
		 */
		public static List<Violation> violations(@Nullable Duration fenceAfter) {
			List<Violation> violations = new ArrayList<>();
			if (fenceAfter != null) {
				requirePositive(violations, "fence-after", fenceAfter);
			}
			return violations;
		}

		/** The default fence-after: 60% of down-after. */
		public static Duration defaultFenceAfter(Duration downAfter) {
			Duration fenceAfter = downAfter.multipliedBy(3).dividedBy(5);
			return fenceAfter.isZero() ? Duration.ofMillis(1) : fenceAfter;
		}

		/**
		 * The fence-after in force in a group with this down-after.
		 * @param downAfter the group's down-after
		 * @return the fence-after set, else the default
		 */
		public Duration fenceAfter(Duration downAfter) {
			return (this.fenceAfter != null) ? this.fenceAfter : defaultFenceAfter(downAfter);
		}

	}

}
