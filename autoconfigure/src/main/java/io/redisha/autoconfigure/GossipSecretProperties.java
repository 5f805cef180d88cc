package io.redisha.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The gossip secrets of {@link RedisHaProperties} (for every group) and of one
 * {@link GroupProperties} (in their place). Members sign every gossip message with the
 * current secret and accept any of the two; the Redis servers never see them.
 */
public abstract class GossipSecretProperties {

	/** The shortest gossip secret accepted. */
	static final int MIN_LENGTH = 32;

	/**
	 * Secret with which members sign and verify every gossip message: the same random
	 * value, at least 32 characters, on every instance. A group's own replaces
	 * 'redis-ha.gossip-secret'. Never sent to Redis; never shown by the endpoint or in
	 * logs.
	 */
	private @Nullable String gossipSecret;

	/**
	 * Previous gossip secret, still accepted (never used to sign) while a new one is
	 * rolled out to every instance.
	 */
	private @Nullable String gossipSecretPrevious;

	public @Nullable String getGossipSecret() {
		return this.gossipSecret;
	}

	public void setGossipSecret(@Nullable String gossipSecret) {
		this.gossipSecret = gossipSecret;
	}

	public @Nullable String getGossipSecretPrevious() {
		return this.gossipSecretPrevious;
	}

	public void setGossipSecretPrevious(@Nullable String gossipSecretPrevious) {
		this.gossipSecretPrevious = gossipSecretPrevious;
	}

	/** The secrets, the one to sign with first; empty when none is set. */
	List<String> gossipSecrets() {
		if (this.gossipSecret == null) {
			return List.of();
		}
		return (this.gossipSecretPrevious != null) ? List.of(this.gossipSecret, this.gossipSecretPrevious)
				: List.of(this.gossipSecret);
	}

	/** Checks the secrets without ever showing them. */
	void validateGossipSecrets(PropertyChecks checks) {
		requireLongEnough(checks, "gossip-secret", this.gossipSecret);
		requireLongEnough(checks, "gossip-secret-previous", this.gossipSecretPrevious);
		if (this.gossipSecretPrevious != null && this.gossipSecret == null) {
			checks.reject("gossip-secret-previous", "is set but gossip-secret is not: set the new secret as "
					+ "gossip-secret and the one it replaces as gossip-secret-previous");
		}
	}

	/**
	 * Rejected as a whole rather than as a value, so that the failure analysis does not
	 * show the secret.
	 */
	private static void requireLongEnough(PropertyChecks checks, String property, @Nullable String secret) {
		if (secret != null && secret.length() < MIN_LENGTH) {
			checks.rejectObject(checks.fullName(property) + " must have at least " + MIN_LENGTH + " characters but has "
					+ secret.length());
		}
	}

}
