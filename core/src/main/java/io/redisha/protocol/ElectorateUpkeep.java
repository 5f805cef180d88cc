package io.redisha.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.ReplicationInfo.Role;

/**
 * Who elects, kept up in a calm group: founding the first electorate (or succeeding one
 * whose voters have all departed), and the changes of voters the group needs, each made
 * by the voter elected for it.
 */
final class ElectorateUpkeep {

	private final CoordinatorParts parts;

	private final Timers timers;

	/** The change of voters this member leads, once elected for it; null when none. */
	private @Nullable VoterChange voterChange;

	/** When this member last tried to found or succeed an electorate; -1 never. */
	private long lastFoundingAt = -1;

	/**
	 * When this member may ask for votes for a change of voters; -1 when not scheduled.
	 */
	private long changeAt = -1;

	ElectorateUpkeep(CoordinatorParts parts) {
		this.parts = parts;
		this.timers = parts.timers;
	}

	/** Whether this member leads a change of voters. */
	boolean changing() {
		return this.voterChange != null;
	}

	/** The epoch of the change this member leads; 0 when none. */
	long changeEpoch() {
		return (this.voterChange != null) ? this.voterChange.epoch() : 0;
	}

	/** A configuration of another epoch ends the change this member leads. */
	void supersede(long epoch) {
		if (this.voterChange != null && this.voterChange.epoch() != epoch) {
			this.voterChange = null;
		}
	}

	/**
	 * The electorate's upkeep, in a calm group: founding the first electorate (or
	 * succeeding one that has all departed), and, by a voter of a committed
	 * configuration, the next change of voters the group needs. Members that look at the
	 * same time find the same change; the voter with the smallest id asks first.
	 */
	void considerElectorate(long now, boolean tilted, List<Action> out) {
		CoordinatorParts parts = this.parts;
		Electorate electorate = parts.electorate;
		Configuration held = electorate.config();
		if (tilted || parts.quiet(now) || this.voterChange != null || parts.elections.peerLeadsFailover(now)) {
			this.changeAt = -1;
			return;
		}
		if (held == null || electorate.allDeparted()) {
			considerFounding(now, held, out);
			return;
		}
		String change = (electorate.selfVotes() && now >= parts.elections.holdOffUntil()
				&& parts.voting.lastVoteSettled(now, null) && electorate.committed(parts.members.peers()))
						? VoterChange.needed(held, electorate, liveHolders(now), silentVoters(now),
								parts.config.voters())
						: null;
		if (change == null) {
			this.changeAt = -1;
			return;
		}
		if (this.changeAt < 0) {
			this.changeAt = now + parts.elections.candidacyRank(now) * this.timers.helloEvery();
		}
		if (now >= this.changeAt) {
			this.changeAt = -1;
			parts.elections.standForChange(now, change, out);
		}
	}

	/**
	 * Founds an electorate of this member alone when the group has none: every node it
	 * knows answers and none stores a configuration, no member holds one, and the
	 * master's hash is still empty when the store runs (so only one member ever founds).
	 * Succeeds an electorate whose voters have all stopped for good the same way,
	 * replacing exactly that configuration. Members that hold no configuration are no
	 * voters and all rank 0, so they may all store at once: only one store on the one
	 * master they all name succeeds, the others read it back.
	 */
	private void considerFounding(long now, @Nullable Configuration held, List<Action> out) {
		CoordinatorParts parts = this.parts;
		NodeAddress master = parts.master.address();
		NodeState node = parts.nodes.get(master);
		if (master == null || node == null || parts.detection.statusOf(node, now) != NodeStatus.UP
				|| node.role() != Role.MASTER || node.stored() == null) {
			return;
		}
		// A node cut off may hold the configuration of a group that exists, and founding
		// another one beside it would split the group in two; so would a founding on
		// another master. A succession waits while the master restarted without its data.
		if (held == null && !unfoundedAndAgreed(now) || held != null && node.holdsNoneOfTheDataOf(held)) {
			return;
		}
		long wait = this.timers.quietPeriod() + parts.elections.candidacyRank(now) * this.timers.helloEvery();
		boolean due = this.lastFoundingAt < 0 || now - this.lastFoundingAt >= this.timers.helloEvery();
		if (now - parts.startedAt < wait || !due) {
			return;
		}
		this.lastFoundingAt = now;
		Configuration founding = Configuration.founding(parts.epochs.current() + 1, master, parts.self.id());
		// currentEpoch is at least the held configuration's epoch (adopt observes it), so
		// the founding is newer.
		// A succession only on the process whose INFO showed it holds the group's data.
		out.add((held == null) ? new Action.StoreConfiguration(master, founding, Action.StoreCondition.ABSENT, null)
				: new Action.StoreConfiguration(master, founding, Action.StoreCondition.NOT_NEWER, held,
						node.answeredInfo().runId()));
	}

