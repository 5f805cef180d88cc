package io.redisha.protocol;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GossipMessage.Goodbye;
import io.redisha.protocol.GossipMessage.Hello;
import io.redisha.protocol.GossipMessage.Vote;
import io.redisha.protocol.GossipMessage.VoteRequest;

/**
 * What this member says on the gossip channels, and the channel it listens to: hellos,
 * vote requests, votes and its goodbye, each with the next sequence number.
 */
final class Gossip {

	private final CoordinatorParts parts;

	private long sequence;

	private long lastHelloAt = -1;

	/** The channel the runtime subscribes this member to (see {@link Action.Listen}). */
	private String listening = GroupCoordinator.GOSSIP_CHANNEL;

	/**
	 * How often this member says hello as an observer: the presence period less up to a
	 * quarter of it, by member id, so that observers started together drift apart rather
	 * than all say hello in one tick (hundreds at once would overflow the voters' inbound
	 * queues).
	 */
	private final long presenceEvery;

	Gossip(CoordinatorParts parts) {
		this.parts = parts;
		Timers timers = parts.timers;
		// The id's hash spread (Fibonacci hashing): ids alike, such as m1 and m2, get
		// periods far apart.
		this.presenceEvery = timers.presenceEvery() - Math.floorMod(parts.self.id().hashCode() * 0x9E3779B97F4A7C15L,
				Math.max(1, timers.presenceEvery() / 4));
	}

	/** The periodic hello, when due. */
	void tick(long now, List<Action> out) {
		if (this.lastHelloAt < 0 || now - this.lastHelloAt >= helloPeriod(now)) {
			hello(now, out);
		}
	}

	void hello(long now, List<Action> out) {
		this.lastHelloAt = now;
		CoordinatorParts parts = this.parts;
		NodeAddress master = parts.master.address();
		NodeState masterNode = (master != null) ? parts.nodes.get(master) : null;
		// no word for the master while a node promoted beside it may take its place
		long replyAge = (masterNode != null && masterNode.lastValidReplyAt() >= 0
				&& parts.nodes.promotedBeside(parts.master) == null) ? now - masterNode.lastValidReplyAt() : -1;
		publish(new Hello(parts.config.name(), parts.self.id(), ++this.sequence, parts.self.application(),
				parts.epochs.current(), master, parts.configEpoch(), parts.detection.masterDown(),
				parts.failovers.epoch(), parts.maintenance.current(), parts.electorate.config(),
				parts.elections.epoch(), now, replyAge, parts.voting.openVote(), parts.self.endpoint()), out);
	}

	/**
	 * A hello at once, for a change of opinion the voters count on hearing now; an
	 * observer's opinions count for nobody, so they wait for its next hello.
	 */
	void announce(long now, List<Action> out) {
		if (!observing()) {
			hello(now, out);
		}
	}

	/** The master changed: said at once, and again a tick later. */
	void masterSwitched(long now, List<Action> out) {
		if (!observing()) {
			hello(now, out);
			// Promotions and repointing end with CLIENT KILL TYPE pubsub, dropping peers'
			// subscriptions right when this announcement goes out: say it again at the
			// first tick at least a tick later, once they have resubscribed (within
			// milliseconds).
			this.lastHelloAt = now - this.parts.timers.helloEvery() + Timers.TICK;
		}
	}

	void voteRequest(Election election, List<Action> out) {
		Configuration base = election.config();
		publish(new VoteRequest(this.parts.config.name(), this.parts.self.id(), ++this.sequence, election.epoch(),
				base.master(), election.purpose(), base.epoch(), base.version(), election.change()), out);
	}

	void vote(VoteRequest request, List<Action> out) {
		publish(new Vote(this.parts.config.name(), this.parts.self.id(), ++this.sequence, request.epoch(),
				request.sender(), request.failingMaster()), out);
	}

	void goodbye(Configuration.@Nullable Departure holding, List<Action> out) {
		publish(new Goodbye(this.parts.config.name(), this.parts.self.id(), ++this.sequence, holding), out);
	}

	/**
	 * Whether this member holds a configuration that does not make it a voter. An
	 * observer listens to the voters' announcements only, and sends a hello only about
	 * every {@link Timers#presenceEvery()}, so that the voters know it is there (to pick
	 * a replacement voter, and for the member list), or every hello period while the
	 * group wants it as a voter. A member that holds no configuration yet gossips as a
	 * voter: the founding of an electorate counts on hearing every member.
	 */
	boolean observing() {
		return this.parts.electorate.config() != null && !this.parts.electorate.selfVotes();
	}

	private long helloPeriod(long now) {
		return (observing() && !wantedAsVoter(now)) ? this.presenceEvery : this.parts.timers.helloEvery();
	}

	/**
	 * Whether, as this observer sees the voters, the group's next change of voters would
	 * add it if it were the only live observer: it then says so every hello period, since
	 * a voter adds only a member heard from within the opinion validity that holds its
	 * configuration.
	 */
	private boolean wantedAsVoter(long now) {
		String self = this.parts.self.id();
		String change = VoterChange.needed(Objects.requireNonNull(this.parts.electorate.config()),
				this.parts.electorate, List.of(self), this.parts.upkeep.silentVoters(now), this.parts.config.voters());
		return ("+" + self).equals(change);
	}

	/** Subscribes to the channel this member's role needs, when the role changed. */
	void listenForRole(List<Action> out) {
		String channel = observing() ? GroupCoordinator.ANNOUNCE_CHANNEL : GroupCoordinator.GOSSIP_CHANNEL;
		if (!channel.equals(this.listening)) {
			this.listening = channel;
			out.add(new Action.Listen(channel));
		}
	}

	/**
	 * Sends a message where it is heard. A voter's (and a message of a member that holds
	 * no configuration yet) goes on the gossip channel of every node, and its hellos and
	 * goodbye also on the announcement channel of its master, whose replicas pass them
	 * on: each node delivers each such message once to each observer. An observer's goes
	 * on the gossip channel of its master only (of every node while it knows none): only
	 * the voters need it.
	 */
	private void publish(GossipMessage message, List<Action> out) {
		String payload = GossipCodec.encode(message);
		NodeAddress master = this.parts.master.address();
		if (observing()) {
			out.add((master != null) ? new Action.PublishOn(master, GroupCoordinator.GOSSIP_CHANNEL, payload)
					: new Action.Publish(GroupCoordinator.GOSSIP_CHANNEL, payload));
			return;
		}
		out.add(new Action.Publish(GroupCoordinator.GOSSIP_CHANNEL, payload));
		if (master != null && (message instanceof Hello || message instanceof Goodbye)) {
			out.add(new Action.PublishOn(master, GroupCoordinator.ANNOUNCE_CHANNEL, payload));
		}
	}

}
