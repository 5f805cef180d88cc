package io.redisha.autoconfigure;

import java.time.Duration;
import java.util.List;

import io.lettuce.core.ReadFrom;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.InvalidGroupConfigException;
import io.redisha.protocol.InvalidGroupConfigException.Violation;
import io.redisha.protocol.MinReplicas;
import io.redisha.protocol.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * Validates one {@link GroupProperties} as soon as it is bound, naming each invalid
 * property and its value. The protocol's checks are {@link GroupConfig}'s own, reported
 * here against the properties.
 */
final class GroupChecks {

	private final GroupProperties group;

	private final PropertyChecks checks;

	GroupChecks(GroupProperties group, PropertyChecks checks) {
		this.group = group;
		this.checks = checks;
	}

	/**
	 * Reports the protocol's own checks of the group, the timing and the master-side
	 * fence, every violation against its property, and makes the checks only the
	 * properties can make: node addresses, secrets, credentials, the application's
	 * connections and an explicit tilt-threshold.
	 */
	void validate() {
		validateNodes();
		this.group.validateGossipSecrets(this.checks);
		validateCredentials();
		report(GroupConfig.violations(this.group.getNodes(), this.group.getQuorum(), this.group.getDownAfter(),
				this.group.getFailoverTimeout(), this.group.getParallelSyncs(), this.group.getHistorySize(),
				this.group.getVoters(), this.group.getFenceAfter()));
		try {
			this.group.timing();
		}
		catch (InvalidGroupConfigException ex) {
			report(ex.violations());
		}
		report(MinReplicas.violations(this.group.getMinReplicasToWrite(), this.group.getMinReplicasMaxLag()));
		validateTiltThreshold();
		this.checks.requirePositive("command-timeout", this.group.getCommandTimeout());
		this.checks.require("failover-wait", this.group.getFailoverWait(), (wait) -> wait != null && !wait.isNegative(),
				"must be >= 0");
		this.checks.require("read-from", this.group.getReadFrom(), (name) -> name == null || isReadFrom(name),
				"must be one of Lettuce's ReadFrom names (master, replicaPreferred, replica, masterPreferred,"
						+ " any, nearest...)");
	}

	private void report(List<Violation> violations) {
		violations.forEach((violation) -> this.checks.reject(violation.setting(), violation.problem()));
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
	 * Unset, the protocol derives the threshold from down-after (at most half of it); a
	 * value set explicitly is taken as meant, so one that cannot protect against a false
	 * "down" is refused rather than silently lowered; that it is positive is the
	 * protocol's check.
	 */
	private void validateTiltThreshold() {
		Duration tiltThreshold = this.group.getTiltThreshold();
		if (tiltThreshold == null || !isPositive(tiltThreshold) || !isPositive(this.group.getDownAfter())) {
			return;
		}
		Duration half = this.group.getDownAfter().dividedBy(2);
		if (tiltThreshold.compareTo(half) > 0) {
			this.checks.reject("tilt-threshold",
					"must be at most half of down-after, " + PropertyChecks.describe(half) + ", but was "
							+ PropertyChecks.describe(tiltThreshold) + ": a pause of this instance"
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

	private static boolean isPositive(@Nullable Duration duration) {
		return duration != null && !duration.isNegative() && !duration.isZero();
	}

	/** That there is a node at all is the protocol's check. */
	private void validateNodes() {
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
