package io.redisha.protocol;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the protocol needs to know about one monitored group. Values are validated
 * by the Spring properties before they get here; the checks below guard direct users.
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
		if (seeds.isEmpty()) {
			throw new IllegalArgumentException("group '" + name + "' has no seed nodes");
		}
		if (quorum < 1) {
			throw new IllegalArgumentException("quorum must be >= 1 but was " + quorum);
		}
		if (parallelSyncs < 1) {
			throw new IllegalArgumentException("parallelSyncs must be >= 1 but was " + parallelSyncs);
		}
		requirePositive("downAfter", downAfter);
		requirePositive("failoverTimeout", failoverTimeout);
		Objects.requireNonNull(timing, "timing");
		if (historySize < 1) {
			throw new IllegalArgumentException("historySize must be >= 1 but was " + historySize);
		}
		if (voters < 1 || voters >= Configuration.MAX_VOTERS) {
			throw new IllegalArgumentException(
					"voters must be between 1 and " + (Configuration.MAX_VOTERS - 1) + " but was " + voters);
		}
		if (quorum > voters) {
			throw new IllegalArgumentException("quorum must be <= voters (" + voters + ") but was " + quorum);
		}
		Objects.requireNonNull(fencing, "fencing");
		if (fencing.fenceAfter().compareTo(downAfter) >= 0) {
			throw new IllegalArgumentException(
					"fenceAfter must be shorter than downAfter (" + downAfter + ") but was " + fencing.fenceAfter());
		}
		Objects.requireNonNull(minReplicas, "minReplicas");
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
				Fencing.consistent(downAfter));
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

	static void requirePositive(String what, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(what + " must be positive but was " + value);
		}
	}

	static void requireNotNegative(String what, Duration value) {
		if (value == null || value.isNegative()) {
			throw new IllegalArgumentException(what + " must be >= 0 but was " + value);
		}
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
			requirePositive("pingPeriod", pingPeriod);
			requirePositive("infoPeriod", infoPeriod);
			requirePositive("helloPeriod", helloPeriod);
			requirePositive("opinionValidity", opinionValidity);
			requirePositive("memberExpiry", memberExpiry);
			requirePositive("startupQuietPeriod", startupQuietPeriod);
			requirePositive("tiltThreshold", tiltThreshold);
			requirePositive("tiltDuration", tiltDuration);
			requirePositive("demoteAfter", demoteAfter);
			requireNotNegative("masterRebootDownAfter", masterRebootDownAfter);
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
	 * docs/protocol.md)
	 */
	public record Fencing(PartitionMode mode, Duration fenceAfter) {

		public Fencing {
			Objects.requireNonNull(mode, "mode");
			requirePositive("fenceAfter", fenceAfter);
		}

		/** The default fence-after: 60% of down-after. */
		public static Duration defaultFenceAfter(Duration downAfter) {
			Duration fenceAfter = downAfter.multipliedBy(3).dividedBy(5);
			return fenceAfter.isZero() ? Duration.ofMillis(1) : fenceAfter;
		}

		/** Consistent mode with the default fence-after. */
		public static Fencing consistent(Duration downAfter) {
			return new Fencing(PartitionMode.CONSISTENT, defaultFenceAfter(downAfter));
		}

	}

}
