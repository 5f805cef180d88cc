package io.redisha.protocol;

import java.util.HashSet;
import java.util.Set;

/**
 * This member's candidacy in one epoch: the votes it received and the members known to have
 * given their vote of this epoch to someone else (other candidates vote for themselves). It
 * is won with {@code max(quorum, voters / 2 + 1)} votes, voters being this member and every
 * member neither departed nor expired (see {@link MemberTable}).
 */
final class Election {

	private final long epoch;

	private final NodeAddress failingMaster;

	private final long startedAt;

	private final GroupSnapshot.Trigger trigger;

	/** For a switchover: the replica asked for, or null to choose the best one. */
	private final NodeAddress target;

	private final Set<String> votes = new HashSet<>();

	private final Set<String> against = new HashSet<>();

	Election(String self, long epoch, NodeAddress failingMaster, long startedAt) {
		this(self, epoch, failingMaster, startedAt, GroupSnapshot.Trigger.AUTOMATIC, null);
	}

	Election(String self, long epoch, NodeAddress failingMaster, long startedAt, GroupSnapshot.Trigger trigger,
			NodeAddress target) {
		this.trigger = trigger;
		this.target = target;
		this.epoch = epoch;
		this.failingMaster = failingMaster;
		this.startedAt = startedAt;
		this.votes.add(self);
	}

	long epoch() {
		return this.epoch;
	}

	NodeAddress failingMaster() {
		return this.failingMaster;
	}

	long startedAt() {
		return this.startedAt;
	}

	GroupSnapshot.Trigger trigger() {
		return this.trigger;
	}

	NodeAddress target() {
		return this.target;
	}

	/** Asked for by an operator: a majority of voters suffices, nobody has to see the master down. */
	boolean forced() {
		return this.trigger != GroupSnapshot.Trigger.AUTOMATIC;
	}

	/** Records a vote of this epoch about this master, for this candidate or another. */
	void vote(String voter, boolean forMe) {
		if (!this.votes.contains(voter) && !this.against.contains(voter)) {
			(forMe ? this.votes : this.against).add(voter);
		}
	}

	int votes() {
		return this.votes.size();
	}

	static int needed(int quorum, int voters) {
		return Math.max(quorum, voters / 2 + 1);
	}

	boolean won(int quorum, int voters) {
		return this.votes.size() >= needed(quorum, voters);
	}

	/** Even every vote not yet given elsewhere would not be enough. */
	boolean lost(int quorum, int voters) {
		return voters - this.against.size() < needed(quorum, voters);
	}

}