	/**
	 * Whether no electorate exists as far as anyone can tell
	 * ({@link #noConfigurationAnywhere}) and every member heard within opinion validity
	 * names the master this member learned from the nodes' roles, or none yet: members
	 * that name different masters (two nodes answering master in a brand-new group, a
	 * replica restarted as a standalone master or one the operator has not pointed yet)
	 * would found electorates on different nodes ({@code FoundingRaceTest}). They come to
	 * name the same one: each learns it again from the nodes' roles at every step until
	 * it holds a configuration.
	 */
	boolean unfoundedAndAgreed(long now) {
		NodeAddress master = this.parts.master.address();
		if (master == null || !noConfigurationAnywhere(now)) {
			return false;
		}
		for (Peer peer : this.parts.members.peers()) {
			if (now - peer.lastSeenAt() <= this.timers.opinionValidity() && peer.master() != null
					&& !master.equals(peer.master())) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether a member with no configuration may admit writes to the master it learned:
	 * {@link #unfoundedAndAgreed}, and no other node answers as a master, which a member
	 * that has not yet heard every other one might take for the master and write to.
	 */
	boolean unfoundedWithOneMaster(long now) {
		if (!unfoundedAndAgreed(now)) {
			return false;
		}
		for (NodeState node : this.parts.nodes.all()) {
			if (node.role() == Role.MASTER && !node.address().equals(this.parts.master.address())) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether no electorate exists as far as anyone can tell: every node this member
	 * knows is up and answers INFO, none stores a configuration, and no member holds one.
	 * A node that does not answer may hold the configuration of a group that exists.
	 */
	private boolean noConfigurationAnywhere(long now) {
		for (NodeState node : this.parts.nodes.all()) {
			if (node.info() == null || node.infoFailed() || this.parts.detection.statusOf(node, now) != NodeStatus.UP
					|| node.stored() == null || node.stored().config() != null) {
				return false;
			}
		}
		for (Peer peer : this.parts.members.peers()) {
			if (peer.config() != null) {
				return false;
			}
		}
		return true;
	}

	/**
	 * This member won the election for a change of voters: the epoch's first
	 * configuration is stored and held, and the change made once it is committed.
	 */
	void elected(long now, Election won, List<Action> out) {
		NodeAddress master = this.parts.master.required();
		this.voterChange = VoterChange.elected(won.epoch(), Objects.requireNonNull(won.change()), now);
		Configuration first = won.config().withMaster(won.epoch(), master);
		out.add(new Action.StoreConfiguration(master, first));
		this.parts.following.adopt(now, first, "this member", false, out);
		advanceVoterChange(now, out);
	}

	/**
	 * The change this member leads: its epoch's first configuration committed, it makes
	 * the change.
	 */
	void advanceVoterChange(long now, List<Action> out) {
		if (this.voterChange == null) {
			return;
		}
		Configuration held = Objects.requireNonNull(this.parts.electorate.config());
		if (now - this.voterChange.startedAt() > this.timers.failoverTimeout()) {
			// Whatever configuration it reached stands; the next change needs a new
			// election.
			this.voterChange = null;
		}
		else if (this.parts.epochs.current() > this.voterChange.epoch()) {
			// A later epoch was seen: an election from another configuration may have
			// won with votes of members counted here as holding this epoch's first one
			// (a voter that votes again once a failover timeout has passed since its vote
			// for this member, then adopts this configuration). Like a Raft leader that
			// sees a later term, the change stops.
			this.voterChange = null;
		}
		else if (this.parts.electorate.committed(this.parts.members.peers())) {
			if (held.version() == 0) {
				Configuration next = this.voterChange.apply(held);
				out.add(new Action.StoreConfiguration(this.parts.master.required(), next));
				this.parts.following.adopt(now, next, "this member", false, out);
			}
			else {
				this.voterChange = null;
			}
		}
	}

	/**
	 * Whether a candidate's change of voters is one this member would make: a voter it
	 * has not heard from for the member expiry, or that stopped for good, is removed; a
	 * live member holding the same configuration is added.
	 */
	boolean acceptable(long now, String change) {
		Configuration held = Objects.requireNonNull(this.parts.electorate.config());
		String member = change.substring(1);
		if (change.charAt(0) == '-') {
			return held.isVoter(member) && !member.equals(this.parts.self.id())
					&& (this.parts.electorate.hasDeparted(member) || silent(now, member));
		}
		return !held.isVoter(member) && held.voters().size() < Configuration.MAX_VOTERS
				&& liveHolders(now).contains(member);
	}

	/**
	 * A voter that hears, within the opinion validity, a majority of the voters holding
	 * its very configuration.
	 */
	boolean hearsMajorityHolding(long now) {
		return this.parts.electorate.selfVotes() && hearsMajorityOfVotersHolding(now);
	}

	/**
	 * Whether this member, voter or observer, hears within the opinion validity a
	 * majority of the voters (itself included when it is one) holding its very
	 * configuration.
	 */
	boolean hearsMajorityOfVotersHolding(long now) {
		Configuration held = Objects.requireNonNull(this.parts.electorate.config());
		int holders = this.parts.electorate.selfVotes() ? 1 : 0;
		for (String member : liveHolders(now)) {
			if (held.isVoter(member)) {
				holders++;
			}
		}
		return holders >= held.majority(this.parts.electorate.departures());
	}

	/**
	 * Members heard from within the opinion validity that hold exactly this member's
	 * configuration.
	 */
	private List<String> liveHolders(long now) {
		List<String> live = new ArrayList<>();
		for (Peer peer : this.parts.members.peers()) {
			if (now - peer.lastSeenAt() <= this.timers.opinionValidity() && this.parts.electorate.sameAs(peer)
					&& !this.parts.electorate.hasDeparted(peer.id())) {
				live.add(peer.id());
			}
		}
		return live;
	}

	/**
	 * Voters (but this member) not heard from for the member expiry, or never since this
	 * member started that long ago.
	 */
	List<String> silentVoters(long now) {
		List<String> silent = new ArrayList<>();
		for (String voter : Objects.requireNonNull(this.parts.electorate.config()).voters()) {
			if (!voter.equals(this.parts.self.id()) && silent(now, voter)) {
				silent.add(voter);
			}
		}
		return silent;
	}

	private boolean silent(long now, String member) {
		Peer peer = this.parts.members.get(member);
		long lastHeard = (peer != null) ? peer.lastSeenAt() : this.parts.startedAt;
		return now - lastHeard > this.timers.memberExpiry();
	}

}
