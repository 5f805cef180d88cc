package io.redisha.protocol;

/**
 * The periods and limits of one group in milliseconds, derived from {@link GroupConfig}: some
 * are tightened so that failure detection stays precise when down-after is short.
 *
 * @param downAfter silence after which a node is subjectively down
 * @param pingEvery PING period: at most a quarter of down-after, so that a healthy node never
 * looks silent for down-after between two replies
 * @param infoEvery INFO period in calm times
 * @param fastInfoEvery INFO period for nodes whose role is unknown and while the master is down
 * @param helloEvery hello period
 * @param opinionValidity how long a peer's "master down" opinion counts
 * @param memberExpiry how long a silent member still counts as a voter
 * @param quietPeriod start-up time during which this member neither votes nor acts
 * @param demoteAfter how long a wrongly configured node must be stable before it is reconfigured
 * @param failoverTimeout how long a failover attempt may take
 * @param electionTimeout how long a candidate waits for votes: never longer than the quiet
 * period (see docs/protocol.md for why)
 * @param candidacyStep how much longer each member waits before asking for votes than the
 * member ranked before it, so that members seeing the master down at the same moment do not
 * split the vote
 * @param tiltThreshold a gap between ticks longer than this enters TILT: the configured
 * threshold, but at most half of down-after
 * @param masterRebootDownAfter how long the master counts as down after a restart; 0 never
 */
record Timers(long downAfter, long pingEvery, long infoEvery, long fastInfoEvery, long helloEvery,
		long opinionValidity, long memberExpiry, long quietPeriod, long demoteAfter, long failoverTimeout,
		long electionTimeout, long candidacyStep, long tiltThreshold, long masterRebootDownAfter) {

	/** The runtime ticks about this often; nothing is more precise than one tick. */
	static final long TICK = 100;

	static Timers of(GroupConfig config) {
		GroupConfig.Timing timing = config.timing();
		long downAfter = config.downAfter().toMillis();
		long pingEvery = Math.max(1, Math.min(timing.pingPeriod().toMillis(), downAfter / 4));
		long failoverTimeout = config.failoverTimeout().toMillis();
		long quiet = timing.startupQuietPeriod().toMillis();
		return new Timers(downAfter, pingEvery, timing.infoPeriod().toMillis(), pingEvery,
				timing.helloPeriod().toMillis(), timing.opinionValidity().toMillis(), timing.memberExpiry().toMillis(),
				quiet, timing.demoteAfter().toMillis(), failoverTimeout,
				Math.min(Math.min(failoverTimeout, quiet), 10_000), Math.min(TICK / 2, timing.helloPeriod().toMillis() / 4),
				tiltThreshold(timing.tiltThreshold().toMillis(), downAfter), timing.masterRebootDownAfter().toMillis());
	}

	/**
	 * A pause of this member makes every node look silent for the pause plus the age of its
	 * last reply (up to a PING period, a quarter of down-after, plus the round trip): a pause
	 * over about three quarters of down-after could report a healthy master down. Half of
	 * down-after keeps the rest as margin for the round trip, so such a pause always enters
	 * TILT first, whatever threshold was configured.
	 */
	static long tiltThreshold(long configured, long downAfter) {
		return Math.max(1, Math.min(configured, downAfter / 2));
	}

}
