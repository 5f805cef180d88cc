package io.redisha.protocol;

/**
 * The periods and limits of one group in milliseconds, derived from {@link GroupConfig}:
 * some are tightened so that failure detection stays precise when down-after is short.
 *
 * @param downAfter silence after which a node is subjectively down
 * @param pingEvery PING period: at most a quarter of down-after, so that a healthy node
 * never looks silent for down-after between two replies
 * @param infoEvery INFO period in calm times
 * @param fastInfoEvery INFO period for nodes whose role is unknown and while the master
 * is down
 * @param helloEvery hello period
 * @param opinionValidity how long a peer's "master down" opinion counts
 * @param memberExpiry how long a silent member still counts as a voter
 * @param quietPeriod start-up time during which this member neither votes nor acts
 * @param demoteAfter how long a wrongly configured node must be stable before it is
 * reconfigured
 * @param failoverTimeout how long a failover attempt may take
 * @param electionTimeout how long a candidate waits for votes: never longer than the
 * quiet period (see docs/protocol.md for why)
 * @param candidacyStep how much longer each member waits before asking for votes than the
 * member ranked before it, so that members seeing the master down at the same moment do
 * not split the vote
 * @param tiltThreshold a gap between ticks longer than this enters TILT: the configured
 * threshold, but at most half of down-after
 * @param masterRebootDownAfter how long the master counts as down after a restart; 0
 * never
 * @param fenceAfter in consistent partition mode, how long this member may go without
 * knowing that a majority of the voters reach its master before it fences its
 * application's writes; 0 in available mode
 */
record Timers(long downAfter, long pingEvery, long infoEvery, long fastInfoEvery, long helloEvery, long opinionValidity,
		long memberExpiry, long quietPeriod, long demoteAfter, long failoverTimeout, long electionTimeout,
		long candidacyStep, long tiltThreshold, long masterRebootDownAfter, long fenceAfter) {

	/** The runtime ticks about this often; nothing is more precise than one tick. */
	static final long TICK = 100;

	static Timers of(GroupConfig config) {
		GroupConfig.Timing timing = config.timing();
		long downAfter = config.downAfter().toMillis();
		boolean fencing = config.fencing().mode() == PartitionMode.CONSISTENT;
		long fenceAfter = fencing ? config.fenceAfter().toMillis() : 0;
		// A voter's evidence ages by up to a PING period and a hello period before the
		// next one arrives: both stay within a third of fence-after, so a healthy group
		// never fences.
		long evidenceLimit = fencing ? Math.max(1, fenceAfter / 3) : Long.MAX_VALUE;
		long pingEvery = Math.max(1, Math.min(Math.min(timing.pingPeriod().toMillis(), downAfter / 4), evidenceLimit));
		long helloEvery = config.helloEvery().toMillis();
		long failoverTimeout = config.failoverTimeout().toMillis();
		long quiet = timing.startupQuietPeriod().toMillis();
		return new Timers(downAfter, pingEvery, timing.infoPeriod().toMillis(), pingEvery, helloEvery,
				timing.opinionValidity().toMillis(), timing.memberExpiry().toMillis(), quiet,
				timing.demoteAfter().toMillis(), failoverTimeout, Math.min(Math.min(failoverTimeout, quiet), 10_000),
				Math.min(TICK / 2, helloEvery / 4), tiltThreshold(timing.tiltThreshold().toMillis(), downAfter),
				timing.masterRebootDownAfter().toMillis(), fenceAfter);
	}

	/**
	 * An observer's PING period: down-after, or the PING period if longer. Nobody counts
	 * an observer's view of the master (no vote, no quorum, no fence evidence), so it
	 * need not see a death sooner than one and a half down-after (see
	 * {@link NodeState#status(long, long, boolean)}); the voters' announcement of the new
	 * master comes first. Each PING wakes the node's event loop: at 300 instances the
	 * observers' PINGs were the largest part of a node's CPU.
	 */
	long observerPingEvery() {
		return Math.max(this.pingEvery, this.downAfter);
	}

	/**
	 * An observer's INFO period in calm times: three INFO periods. It repairs no node and
	 * stands in no election, so what calm-time INFO tells it (the replicas, their
	 * offsets, the copy of the configuration) may be older; whenever INFO matters (a role
	 * unknown or changing, a master down, a failover) it reads at the fast period as a
	 * voter does. At 300 instances, most of them observers, this takes two thirds of the
	 * INFO calls off every node.
	 */
	long observerInfoEvery() {
		return 3 * this.infoEvery;
	}

	/**
	 * How often an observer says it is there: four times per member expiry, so that a
	 * lost message or two does not make the voters forget it; never more often than a
	 * hello period.
	 */
	long presenceEvery() {
		return Math.max(this.helloEvery, this.memberExpiry / 4);
	}

	/**
	 * In consistent mode, a replica that says its link to its master is up and received
	 * something within this many seconds is never promoted by an automatic or forced
	 * failover: its master is alive and may be acknowledging writes that a fenced member
	 * cannot see. Whole seconds because Redis reports the link's silence so; two more
	 * than fence-after covers that rounding and a write in flight (see docs/protocol.md).
	 * -1 in available mode.
	 */
	long streamingReplicaSeconds() {
		return (this.fenceAfter > 0) ? (this.fenceAfter + 999) / 1000 + 2 : -1;
	}

	/**
	 * How long a voter's word that the master is down (its vote, or a hello since) lets
	 * the leader it voted for promote a replica: fence-after in consistent mode, and at
	 * least three hello periods, so that a voter that still sees the master down renews
	 * it in time (it says so in every hello) even when one is lost.
	 */
	long downWordValidity() {
		return Math.max(this.fenceAfter, 3 * this.helloEvery);
	}

	/**
	 * A pause of this member makes every node look silent for the pause plus the age of
	 * its last reply (up to a PING period, a quarter of down-after, plus the round trip):
	 * a pause over about three quarters of down-after could report a healthy master down.
	 * Half of down-after keeps the rest as margin for the round trip, so such a pause
	 * always enters TILT first, whatever threshold was configured.
	 */
	static long tiltThreshold(long configured, long downAfter) {
		return Math.max(1, Math.min(configured, downAfter / 2));
	}

}
