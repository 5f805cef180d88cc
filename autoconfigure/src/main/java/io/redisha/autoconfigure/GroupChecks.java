package io.redisha.autoconfigure;

import java.time.Duration;

import io.lettuce.core.ReadFrom;
import io.redisha.protocol.Configuration;
import io.redisha.protocol.NodeAddress;

/**
 * Validates one {@link RedisHaProperties.Group} as soon as it is bound, naming each
 * invalid property and its value.
 */
final class GroupChecks {

	private final RedisHaProperties.Group group;

	private final PropertyChecks checks;

	GroupChecks(RedisHaProperties.Group group, PropertyChecks checks) {
		this.group = group;
		this.checks = checks;
	}

	void validate() {
		validateNodes();
		this.group.validateGossipSecrets(this.checks);
		validateCredentials();
		this.checks.require("quorum", this.group.getQuorum(), (value) -> value >= 1, "must be >= 1");
		this.checks.require("parallel-syncs", this.group.getParallelSyncs(), (value) -> value >= 1, "must be >= 1");
		this.checks.require("history-size", this.group.getHistorySize(), (value) -> value >= 1, "must be >= 1");
		this.checks.require("voters", this.group.getVoters(), (value) -> value >= 1 && value < Configuration.MAX_VOTERS,
				"must be between 1 and " + (Configuration.MAX_VOTERS - 1));
		this.checks.require("quorum", this.group.getQuorum(), (value) -> value <= this.group.getVoters(),
				"must be <= voters (" + this.group.getVoters() + "): only voters count towards it");
		this.checks.requirePositive("down-after", this.group.getDownAfter());
		this.checks.requirePositive("failover-timeout", this.group.getFailoverTimeout());
		this.checks.requirePositive("command-timeout", this.group.getCommandTimeout());
		this.checks.requirePositive("ping-period", this.group.getPingPeriod());
		this.checks.requirePositive("info-period", this.group.getInfoPeriod());
		this.checks.requirePositive("hello-period", this.group.getHelloPeriod());
		this.checks.requirePositive("opinion-validity", this.group.getOpinionValidity());
		this.checks.requirePositive("member-expiry", this.group.getMemberExpiry());
		this.checks.requirePositive("startup-quiet-period", this.group.getStartupQuietPeriod());
		validateTiltThreshold();
		this.checks.requirePositive("tilt-duration", this.group.getTiltDuration());
		this.checks.requirePositive("demote-after", this.group.getDemoteAfter());
		this.checks.require("master-reboot-down-after", this.group.getMasterRebootDownAfter(),
				(period) -> period != null && !period.isNegative(), "must be >= 0");
		this.checks.require("min-replicas-to-write", this.group.getMinReplicasToWrite(), (value) -> value >= 0,
				"must be >= 0");
		this.checks.require("min-replicas-max-lag", this.group.getMinReplicasMaxLag(),
				(lag) -> lag != null && lag.compareTo(Duration.ofSeconds(1)) >= 0 && lag.toMillis() % 1000 == 0,
				"must be whole seconds, at least 1s (Redis counts the lag in seconds)");
		this.checks.require("failover-wait", this.group.getFailoverWait(), (wait) -> wait != null && !wait.isNegative(),
				"must be >= 0");
		this.checks.require("read-from", this.group.getReadFrom(), (name) -> name == null || isReadFrom(name),
				"must be one of Lettuce's ReadFrom names (master, replicaPreferred, replica, masterPreferred,"
						+ " any, nearest...)");
		validateFenceAfter();
	}

	/**
	 * Credentials the members and the application could not authenticate with are refused
	 * here: otherwise every link fails its handshake and the member monitors nothing.
	 */
	private void validateCredentials() {
		this.checks.require("username", this.group.getUsername(), (name) -> name == null || !name.isBlank(),
				"must not be blank");
		if (this.group.getUsername() != null && !this.group.getUsername().isBlank()
				&& this.group.getPassword() == null) {
			this.checks.reject("username",
					"is set to '" + this.group.getUsername() + "' but password is not: Redis authenticates"
							+ " a user with both (AUTH username password); for a user without a password (nopass) set"
							+ " any password");
		}
		if (this.group.getPassword() != null && this.group.getPassword().isEmpty()) {
			this.checks.reject("password", "must not be empty: leave it unset when the nodes need no password");
		}
	}

	/**
	 * The fence must close before the other side may see the master down and fail over;
	 * checked also when the default applies, since it follows down-after.
	 */
	private void validateFenceAfter() {
		if (this.group.getFenceAfter() != null) {
			this.checks.requirePositive("fence-after", this.group.getFenceAfter());
		}
		if (!isPositive(this.group.getDownAfter())
				|| this.group.getFenceAfter() != null && !isPositive(this.group.getFenceAfter())) {
			return;
		}
		Duration fenceAfter = this.group.effectiveFenceAfter();
		if (fenceAfter.compareTo(this.group.getDownAfter()) >= 0) {
			this.checks.reject("fence-after",
					"must be shorter than down-after, " + PropertyChecks.describe(this.group.getDownAfter())
							+ ", but was " + PropertyChecks.describe(fenceAfter)
							+ ": writes must be refused before the other"
							+ " side of a partition may see the master down and fail over");
		}
	}

	/**
	 * Unset, the protocol derives the threshold from down-after (at most half of it); a
	 * value set explicitly is taken as meant, so one that cannot protect against a false
	 * "down" is refused rather than silently lowered.
	 */
	private void validateTiltThreshold() {
		if (this.group.getTiltThreshold() == null) {
			return;
		}
		this.checks.requirePositive("tilt-threshold", this.group.getTiltThreshold());
		Duration half = isPositive(this.group.getDownAfter()) ? this.group.getDownAfter().dividedBy(2) : null;
		if (half != null && this.group.getTiltThreshold().compareTo(half) > 0) {
			this.checks.reject("tilt-threshold",
					"must be at most half of down-after, " + PropertyChecks.describe(half) + ", but was "
							+ PropertyChecks.describe(this.group.getTiltThreshold()) + ": a pause of this instance"
							+ " long enough to make a healthy master look down must enter TILT first");
		}
	}

	private static boolean isReadFrom(String name) {
		try {
			ReadFrom.valueOf(name);
			return true;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	private static boolean isPositive(Duration duration) {
		return duration != null && !duration.isNegative() && !duration.isZero();
	}

	private void validateNodes() {
		if (this.group.getNodes().isEmpty()) {
			this.checks.reject("nodes", "must list at least one host:port node of the group but was empty");
			return;
		}
		for (String node : this.group.getNodes()) {
			try {
				NodeAddress.parse(node);
			}
			catch (IllegalArgumentException ex) {
				this.checks.reject("nodes", "has an invalid node: " + ex.getMessage());
			}
		}
	}

}
