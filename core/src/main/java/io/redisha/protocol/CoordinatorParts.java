package io.redisha.protocol;

import java.util.List;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.ProtocolEvent.Type;

/**
 * The parts of one member's {@link GroupCoordinator} for one group, and what they share:
 * the group, this member, its timers, the nodes and members it knows, its epoch and the
 * master it follows. The coordinator dispatches each input to the parts; the parts call
 * one another for what follows from it (an adopted configuration ends an election, a won
 * election starts a failover).
 */
final class CoordinatorParts {

	final GroupConfig config;

	final MemberIdentity self;

	/** The source of election back-off jitter (seeded in simulations). */
	final RandomGenerator random;

	final Timers timers;

	final long startedAt;

	final long quietUntil;

	final NodeTracker nodes = new NodeTracker();

	final MemberTable members;

	final TiltGuard tilt;

	final Electorate electorate;

	final VoteBook voteBook = new VoteBook();

	final ReplicaSelector selector;

	final MasterFence masterFence;

	final MasterView master = new MasterView();

	final SwitchAnnouncement announcement = new SwitchAnnouncement();

	final DemotedMasterClients demotedClients = new DemotedMasterClients();

	final Events events;

	final Epochs epochs;

	final Rejections rejections = new Rejections();

	final FailoverHistory history;

	final Gossip gossip;

	final FailureDetection detection;

	final MaintenanceMode maintenance;

	final Elections elections;

	final Voting voting;

	final Failovers failovers;

	final ElectorateUpkeep upkeep;

	final ConfigurationFollower following;

	final StrayRepair repair;

	final FenceWatch fence;

	CoordinatorParts(GroupConfig config, MemberIdentity self, long now, RandomGenerator random, long initialEpoch) {
		this.config = config;
		this.self = self;
		this.random = random;
		this.timers = Timers.of(config);
		this.startedAt = now;
		this.quietUntil = now + this.timers.quietPeriod();
		this.members = new MemberTable(self.id(), this.timers.memberExpiry());
		this.electorate = new Electorate(self.id());
		this.tilt = new TiltGuard(this.timers.tiltThreshold(), config.timing().tiltDuration().toMillis(), now);
		this.selector = new ReplicaSelector(this.timers);
		this.masterFence = new MasterFence(config.minReplicas(), this.timers.infoEvery());
		this.events = new Events(config.name(), this.master);
		this.epochs = new Epochs(initialEpoch, now, this.quietUntil, this.voteBook, this.events);
		this.history = new FailoverHistory(config.historySize());
		this.gossip = new Gossip(this);
		this.detection = new FailureDetection(this);
		this.maintenance = new MaintenanceMode(this);
		this.elections = new Elections(this);
		this.voting = new Voting(this);
		this.failovers = new Failovers(this);
		this.upkeep = new ElectorateUpkeep(this);
		this.following = new ConfigurationFollower(this);
		this.repair = new StrayRepair(this);
		this.fence = new FenceWatch(this);
	}

	/** Whether this member is still in its start-up quiet period. */
	boolean quiet(long now) {
		return now < this.quietUntil;
	}

	/** The epoch of the configuration held; 0 before one is known. */
	long configEpoch() {
		return (this.electorate.config() != null) ? this.electorate.config().epoch() : 0;
	}

	/** An event of the current epoch. */
	void emit(List<Action> out, Type type, @Nullable NodeAddress node, @Nullable String detail) {
		this.events.emit(out, type, this.epochs.current(), node, detail);
	}

}
