package io.redisha.protocol;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One change of voters, led by the member elected for it: first its own epoch's
 * configuration with the same voters (version 0) must be committed, so that no
 * configuration made by an earlier leader and held by a few members can elect any more;
 * then the configuration with the one voter added or removed (version 1) is made and
 * committed. One voter at a time: any majority of the old voters and any majority of the
 * new ones share a voter. See docs/protocol.md.
 */
final class VoterChange {

	private final long epoch;

	private final String member;

	private final boolean add;

	private final long startedAt;

	private VoterChange(long epoch, String change, long startedAt) {
		this.epoch = epoch;
		this.add = change.charAt(0) == '+';
		this.member = change.substring(1);
		this.startedAt = startedAt;
	}

	/**
	 * The change this member was elected for in {@code epoch}, given as {@code +id} or
	 * {@code -id}.
	 */
	static VoterChange elected(long epoch, String change, long now) {
		return new VoterChange(epoch, change, now);
	}

	long epoch() {
		return this.epoch;
	}

	long startedAt() {
		return this.startedAt;
	}

	/**
	 * The configuration that makes the change, once its epoch's first configuration is
	 * committed.
	 */
	Configuration apply(Configuration committed) {
		return committed.withVoterChange(this.member, this.add);
	}

	/**
	 * The change the group needs, or null: a voter that stopped for good is removed
	 * first; then, while there are fewer voters than wanted, or one is silent (it may
	 * have crashed), a live member holding the same configuration is added (at most one
	 * voter above the target, to replace a silent one); then a silent voter is removed.
	 * The smallest ids go first, so that members that look for a change at the same time
	 * find the same one.
	 * @param live members heard from recently that hold exactly this configuration
	 * @param silent voters not heard from for the member expiry
	 */
	static @Nullable String needed(Configuration config, Electorate electorate, List<String> live, List<String> silent,
			int target) {
		for (String voter : config.voters()) {
			if (electorate.hasDeparted(voter)) {
				return "-" + voter;
			}
		}
		int voters = config.voters().size();
		if (voters < target || !silent.isEmpty() && voters <= target && voters < Configuration.MAX_VOTERS) {
			List<String> observers = new ArrayList<>(live);
			observers.removeIf(config::isVoter);
			if (!observers.isEmpty()) {
				return "+" + observers.stream().sorted().findFirst().get();
			}
		}
		return silent.isEmpty() ? null : "-" + silent.stream().sorted().findFirst().get();
	}

}
