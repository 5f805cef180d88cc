package io.redisha.autoconfigure;

import java.time.Duration;

import io.redisha.protocol.GroupConfig;
import org.jspecify.annotations.Nullable;

/**
 * The advanced timing of one {@link GroupProperties}, as the protocol's
 * {@link GroupConfig.Timing} takes it: periods and limits whose defaults suit most
 * groups.
 */
public abstract class GroupTimingProperties extends GossipSecretProperties {

	/**
	 * How often each node is PINGed.
	 */
	private Duration pingPeriod = GroupConfig.Timing.defaults().pingPeriod();

	/**
	 * How often each node's INFO replication is read (every ping period during a
	 * failover).
	 */
	private Duration infoPeriod = GroupConfig.Timing.defaults().infoPeriod();

	/**
	 * How often a hello is published on every node of the group.
	 */
	private Duration helloPeriod = GroupConfig.Timing.defaults().helloPeriod();

	/**
	 * How long another member's "master is down" opinion counts towards the quorum.
	 */
	private Duration opinionValidity = GroupConfig.Timing.defaults().opinionValidity();

	/**
	 * How long a member that vanished without saying goodbye stays listed; a voter silent
	 * that long is replaced by the other voters (which takes a majority of them).
	 */
	private Duration memberExpiry = GroupConfig.Timing.defaults().memberExpiry();

	/**
	 * How long a starting member only listens: it neither votes nor starts a failover.
	 */
	private Duration startupQuietPeriod = GroupConfig.Timing.defaults().startupQuietPeriod();

	/**
	 * A timer gap longer than this (a paused JVM, a clock jump) enters TILT mode. At most
	 * half of down-after, so that a pause long enough to make a healthy master look down
	 * enters TILT first. Defaults to 2s, or half of down-after when that is shorter.
	 */
	private @Nullable Duration tiltThreshold;

	/**
	 * How long TILT mode lasts after the last timer gap.
	 */
	private Duration tiltDuration = GroupConfig.Timing.defaults().tiltDuration();

	/**
	 * How long a returning old master must stay reachable before it is turned into a
	 * replica of the new master.
	 */
	private Duration demoteAfter = GroupConfig.Timing.defaults().demoteAfter();

	/**
	 * How long the master counts as down after it restarted (a new run id), so that a
	 * replica that still has the data is promoted in place of a master that came back
	 * without it (no persistence). Zero never counts a restart as down.
	 */
	private Duration masterRebootDownAfter = Duration.ZERO;

	public Duration getPingPeriod() {
		return this.pingPeriod;
	}

	public void setPingPeriod(Duration pingPeriod) {
		this.pingPeriod = pingPeriod;
	}

	public Duration getInfoPeriod() {
		return this.infoPeriod;
	}

	public void setInfoPeriod(Duration infoPeriod) {
		this.infoPeriod = infoPeriod;
	}

	public Duration getHelloPeriod() {
		return this.helloPeriod;
	}

	public void setHelloPeriod(Duration helloPeriod) {
		this.helloPeriod = helloPeriod;
	}

	public Duration getOpinionValidity() {
		return this.opinionValidity;
	}

	public void setOpinionValidity(Duration opinionValidity) {
		this.opinionValidity = opinionValidity;
	}

	public Duration getMemberExpiry() {
		return this.memberExpiry;
	}

	public void setMemberExpiry(Duration memberExpiry) {
		this.memberExpiry = memberExpiry;
	}

	public Duration getStartupQuietPeriod() {
		return this.startupQuietPeriod;
	}

	public void setStartupQuietPeriod(Duration startupQuietPeriod) {
		this.startupQuietPeriod = startupQuietPeriod;
	}

	public @Nullable Duration getTiltThreshold() {
		return this.tiltThreshold;
	}

	public void setTiltThreshold(@Nullable Duration tiltThreshold) {
		this.tiltThreshold = tiltThreshold;
	}

	public Duration getTiltDuration() {
		return this.tiltDuration;
	}

	public void setTiltDuration(Duration tiltDuration) {
		this.tiltDuration = tiltDuration;
	}

	public Duration getDemoteAfter() {
		return this.demoteAfter;
	}

	public void setDemoteAfter(Duration demoteAfter) {
		this.demoteAfter = demoteAfter;
	}

	public Duration getMasterRebootDownAfter() {
		return this.masterRebootDownAfter;
	}

	public void setMasterRebootDownAfter(Duration masterRebootDownAfter) {
		this.masterRebootDownAfter = masterRebootDownAfter;
	}

	/**
	 * The advanced timing as the protocol takes it.
	 * @return the timing
	 */
	public GroupConfig.Timing timing() {
		Duration tiltThreshold = (this.tiltThreshold != null) ? this.tiltThreshold
				: GroupConfig.Timing.defaults().tiltThreshold();
		return new GroupConfig.Timing(this.pingPeriod, this.infoPeriod, this.helloPeriod, this.opinionValidity,
				this.memberExpiry, this.startupQuietPeriod, tiltThreshold, this.tiltDuration, this.demoteAfter,
				this.masterRebootDownAfter);
	}

}
