package io.redisha.protocol;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

import io.redisha.protocol.GossipMessage.Goodbye;
import io.redisha.protocol.GossipMessage.Hello;
import io.redisha.protocol.GossipMessage.Maintenance;
import io.redisha.protocol.GossipMessage.Vote;
import io.redisha.protocol.GossipMessage.VoteRequest;
import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.ReplicationInfo.Role;

/**
 * One member's protocol for one group: failure detection, gossip, votes, epochs and
 * failover steps, as a deterministic state machine. It does no I/O and has no threads: it
 * is fed time ticks, node replies and gossip, and answers with the {@link Action actions}
 * to carry out. All times are milliseconds of one monotonic clock chosen by the caller.
 * Not thread-safe: the caller feeds it from one thread at a time.
 */
public final class GroupCoordinator {

	/**
	 * The pub/sub channel members gossip on, on every node of the group; the voters
	 * listen to it.
	 */
	public static final String GOSSIP_CHANNEL = "__redis-ha__:gossip";

	/**
	 * The channel the voters announce their hellos and goodbyes on, on their master
	 * (whose replicas pass them on to their own subscribers); the observers listen to it
	 * alone.
	 */
	public static final String ANNOUNCE_CHANNEL = "__redis-ha__:announce";

	private final GroupConfig config;

	private final MemberIdentity self;

	private final RandomGenerator random;

	private final Timers timers;

	private final NodeTracker nodes = new NodeTracker();

	private final MemberTable members;

	private final TiltGuard tilt;

	private final long quietUntil;

	private final long startedAt;

	/** Whether the partition fence was closed at the last tick. */
	private boolean fenced;

	/**
	 * Whether the fence rests on the replicas' INFO rather than on a majority of the
	 * voters.
	 */
	private boolean fenceLeansOnReplicas;

	private final VoteBook voteBook = new VoteBook();

	private final ReplicaSelector selector;

	private final MasterFence masterFence;

	private final FailoverProcess.Host failoverHost = new FailoverProcess.Host() {

		@Override
		public void emit(Type type, long epoch, NodeAddress node, String detail, List<Action> out) {
			GroupCoordinator.this.emit(out, type, epoch, node, detail);
		}

		@Override
		public void promoted(long now, NodeAddress newMaster, long epoch, List<Action> out) {
			Configuration next = GroupCoordinator.this.electorate.config().withMaster(epoch, newMaster);
			// Stored at once, so that a member starting now learns it from any node of
			// the new master's data.
			out.add(new Action.StoreConfiguration(newMaster, next));
			adopt(now, next, "this member", false, out);
		}

		@Override
		public java.util.Optional<ReplicaSelector.Choice> select(Election election, long now) {
			return GroupCoordinator.this.select(election, now);
		}

		@Override
		public long lastMasterOffset(NodeAddress node) {
			return GroupCoordinator.this.lastMasterOffset(node);
		}

	};

	private boolean started;

	private boolean stopped;

	private long sequence;

	private long lastHelloAt = -1;

	/** The channel the runtime subscribes this member to (see {@link Action.Listen}). */
	private String listening = GOSSIP_CHANNEL;

	/**
	 * How often this member says hello as an observer: the presence period less up to a
	 * quarter of it, by member id, so that observers started together drift apart rather
	 * than all say hello in one tick (hundreds at once would overflow the voters' inbound
	 * queues).
	 */
	private final long presenceEvery;

	/**
	 * The master this member follows: the configuration's, or before one is known, the
	 * nodes' own answer.
	 */
	private NodeAddress master;

	private long masterSince = -1;

	private final Electorate electorate;

	/** The change of voters this member leads, once elected for it; null when none. */
	private VoterChange voterChange;

	/** When this member last tried to found or succeed an electorate; -1 never. */
	private long lastFoundingAt = -1;

	/**
	 * When this member last repaired the configuration stored on the master; -1 never.
	 */
	private long lastStoreAt = -1;

	private long currentEpoch;

	private boolean masterDown;

	private boolean objectivelyDown;

	private Election election;

	private long lastVoteRequestAt = -1;

	private FailoverProcess failover;

	private FailoverSnapshot lastFailover;

	/** The last failovers, newest first, at most the configured history size. */
	private final Deque<FailoverSnapshot> history = new ArrayDeque<>();

	private long failoversRecorded;

	private Maintenance maintenance = Maintenance.NONE;

	/** When this member paused or learned of the pause; -1 when not paused. */
	private long pausedSince = -1;

	/**
	 * How long the master may wait for the target of the switchover being elected for.
	 */
	private long handOverTimeout;

	/**
	 * When this member may ask for votes (a small random delay after ODOWN); -1 when not
	 * scheduled.
	 */
	private long candidacyAt = -1;

	/**
	 * When this member may ask for votes for a change of voters; -1 when not scheduled.
	 */
	private long changeAt = -1;

	/**
	 * No candidacy before this: after voting for another member, or after a failed
	 * attempt.
	 */
	private long holdOffUntil = -1;

	/**
	 * This member's latest vote for another member, until that election is known to be
	 * over.
	 */
	private CastVote lastVote;

	/**
	 * The latest vote request refused only because this member did not see the master
	 * down yet.
	 */
	private VoteRequest deferredRequest;

	private final Map<GossipRejection, Long> rejections = new EnumMap<>(GossipRejection.class);

	private long rejectedMessages;

	private String lastRejection;

	/**
	 * A coordinator whose epochs start at 0: after a restart of every member at once,
	 * epoch numbers of the previous generation may be used again (see docs/protocol.md).
	 * @param config the group
	 * @param self this member
	 * @param nowMillis the current time
	 * @param random the source of election back-off jitter (seeded in simulations)
	 * @throws IllegalArgumentException when the group name or member id is too long to
	 * gossip
	 */
	public GroupCoordinator(GroupConfig config, MemberIdentity self, long nowMillis, RandomGenerator random) {
		this(config, self, nowMillis, random, 0);
	}

	/**
	 * @param config the group
	 * @param self this member
	 * @param nowMillis the current time
	 * @param random the source of election back-off jitter (seeded in simulations)
	 * @param initialEpoch the lowest current epoch: this member never stands or votes in
	 * an epoch up to it. Passing the wall-clock time in milliseconds at start makes each
	 * generation of members use epochs above those of any earlier generation, even when
	 * every member restarted at once, as long as the hosts' clocks roughly agree
	 * @throws IllegalArgumentException when the group name or member id is too long to
	 * gossip, or the initial epoch is negative
	 */
	public GroupCoordinator(GroupConfig config, MemberIdentity self, long nowMillis, RandomGenerator random,
			long initialEpoch) {
		this.config = Objects.requireNonNull(config, "config");
		this.self = Objects.requireNonNull(self, "self");
		this.random = Objects.requireNonNull(random, "random");
		requireGossipable("group name", config.name());
		requireGossipable("member id", self.id());
		if (initialEpoch < 0) {
			throw new IllegalArgumentException("initialEpoch must be >= 0 but was " + initialEpoch);
		}
		this.timers = Timers.of(config);
		// The id's hash spread (Fibonacci hashing): ids alike, such as m1 and m2, get
		// periods far apart.
		this.presenceEvery = this.timers.presenceEvery() - Math.floorMod(self.id().hashCode() * 0x9E3779B97F4A7C15L,
				Math.max(1, this.timers.presenceEvery() / 4));
		this.members = new MemberTable(self.id(), this.timers.memberExpiry());
		this.electorate = new Electorate(self.id());
		this.startedAt = nowMillis;
		this.tilt = new TiltGuard(this.timers.tiltThreshold(), config.timing().tiltDuration().toMillis(), nowMillis);
		this.quietUntil = nowMillis + this.timers.quietPeriod();
		this.selector = new ReplicaSelector(this.timers);
		this.masterFence = new MasterFence(config.minReplicas(), this.timers.infoEvery());
		this.currentEpoch = initialEpoch;
		this.voteBook.observedWhileQuiet(initialEpoch);
	}

	private static void requireGossipable(String what, String value) {
		if (value.isEmpty() || value.length() > GossipCodec.MAX_TEXT_LENGTH) {
			throw new IllegalArgumentException(
					what + " must have 1 to " + GossipCodec.MAX_TEXT_LENGTH + " characters but has " + value.length());
		}
	}

	/** Called about every 100 ms: timers, periodic PING/INFO/hello, timeouts. */
	public List<Action> tick(long nowMillis) {
		List<Action> out = new ArrayList<>();
		if (this.stopped) {
			return out;
		}
		if (!this.started) {
			this.started = true;
			for (NodeAddress seed : this.config.seeds()) {
				this.nodes.track(seed, nowMillis, out);
			}
		}
		observeTime(nowMillis, true, out);
		for (String expired : this.members.expire(nowMillis)) {
			emit(out, Type.MEMBER_LEFT, null,
					"member " + expired + " not seen for " + this.timers.memberExpiry() + " ms");
		}
		evaluate(nowMillis, out);
		if (this.lastHelloAt < 0 || nowMillis - this.lastHelloAt >= helloPeriod(nowMillis)) {
			publishHello(nowMillis, out);
		}
		watchFence(nowMillis, out);
		return out;
	}

	/**
	 * Announces the start and end of a fence, and reads the replicas every PING period
	 * from the moment the majority's evidence will not last another third of fence-after,
	 * so that their evidence is fresh before the majority's runs out. Not sooner: a
	 * healthy voter's evidence is up to two thirds of fence-after old when the next
	 * arrives (see {@link Timers}), and a group of hundreds of instances reading every
	 * node every PING period would load the nodes more than all its gossip.
	 */
	private void watchFence(long now, List<Action> out) {
		GroupSnapshot.FenceSnapshot fence = fenceSnapshot(now);
		GroupSnapshot.FenceSnapshot soon = fenceSnapshot(now + this.timers.fenceAfter() / 3);
		this.fenceLeansOnReplicas = fence.mode() == PartitionMode.CONSISTENT
				&& soon.votersWithMaster() < soon.votersNeeded();
		if (fence.fenced() != this.fenced) {
			this.fenced = fence.fenced();
			emit(out, this.fenced ? Type.FENCED : Type.UNFENCED, this.master, fence.reason());
		}
	}

	/**
	 * INFO every PING period while the role is unknown or changing, around a failover,
	 * and for a master whose INFO predates the switch to it: its history (replication id)
	 * is what a later failover must continue, and the INFO it gave as a replica names its
	 * former master's.
	 */
	private long infoPeriod(NodeState node) {
		boolean staleMaster = node.address().equals(this.master) && node.infoAt() < this.masterSince;
		boolean urgent = node.role() == null || node.unsettled() || staleMaster || this.masterDown
				|| this.failover != null || this.election != null || this.fenceLeansOnReplicas;
		return urgent ? this.timers.fastInfoEvery() : this.timers.infoEvery();
	}

	/** The one reply to a command this coordinator asked for. */
	public List<Action> onReply(long nowMillis, Action.NodeCommand command, Reply reply) {
		List<Action> out = new ArrayList<>();
		if (this.stopped) {
			return out;
		}
		observeTime(nowMillis, false, out);
		NodeState node = this.nodes.get(command.node());
		if (node == null) {
			return out;
		}
		if (command instanceof Action.Ping) {
			node.pingAnswered();
			if (reply instanceof Reply.Text text && isValidPingReply(text.text())) {
				node.validReply(nowMillis, this.timers.downAfter());
			}
			if (!(reply instanceof Reply.Text text && text.text().startsWith("PONG"))) {
				node.missedPong();
			}
		}
		else if (command instanceof Action.QueryInfo) {
			node.infoAnswered(reply instanceof Reply.Info);
			if (reply instanceof Reply.Info info) {
				if (node.info(nowMillis, info.info())) {
					emit(out, Type.REBOOT, node.address(), "run id " + info.info().runId());
				}
				learnStored(nowMillis, node, info.stored(), out);
				discover(nowMillis, node, out);
			}
		}
		else if (command instanceof Action.StoreConfiguration store && store.condition() != Action.StoreCondition.OLDER
				&& reply instanceof Reply.Text text && "1".equals(text.text()) && !text.error()) {
			founded(nowMillis, store.config(), out);
		}
		else if (command instanceof Action.QueryRole) {
			node.roleAnswered();
			if (reply instanceof Reply.Role role) {
				node.role(nowMillis, role.role());
			}
		}
		if (this.failover != null) {
			this.failover.onReply(nowMillis, command, reply, this.nodes, this.tilt.tilted(nowMillis), out);
		}
		evaluate(nowMillis, out);
		return out;
	}

	private static boolean isValidPingReply(String text) {
		return text != null && (text.startsWith("PONG") || text.startsWith("LOADING") || text.startsWith("MASTERDOWN"));
	}

	/**
	 * Whether the node table can take {@code reported}, or has it; a rejection counted
	 * when it cannot.
	 */
	private boolean room(NodeState reporter, NodeAddress reported) {
		if (this.nodes.get(reported) != null || this.nodes.all().size() < NodeTracker.MAX_NODES) {
			return true;
		}
		rejected(GossipRejection.NODE_TABLE_FULL, 1, reporter.address() + " reports " + reported + " while "
				+ NodeTracker.MAX_NODES + " nodes are monitored");
		return false;
	}

	/**
	 * Follows the topology: a master's replicas, and a replica's master while no master
	 * is known.
	 */
	private void discover(long now, NodeState node, List<Action> out) {
		ReplicationInfo info = node.info();
		if (info.role() == Role.MASTER && (this.master == null || node.address().equals(this.master))) {
			for (ReplicationInfo.ReplicaEntry replica : info.replicas()) {
				if (room(node, replica.address()) && this.nodes.track(replica.address(), now, out)
						&& this.master != null) {
					emit(out, Type.REPLICA_ADDED, replica.address(), null);
				}
			}
		}
		else if (info.role() == Role.REPLICA && this.master == null && room(node, info.master())) {
			this.nodes.track(info.master(), now, out);
		}
	}

	/**
	 * A message from the gossip channel, as received on {@code via}, its seal already
	 * verified (see {@link GossipSeal}). Malformed or foreign messages, and those of new
	 * members while the member table is full, are counted and ignored.
	 */
	public List<Action> onGossip(long nowMillis, NodeAddress via, String payload) {
		List<Action> out = new ArrayList<>();
		if (this.stopped) {
			return out;
		}
		observeTime(nowMillis, false, out);
		GossipMessage message;
		try {
			message = GossipCodec.decode(payload);
		}
		catch (IllegalArgumentException ex) {
			rejected(GossipRejection.MALFORMED, 1, ex.getMessage() + " (received via " + via + ")");
			return out;
		}
		if (!message.group().equals(this.config.name())) {
			rejected(GossipRejection.FOREIGN_GROUP, 1,
					"message for group '" + message.group() + "' (received via " + via + ")");
			return out;
		}
		MemberTable.Receipt receipt = this.members.receive(message, nowMillis);
		if (receipt == MemberTable.Receipt.FULL) {
			rejected(GossipRejection.MEMBER_TABLE_FULL, 1, "new member " + message.sender() + ": "
					+ MemberTable.MAX_MEMBERS + " members are known already (received via " + via + ")");
			return out;
		}
		if (receipt == MemberTable.Receipt.IGNORED) {
			return out;
		}
		if (receipt == MemberTable.Receipt.JOINED && !(message instanceof Goodbye)) {
			emit(out, Type.MEMBER_ADDED, null, "member " + message.sender());
		}
		if (message instanceof Goodbye goodbye) {
			this.members.depart(message.sender(), nowMillis);
			this.electorate.departed(goodbye.sender(), goodbye.holding());
			emit(out, Type.MEMBER_LEFT, null, "member " + message.sender() + " said goodbye");
		}
		else if (message instanceof Hello hello) {
			boolean latest = this.members.get(hello.sender()).hello(nowMillis, hello);
			observeEpoch(nowMillis, hello.currentEpoch(), out);
			if (latest) {
				adoptMaintenance(nowMillis, hello.maintenance(), out);
				adoptConfiguration(nowMillis, hello, out);
			}
		}
		else if (message instanceof VoteRequest request) {
			this.members.get(request.sender()).seen(nowMillis, request.epoch());
			onVoteRequest(nowMillis, request, out);
		}
		else if (message instanceof Vote vote) {
			this.members.get(vote.sender()).seen(nowMillis, vote.epoch());
			observeEpoch(nowMillis, vote.epoch(), out);
			if (this.election != null && this.election.epoch() == vote.epoch()) {
				this.election.vote(vote.sender(), vote.candidate().equals(this.self.id()));
			}
		}
		evaluate(nowMillis, out);
		return out;
	}

	/**
	 * Counts gossip payloads ignored before they reached {@link #onGossip}: dropped as
	 * they arrived, or whose seal did not verify.
	 * @param reason why
	 * @param count how many
	 * @param detail what was wrong with the last of them
	 */
	public void rejected(GossipRejection reason, long count, String detail) {
		this.rejections.merge(reason, count, Long::sum);
		this.rejectedMessages += count;
		this.lastRejection = reason.tag() + ": " + detail;
	}

	/**
	 * The member is stopping gracefully: say goodbye so peers stop counting it at once.
	 */
	public List<Action> stop(long nowMillis) {
		List<Action> out = new ArrayList<>();
		if (!this.stopped) {
			this.stopped = true;
			Configuration.Departure holding = Configuration.Departure.of(this.electorate.config());
			publish(new Goodbye(this.config.name(), this.self.id(), ++this.sequence, holding), out);
			if (this.electorate.selfVotes()) {
				// Kept in the group's data: members that start after this one stopped
				// learn it never votes again.
				out.add(new Action.RecordDeparture(this.master, this.self.id(), holding));
			}
		}
		return out;
	}

	/**
	 * Pauses automatic failover in the whole group (maintenance mode): announced at once
	 * and in every hello, honoured by every member (no candidacy, no vote for an
	 * automatic failover, no repair of stray nodes) until any member resumes. Monitoring
	 * goes on, and operators may still force a failover or switch over.
	 */
	public CommandOutcome pause(long nowMillis) {
		return changeMaintenance(nowMillis, true);
	}

	/** Resumes automatic failover in the whole group, whoever paused it. */
	public CommandOutcome resume(long nowMillis) {
		return changeMaintenance(nowMillis, false);
	}

	private CommandOutcome changeMaintenance(long now, boolean paused) {
		List<Action> out = new ArrayList<>();
		if (this.maintenance.paused() == paused) {
			return CommandOutcome.done(
					paused ? "already paused by member " + this.maintenance.by() : "automatic failover is not paused",
					out);
		}
		applyMaintenance(now, new Maintenance(this.maintenance.version() + 1, paused, this.self.id()), out);
		publishHello(now, out);
		return CommandOutcome.done(paused ? "automatic failover paused in group " + this.config.name()
				: "automatic failover resumed in group " + this.config.name(), out);
	}

	/** Adopts a later pause or resume heard from a peer. */
	private void adoptMaintenance(long now, Maintenance announced, List<Action> out) {
		if (announced.supersedes(this.maintenance)) {
			boolean changed = announced.paused() != this.maintenance.paused();
			applyMaintenance(now, announced, out);
			if (changed) {
				announce(now, out);
			}
		}
	}

	private void applyMaintenance(long now, Maintenance next, List<Action> out) {
		boolean changed = next.paused() != this.maintenance.paused();
		this.maintenance = next;
		if (changed) {
			this.pausedSince = next.paused() ? now : -1;
			emit(out, next.paused() ? Type.PAUSED : Type.RESUMED, null, "by member " + next.by());
			if (next.paused() && this.election != null && !this.election.forced()) {
				abortElection(now, "automatic failover paused", out);
			}
		}
	}

	/**
	 * Drops a member at once (Sentinel's RESET for one peer): it stops counting as a
	 * voter. A member that is in fact alive comes back with its next message.
	 */
	public CommandOutcome forgetMember(long nowMillis, String memberId) {
		List<Action> out = new ArrayList<>();
		if (this.self.id().equals(memberId)) {
			return CommandOutcome.refused(CommandOutcome.Status.REFUSED,
					"member " + memberId + " is this member: stop the application instead", out);
		}
		if (!this.members.forget(memberId, nowMillis)) {
			return CommandOutcome.refused(CommandOutcome.Status.REFUSED,
					"no member " + memberId + " in group " + this.config.name(), out);
		}
		emit(out, Type.MEMBER_LEFT, null, "member " + memberId + " forgotten by an operator");
		return CommandOutcome.done("member " + memberId + " forgotten", out);
	}

	/**
	 * Stops monitoring a node at once (a removed replica). A node the master still lists
	 * as a connected replica is found again at the master's next INFO.
	 */
	public CommandOutcome forgetNode(long nowMillis, NodeAddress node) {
		List<Action> out = new ArrayList<>();
		if (node.equals(this.master)) {
			return CommandOutcome.refused(CommandOutcome.Status.REFUSED,
					node + " is the master of group " + this.config.name() + ": switch over first", out);
		}
		if (this.failover != null) {
			return CommandOutcome.refused(CommandOutcome.Status.CONFLICT,
					"a failover is in progress (epoch " + this.failover.epoch() + ")", out);
		}
		if (!this.nodes.forget(node, out)) {
			return CommandOutcome.refused(CommandOutcome.Status.REFUSED,
					"no node " + node + " in group " + this.config.name(), out);
		}
		return CommandOutcome.done("node " + node + " forgotten", out);
	}

	/**
	 * Forces a failover of the current master, healthy or not, like
	 * {@code SENTINEL FAILOVER}: no member needs to see it down and the quorum is not
	 * needed, but this member still becomes leader of a new epoch by the votes of a
	 * majority of the voters, so that it can never race another failover into two
	 * promotions in one epoch. The old master, alive, is repointed to the new one at
	 * once; writes it acknowledged after the promotion's INFO are lost (use a switchover
	 * to lose none).
	 */
	public CommandOutcome requestFailover(long nowMillis) {
		return startOperatorElection(nowMillis, GroupSnapshot.Trigger.FORCED, null, 0);
	}

	/**
	 * A planned change of master that loses no acknowledged write: after the election (as
	 * for a forced failover) writes are paused on the master
	 * ({@code CLIENT PAUSE WRITE}), the target is awaited until it has the master's
	 * offset, the master is demoted (it reports its final offset), then the target
	 * promoted once it has that offset. If the target does not catch up within
	 * {@code timeoutMillis}, before or after the demotion, the master takes writes again
	 * and the switchover ends as aborted. Redis's own {@code FAILOVER} does the same but
	 * waits for the replica's next acknowledgement, sent once a second: hundreds of
	 * milliseconds of paused writes that this order does not need.
	 * @param target the replica to promote; null for the best eligible one
	 */
	public CommandOutcome requestSwitchover(long nowMillis, NodeAddress target, long timeoutMillis) {
		return startOperatorElection(nowMillis, GroupSnapshot.Trigger.SWITCHOVER, target, timeoutMillis);
	}

	private CommandOutcome startOperatorElection(long now, GroupSnapshot.Trigger trigger, NodeAddress target,
			long handOverTimeout) {
		List<Action> out = new ArrayList<>();
		observeTime(now, false, out);
		String refusal = operatorRefusal(now, trigger, target);
		if (refusal != null) {
			boolean busy = this.failover != null || this.election != null || peerLeadsFailover(now);
			return CommandOutcome.refused(busy ? CommandOutcome.Status.CONFLICT : CommandOutcome.Status.REFUSED,
					refusal, out);
		}
		this.handOverTimeout = handOverTimeout;
		long epoch = beginElection(now, trigger, target, null, out);
		return new CommandOutcome(CommandOutcome.Status.STARTED, trigger.name().toLowerCase(java.util.Locale.ROOT)
				+ " of group " + this.config.name() + " started in epoch " + epoch, epoch, out);
	}

	/**
	 * Stands as candidate in a new epoch, for a failover ({@code change} null) or a
	 * change of voters.
	 */
	private long beginElection(long now, GroupSnapshot.Trigger trigger, NodeAddress target, String change,
			List<Action> out) {
		this.candidacyAt = -1;
		this.currentEpoch++;
		emit(out, Type.NEW_EPOCH, null, null);
		this.voteBook.grant(this.currentEpoch, this.self.id());
		this.election = new Election(this.self.id(), this.currentEpoch, this.electorate.config(), now, trigger, target,
				change);
		if (change == null) {
			// A change of voters is told by its outcome (+voter, -voter), not as a
			// failover.
			emit(out, Type.TRY_FAILOVER, this.currentEpoch, this.master, (trigger == GroupSnapshot.Trigger.AUTOMATIC)
					? null : trigger.name().toLowerCase(java.util.Locale.ROOT));
			emit(out, Type.VOTE_FOR_LEADER, this.currentEpoch, this.master, this.self.id());
		}
		long epoch = this.currentEpoch;
		requestVotes(now, out);
		publishHello(now, out);
		decideElection(now, out);
		return epoch;
	}

	/** Why an operator's failover or switchover cannot start now; null when it can. */
	private String operatorRefusal(long now, GroupSnapshot.Trigger trigger, NodeAddress target) {
		if (this.failover != null || this.election != null) {
			return "a failover is in progress (epoch "
					+ ((this.failover != null) ? this.failover.epoch() : this.election.epoch()) + ")";
		}
		if (peerLeadsFailover(now)) {
			return "another member is failing over";
		}
		if (this.master == null) {
			return "no master is known yet";
		}
		if (!this.electorate.selfVotes()) {
			return "this member is not a voter of group " + this.config.name() + ": ask one of "
					+ ((this.electorate.config() != null) ? this.electorate.config().voters()
							: "the voters, once elected");
		}
		if (this.voterChange != null) {
			return "this member is changing the voters (epoch " + this.voterChange.epoch() + "): try again in a moment";
		}
		if (quiet(now) || this.tilt.tilted(now)) {
			return "this member is " + (quiet(now) ? "starting up" : "in TILT") + ": try again in a few seconds";
		}
		NodeState master = this.nodes.get(this.master);
		if (target != null && this.nodes.get(target) == null) {
			return "no node " + target + " in group " + this.config.name();
		}
		if (trigger == GroupSnapshot.Trigger.SWITCHOVER) {
			if (master.status(now, this.timers.downAfter()) != NodeStatus.UP || master.info() == null) {
				return "the master " + this.master
						+ " does not answer: a switchover needs it, force a failover instead";
			}
			if (!pausesWrites(master.info().version())) {
				return "the master runs Redis " + master.info().version()
						+ ", a switchover needs Redis 6.2 or later (CLIENT PAUSE WRITE): force a failover instead";
			}
		}
		Election probe = new Election(this.self.id(), this.currentEpoch + 1, this.electorate.config(), now, trigger,
				target, null);
		if (select(probe, now).isEmpty()) {
			return (target != null) ? target + " is not an eligible replica: it must be up, replicate from "
					+ this.master + " with its link up, hold its data, and have a non-zero replica-priority; in"
					+ " consistent partition mode a forced failover refuses a replica still streaming from a live"
					+ " master, whose writes it would lose: use a switchover"
					: "no eligible replica: each is down, disconnected from the master, without its data, has"
							+ " replica-priority 0, or (consistent partition mode) is still streaming from a live master,"
							+ " whose writes a forced failover would lose: use a switchover";
		}
		return null;
	}

	/**
	 * An operator's word that the voters that do not answer are gone for good (their
	 * processes crashed and will never run again): this member founds a new electorate of
	 * itself in place of the one it holds, the way the group does by itself when every
	 * voter stopped gracefully, and grows it from the live members. Only one such
	 * succession of a given configuration can succeed (the master's stored copy is
	 * replaced only if it holds nothing newer). <b>Unsafe if a voter is in fact alive
	 * behind a partition</b>: like Sentinel's RESET, use it only knowing the voters are
	 * dead.
	 */
	public CommandOutcome replaceVoters(long nowMillis) {
		List<Action> out = new ArrayList<>();
		Configuration held = this.electorate.config();
		NodeState node = (this.master != null) ? this.nodes.get(this.master) : null;
		if (held == null) {
			return CommandOutcome.refused(CommandOutcome.Status.REFUSED,
					"no configuration is known yet: the group founds its electorate by itself", out);
		}
		if (hearsMajorityHolding(nowMillis)) {
			return CommandOutcome.refused(CommandOutcome.Status.REFUSED,
					"a majority of the voters " + held.voters() + " answers: nothing to replace", out);
		}
		Configuration founding = Configuration.founding(this.currentEpoch + 1, this.master, this.self.id());
		if (node != null && node.status(nowMillis, this.timers.downAfter()) == NodeStatus.UP
				&& node.role() == Role.MASTER) {
			out.add(new Action.StoreConfiguration(this.master, founding, Action.StoreCondition.NOT_NEWER, held));
		}
		else {
			// No master to record it on: the operator's word alone; it is stored once a
			// master answers.
			founded(nowMillis, founding, out);
		}
		return CommandOutcome.done(
				"asked the master to record member " + this.self.id() + " as the one voter of group "
						+ this.config.name() + " in place of " + held.voters() + "; the live members are added next",
				out);
	}

	/**
	 * Whether a server of this version (from INFO) has {@code CLIENT PAUSE WRITE} and
	 * {@code CLIENT UNPAUSE} (6.2+).
	 */
	static boolean pausesWrites(String version) {
		String[] parts = version.split("\\.");
		try {
			int major = Integer.parseInt(parts[0]);
			int minor = (parts.length > 1) ? Integer.parseInt(parts[1]) : 0;
			return major > 6 || major == 6 && minor >= 2;
		}
		catch (NumberFormatException ex) {
			return false;
		}
	}

	/**
	 * Whether this member's application may write now:
	 * {@link GroupSnapshot#admitsWrites}, without the rest of a snapshot.
	 */
	public boolean admitsWrites(long nowMillis) {
		return fenceSnapshot(nowMillis).admitsWrites(nowMillis);
	}

	/**
	 * The configuration this member holds (who elects, and the master); null before it
	 * learns one.
	 */
	public Configuration configuration() {
		return this.electorate.config();
	}

	/** This member's picture of the group. */
	public GroupSnapshot snapshot(long nowMillis) {
		long downAfter = this.timers.downAfter();
		NodeState masterNode = this.nodes.get(this.master);
		long masterOffset = (masterNode != null && masterNode.info() != null && masterNode.role() == Role.MASTER)
				? masterNode.info().offset() : -1;
		GroupSnapshot.NodeSnapshot masterSnapshot = (masterNode != null)
				? masterNode.snapshot(nowMillis, downAfter, masterOffset) : null;
		List<GroupSnapshot.NodeSnapshot> replicas = new ArrayList<>();
		for (NodeState node : this.nodes.all()) {
			if (node != masterNode) {
				replicas.add(node.snapshot(nowMillis, downAfter, masterOffset));
			}
		}
		List<GroupSnapshot.MemberSnapshot> memberSnapshots = new ArrayList<>();
		memberSnapshots.add(new GroupSnapshot.MemberSnapshot(this.self.id(), this.self.application(), true, 0,
				this.currentEpoch, this.master, configEpoch(), this.masterDown, this.self.endpoint()));
		for (Peer peer : this.members.peers()) {
			memberSnapshots.add(peer.snapshot(nowMillis));
		}
		List<FailoverSnapshot> history = new ArrayList<>(this.history);
		if (this.failover != null) {
			history.add(0, this.failover.snapshot());
		}
		return new GroupSnapshot(this.config.name(), state(nowMillis), this.currentEpoch, configEpoch(),
				this.config.quorum(), masterSnapshot, replicas, memberSnapshots, this.rejectedMessages,
				(this.failover != null) ? this.failover.snapshot() : this.lastFailover, history, this.failoversRecorded,
				quorumCheck(nowMillis),
				this.maintenance.paused() ? new GroupSnapshot.PauseSnapshot(this.maintenance.by(), this.pausedSince)
						: null,
				quiet(nowMillis), electorateSnapshot(), fenceSnapshot(nowMillis),
				new GroupSnapshot.RejectionsSnapshot(this.rejections, this.lastRejection));
	}

	private GroupSnapshot.FenceSnapshot fenceSnapshot(long now) {
		Configuration held = this.electorate.config();
		List<WriteLease.Evidence> evidence = new ArrayList<>();
		if (held != null && held.master().equals(this.master)) {
			NodeState masterNode = this.nodes.get(this.master);
			boolean inFailover = this.election != null || this.failover != null || openFailoverVote() > held.epoch();
			if (this.electorate.selfVotes() && !inFailover && masterNode != null
					&& masterNode.lastValidReplyAt() >= 0) {
				evidence.add(new WriteLease.Evidence(this.self.id(), masterNode.lastValidReplyAt()));
			}
			for (Peer peer : this.members.peers()) {
				long at = peer.masterReplyAt(held);
				if (at >= 0) {
					evidence.add(new WriteLease.Evidence(peer.id(), at));
				}
			}
		}
		return WriteLease.of(now, this.timers.fenceAfter(), held, this.electorate.departures(), evidence,
				replicasAttachedSince(), this.startedAt);
	}

	/**
	 * When the oldest of the latest INFO requests to the replicas was sent, if every node
	 * but the master answered it as a replica of the master, streaming (link up, traffic
	 * within a second); -1 otherwise, and when no replica is known.
	 */
	private long replicasAttachedSince() {
		long since = Long.MAX_VALUE;
		for (NodeState node : this.nodes.all()) {
			if (node.address().equals(this.master)) {
				continue;
			}
			ReplicationInfo info = node.info();
			if (info == null || info.role() != Role.REPLICA || !info.master().equals(this.master)
					|| !info.masterLinkUp() || info.masterLastIoSeconds() < 0 || info.masterLastIoSeconds() > 1) {
				return -1;
			}
			since = Math.min(since, node.infoAskedAt());
		}
		return (since == Long.MAX_VALUE) ? -1 : since;
	}

	private GroupSnapshot.ElectorateSnapshot electorateSnapshot() {
		Configuration held = this.electorate.config();
		if (held == null) {
			return null;
		}
		return new GroupSnapshot.ElectorateSnapshot(held.version(), held.voters(),
				held.voters().stream().filter(this.electorate::hasDeparted).toList(), this.electorate.selfVotes(),
				this.electorate.committed(this.members.peers()), this.config.voters());
	}

	private long configEpoch() {
		return (this.electorate.config() != null) ? this.electorate.config().epoch() : 0;
	}

	/**
	 * Sentinel's CKQUORUM: the voters heard from within the opinion validity, against
	 * quorum and majority.
	 */
	private GroupSnapshot.QuorumCheck quorumCheck(long now) {
		Configuration held = this.electorate.config();
		if (held == null) {
			return new GroupSnapshot.QuorumCheck(0, 0, this.config.quorum(), 1);
		}
		int reachable = this.electorate.selfVotes() ? 1 : 0;
		for (Peer peer : this.members.peers()) {
			if (held.isVoter(peer.id()) && now - peer.lastSeenAt() <= this.timers.opinionValidity()) {
				reachable++;
			}
		}
		int majority = held.majority(this.electorate.departures());
		return new GroupSnapshot.QuorumCheck(reachable, held.liveVoters(this.electorate.departures()).size(),
				this.config.quorum(), Math.max(this.config.quorum(), majority));
	}

	/**
	 * Keeps an ended failover (or one learned from a peer) as the last one and in the
	 * history.
	 */
	private void record(FailoverSnapshot failover) {
		this.lastFailover = failover;
		this.history.addFirst(failover);
		while (this.history.size() > this.config.historySize()) {
			this.history.removeLast();
		}
		this.failoversRecorded++;
	}

	private GroupState state(long now) {
		if (this.tilt.tilted(now)) {
			return GroupState.TILT;
		}
		if (this.master == null) {
			return GroupState.NO_MASTER;
		}
		if (this.failover != null || this.election != null || peerLeadsFailover(now)) {
			return GroupState.FAILOVER;
		}
		if (this.maintenance.paused()) {
			return GroupState.PAUSED;
		}
		if (this.objectivelyDown) {
			return GroupState.ODOWN;
		}
		return this.masterDown ? GroupState.SDOWN : GroupState.OK;
	}

	private void observeTime(long now, boolean tick, List<Action> out) {
		if (this.tilt.observe(now, tick)) {
			emit(out, Type.TILT, null, "timer gap or time going backwards");
			if (this.election != null) {
				abortElection(now, "entered TILT", out);
			}
		}
		else if (this.tilt.ended(now)) {
			emit(out, Type.TILT_CLEARED, null, null);
		}
	}

	private void observeEpoch(long now, long epoch, List<Action> out) {
		if (now < this.quietUntil) {
			this.voteBook.observedWhileQuiet(epoch);
		}
		if (epoch > this.currentEpoch) {
			this.currentEpoch = epoch;
			emit(out, Type.NEW_EPOCH, null, null);
		}
	}

	/** Adopts a newer configuration that a peer holds. */
	private void adoptConfiguration(long now, Hello hello, List<Action> out) {
		Configuration config = hello.config();
		if (config == null || !config.newerThan(this.electorate.config())) {
			return;
		}
		if (this.nodes.get(config.master()) == null) {
			// A promoted node was a replica of the group, known from the nodes' INFO:
			// only a
			// sender's word makes no server the master (nor gets it our connections and
			// password).
			rejected(GossipRejection.UNKNOWN_MASTER, 1,
					"configuration " + config.epoch() + "." + config.version() + " of " + hello.sender()
							+ " names master " + config.master()
							+ ", which no configured node is and no node's INFO reports");
			return;
		}
		adopt(now, config, hello.sender(), true, out);
	}

	/**
	 * Holds {@code next} if it is newer than the configuration held, follows its master
	 * and ends what it supersedes: an election or failover of this member based on an
	 * older configuration, a change of voters of an earlier epoch.
	 * @param from the member or node it came from
	 * @param observed whether another member made it (this member records what it
	 * learned)
	 */
	private void adopt(long now, Configuration next, String from, boolean observed, List<Action> out) {
		Configuration previous = this.electorate.config();
		if (!this.electorate.adopt(next)) {
			return;
		}
		observeEpoch(now, next.epoch(), out);
		announceVoters(previous, next, out);
		NodeAddress old = this.master;
		if (observed && old != null && !next.master().equals(old)) {
			record(new FailoverSnapshot(next.epoch(), from, old, next.master(), now, now, "learned from " + from,
					List.of(new FailoverSnapshot.Step("switch-master", 0)), GroupSnapshot.Trigger.OBSERVED, -1));
		}
		if (next.master().equals(old)) {
			// Peers leading a change count who holds it: say so at once.
			announce(now, out);
		}
		else {
			switchMaster(now, next.master(), out);
		}
		String superseded = "superseded by configuration " + next.epoch() + "." + next.version() + " from " + from;
		if (this.election != null) {
			abortElection(now, superseded, out);
		}
		if (this.failover != null && this.failover.epoch() != next.epoch()) {
			this.failover.abort(now, superseded);
			endFailover(now, out);
		}
		if (this.voterChange != null && this.voterChange.epoch() != next.epoch()) {
			this.voterChange = null;
		}
	}

	private void announceVoters(Configuration previous, Configuration next, List<Action> out) {
		for (String voter : next.voters()) {
			if (previous == null || !previous.isVoter(voter)) {
				emit(out, Type.VOTER_ADDED, next.epoch(), null, "member " + voter);
			}
		}
		if (previous != null) {
			for (String voter : previous.voters()) {
				if (!next.isVoter(voter)) {
					emit(out, Type.VOTER_REMOVED, next.epoch(), null, "member " + voter);
				}
			}
		}
	}

	/**
	 * What a node's data says of the configuration: adopted if newer, departures
	 * remembered.
	 */
	private void learnStored(long now, NodeState node, StoredConfiguration stored, List<Action> out) {
		node.stored(stored);
		stored.departed().forEach(this.electorate::departed);
		if (stored.config() != null) {
			adopt(now, stored.config(), "the data of " + node.address(), true, out);
		}
	}

	/**
	 * This member's founding (or succession) store succeeded: it is the one voter of a
	 * new electorate.
	 */
	private void founded(long now, Configuration config, List<Action> out) {
		observeEpoch(now, config.epoch(), out);
		this.voteBook.grant(config.epoch(), this.self.id());
		if (config.newerThan(this.electorate.config())) {
			emit(out, Type.ELECTORATE_FOUNDED, config.epoch(), config.master(), "member " + this.self.id());
			adopt(now, config, "this member", false, out);
		}
	}

	private void switchMaster(long now, NodeAddress newMaster, List<Action> out) {
		NodeAddress old = this.master;
		if (newMaster.equals(old)) {
			return;
		}
		this.master = newMaster;
		this.masterSince = now;
		this.masterDown = false;
		this.objectivelyDown = false;
		this.nodes.track(newMaster, now, out);
		out.add(new Action.Emit(
				new ProtocolEvent(Type.SWITCH_MASTER, this.config.name(), configEpoch(), old, newMaster, null)));
		if (!observing()) {
			publishHello(now, out);
			// Promotions and repointing end with CLIENT KILL TYPE pubsub, dropping peers'
			// subscriptions
			// right when this announcement goes out: say it again at the first tick at
			// least a tick
			// later, once they have resubscribed (within milliseconds).
			this.lastHelloAt = now - this.timers.helloEvery() + Timers.TICK;
		}
	}

	/**
	 * Re-derives what follows from the current knowledge: the master, its health, what to
	 * do about it.
	 */
	private void evaluate(long now, List<Action> out) {
		listenForRole(out);
		this.nodes.poll(now, observing() ? this.timers.observerPingEvery() : this.timers.pingEvery(), this::infoPeriod,
				out);
		if (this.master == null && this.electorate.config() == null) {
			learnMasterFromNodes(now, out);
		}
		if (this.master == null) {
			return;
		}
		boolean tilted = this.tilt.tilted(now);
		boolean down = !tilted && seesMasterDown(now);
		if (down != this.masterDown) {
			this.masterDown = down;
			emit(out, down ? Type.SDOWN : Type.SDOWN_CLEARED, this.master, null);
			announce(now, out);
			if (down && this.deferredRequest != null) {
				onVoteRequest(now, this.deferredRequest, out);
			}
		}
		int opinions = opinionsMasterDown(now);
		boolean odown = down && opinions >= this.config.quorum();
		if (odown != this.objectivelyDown) {
			this.objectivelyDown = odown;
			emit(out, odown ? Type.ODOWN : Type.ODOWN_CLEARED, this.master,
					"#quorum " + opinions + "/" + this.config.quorum());
		}
		if (this.failover != null) {
			this.failover.advance(now, this.nodes, tilted, out);
			if (this.failover.ended()) {
				endFailover(now, out);
			}
		}
		else if (this.election != null) {
			decideElection(now, out);
		}
		else {
			advanceVoterChange(now, out);
			considerCandidacy(now, tilted, out);
			if (this.election == null) {
				considerElectorate(now, tilted, out);
			}
		}
		repairStoredConfiguration(now, tilted, out);
		boolean mayRepair = mayRepairNodes(now, tilted);
		reconfigureStrayNodes(now, mayRepair, out);
		this.masterFence.keep(now, this.master, mayRepair, out);
	}

	/**
	 * This member (seeing it down) plus the voters whose fresh hello says this master is
	 * down.
	 */
	private int opinionsMasterDown(long now) {
		if (!this.masterDown) {
			return 0;
		}
		int count = 1;
		for (Peer peer : this.members.peers()) {
			if (this.electorate.isVoter(peer.id()) && peer.seesDown(this.master, now, this.timers.opinionValidity())) {
				count++;
			}
		}
		return count;
	}

	private boolean peerLeadsFailover(long now) {
		for (Peer peer : this.members.peers()) {
			if (peer.leadsFailover(now, this.timers.opinionValidity()) > 0) {
				return true;
			}
		}
		return false;
	}

	private boolean quiet(long now) {
		return now < this.quietUntil;
	}

	/**
	 * In ODOWN, a voter, with nobody else acting: ask for votes after a small random
	 * delay.
	 */
	private void considerCandidacy(long now, boolean tilted, List<Action> out) {
		if (!this.objectivelyDown || tilted || quiet(now) || now < this.holdOffUntil || peerLeadsFailover(now)
				|| this.maintenance.paused() || !this.electorate.selfVotes() || this.voterChange != null
				|| !lastVoteSettled(now, null) || !mayWin(now)) {
			this.candidacyAt = -1;
			return;
		}
		if (this.candidacyAt < 0) {
			this.candidacyAt = now + candidacyRank(now) * this.timers.candidacyStep();
		}
		if (now < this.candidacyAt) {
			return;
		}
		beginElection(now, GroupSnapshot.Trigger.AUTOMATIC, null, null, out);
	}

	/**
	 * Whether enough voters were heard from recently to win an automatic failover: asking
	 * without them would only burn epochs.
	 */
	private boolean mayWin(long now) {
		return quorumCheck(now).electionReachable();
	}

	/**
	 * How many voters heard from recently have a smaller id: the first asks for votes at
	 * once, the others a step later each, by which time they have its request and vote
	 * for it instead of splitting the vote. Every live voter counts, not only those that
	 * already say the master is down: a smaller id that reaches ODOWN a moment later
	 * would otherwise ask at once too.
	 */
	private int candidacyRank(long now) {
		int rank = 0;
		for (Peer peer : this.members.peers()) {
			if (this.electorate.isVoter(peer.id()) && now - peer.lastSeenAt() <= this.timers.opinionValidity()
					&& peer.id().compareTo(this.self.id()) < 0) {
				rank++;
			}
		}
		return rank;
	}

	/**
	 * The electorate's upkeep, in a calm group: founding the first electorate (or
	 * succeeding one that has all departed), and, by a voter of a committed
	 * configuration, the next change of voters the group needs. Members that look at the
	 * same time find the same change; the voter with the smallest id asks first.
	 */
	private void considerElectorate(long now, boolean tilted, List<Action> out) {
		Configuration held = this.electorate.config();
		if (tilted || quiet(now) || this.voterChange != null || peerLeadsFailover(now)) {
			this.changeAt = -1;
			return;
		}
		if (held == null || this.electorate.allDeparted()) {
			considerFounding(now, held, out);
			return;
		}
		String change = (this.electorate.selfVotes() && now >= this.holdOffUntil && lastVoteSettled(now, null)
				&& this.electorate.committed(this.members.peers()))
						? VoterChange.needed(held, this.electorate, liveHolders(now), silentVoters(now),
								this.config.voters())
						: null;
		if (change == null) {
			this.changeAt = -1;
			return;
		}
		if (this.changeAt < 0) {
			this.changeAt = now + candidacyRank(now) * this.timers.helloEvery();
		}
		if (now >= this.changeAt) {
			this.changeAt = -1;
			beginElection(now, GroupSnapshot.Trigger.AUTOMATIC, null, change, out);
		}
	}

	/**
	 * Founds an electorate of this member alone when the group has none: every node it
	 * knows answers and none stores a configuration, no member holds one, and the
	 * master's hash is still empty when the store runs (so only one member ever founds).
	 * Succeeds an electorate whose voters have all stopped for good the same way,
	 * replacing exactly that configuration. The member with the smallest id tries first,
	 * the others a hello period later each.
	 */
	private void considerFounding(long now, Configuration held, List<Action> out) {
		NodeState node = this.nodes.get(this.master);
		if (node == null || node.status(now, this.timers.downAfter()) != NodeStatus.UP || node.role() != Role.MASTER
				|| node.stored() == null) {
			return;
		}
		if (held == null) {
			// Every node must answer: a node cut off may hold the configuration of a
			// group that
			// exists, and founding another one beside it would split the group in two.
			for (NodeState other : this.nodes.all()) {
				if (other.info() == null || other.infoFailed() || other.stored() == null
						|| other.stored().config() != null) {
					return;
				}
			}
			for (Peer peer : this.members.peers()) {
				if (peer.config() != null) {
					return;
				}
			}
		}
		long wait = this.timers.quietPeriod() + candidacyRank(now) * this.timers.helloEvery();
		boolean due = this.lastFoundingAt < 0 || now - this.lastFoundingAt >= this.timers.helloEvery();
		if (now - this.startedAt < wait || !due) {
			return;
		}
		this.lastFoundingAt = now;
		Configuration founding = Configuration.founding(this.currentEpoch + 1, this.master, this.self.id());
		// currentEpoch is at least the held configuration's epoch (adopt observes it), so
		// the founding is newer.
		out.add((held == null)
				? new Action.StoreConfiguration(this.master, founding, Action.StoreCondition.ABSENT, null)
				: new Action.StoreConfiguration(this.master, founding, Action.StoreCondition.NOT_NEWER, held));
	}

	/**
	 * Members heard from within the opinion validity that hold exactly this member's
	 * configuration.
	 */
	private List<String> liveHolders(long now) {
		List<String> live = new ArrayList<>();
		for (Peer peer : this.members.peers()) {
			if (now - peer.lastSeenAt() <= this.timers.opinionValidity() && this.electorate.sameAs(peer)
					&& !this.electorate.hasDeparted(peer.id())) {
				live.add(peer.id());
			}
		}
		return live;
	}

	/**
	 * Voters (but this member) not heard from for the member expiry, or never since this
	 * member started that long ago.
	 */
	private List<String> silentVoters(long now) {
		List<String> silent = new ArrayList<>();
		for (String voter : this.electorate.config().voters()) {
			if (!voter.equals(this.self.id()) && silent(now, voter)) {
				silent.add(voter);
			}
		}
		return silent;
	}

	private boolean silent(long now, String member) {
		Peer peer = this.members.get(member);
		long lastHeard = (peer != null) ? peer.lastSeenAt() : this.startedAt;
		return now - lastHeard > this.timers.memberExpiry();
	}

	/**
	 * The change this member leads: its epoch's first configuration committed, it makes
	 * the change.
	 */
	private void advanceVoterChange(long now, List<Action> out) {
		if (this.voterChange == null) {
			return;
		}
		Configuration held = this.electorate.config();
		if (now - this.voterChange.startedAt() > this.timers.failoverTimeout()) {
			// Whatever configuration it reached stands; the next change needs a new
			// election.
			this.voterChange = null;
		}
		else if (this.electorate.committed(this.members.peers())) {
			if (held.version() == 0) {
				Configuration next = this.voterChange.apply(held);
				out.add(new Action.StoreConfiguration(this.master, next));
				adopt(now, next, "this member", false, out);
			}
			else {
				this.voterChange = null;
			}
		}
	}

	/**
	 * Writes the configuration into the master's data again when the copy there is older
	 * or gone (an application flushed the data), at most once an INFO period.
	 */
	private void repairStoredConfiguration(long now, boolean tilted, List<Action> out) {
		Configuration held = this.electorate.config();
		NodeState node = this.nodes.get(this.master);
		if (tilted || held == null || this.failover != null || !this.electorate.selfVotes() || node == null
				|| node.role() != Role.MASTER || node.stored() == null
				|| node.stored().config() != null && !held.newerThan(node.stored().config())
				|| !this.electorate.committed(this.members.peers())
				|| this.lastStoreAt >= 0 && now - this.lastStoreAt < this.timers.infoEvery()) {
			return;
		}
		this.lastStoreAt = now;
		out.add(new Action.StoreConfiguration(this.master, held));
	}

	/**
	 * The replica to promote: the best eligible one, or the operator's target if it is
	 * eligible. An operator's failover of a healthy master accepts INFO as old as the
	 * calm-time period.
	 */
	private java.util.Optional<ReplicaSelector.Choice> select(Election election, long now) {
		long maxInfoAge = election.forced() ? 2 * this.timers.infoEvery() + Timers.TICK
				: ReplicaSelector.maxInfoAge(this.timers);
		List<NodeState> candidates = new ArrayList<>(this.nodes.all());
		if (election.target() != null) {
			candidates.removeIf((node) -> !node.address().equals(election.target())
					&& !node.address().equals(election.failingMaster()));
		}
		return this.selector
			.select(candidates, election.failingMaster(), now, maxInfoAge,
					election.trigger() != GroupSnapshot.Trigger.SWITCHOVER,
					election.failingMaster().equals(this.master) ? this.masterSince : -1)
			.filter((choice) -> !election.forced() || !choice.alreadyPromoted());
	}

	private void requestVotes(long now, List<Action> out) {
		this.lastVoteRequestAt = now;
		Configuration base = this.election.config();
		publish(new VoteRequest(this.config.name(), this.self.id(), ++this.sequence, this.election.epoch(),
				base.master(), this.election.purpose(), base.epoch(), base.version(), this.election.change()), out);
	}

	private void decideElection(long now, List<Action> out) {
		int quorum = this.config.quorum();
		Map<String, Configuration.Departure> departed = this.electorate.departures();
		GossipMessage.Purpose purpose = this.election.purpose();
		if (!this.election.config().equals(this.electorate.config())) {
			abortElection(now, "the configuration changed", out);
		}
		else if (this.election.won(quorum, departed)) {
			Election won = this.election;
			this.election = null;
			if (purpose == GossipMessage.Purpose.VOTERS) {
				this.voterChange = VoterChange.elected(won.epoch(), won.change(), now);
				Configuration first = won.config().withMaster(won.epoch(), this.master);
				out.add(new Action.StoreConfiguration(this.master, first));
				adopt(now, first, "this member", false, out);
				advanceVoterChange(now, out);
				return;
			}
			emit(out, Type.ELECTED_LEADER, won.epoch(), this.master, won.votes() + " of "
					+ won.config().liveVoters(departed).size() + " votes, needed " + won.needed(quorum, departed));
			this.failover = new FailoverProcess(this.failoverHost, this.self.id(), won, now, this.timers,
					this.config.parallelSyncs(), this.handOverTimeout, this.config.minReplicas());
			this.failover.begin(now, this.nodes, out);
			publishHello(now, out);
			if (this.failover.ended()) {
				endFailover(now, out);
			}
		}
		else if (purpose == GossipMessage.Purpose.FAILOVER && !this.masterDown) {
			abortElection(now, "the master answers again", out);
		}
		else if (this.election.lost(quorum, departed)) {
			abortElection(now, "votes went to other candidates", out);
		}
		else if (now - this.election.startedAt() >= this.timers.electionTimeout()) {
			abortElection(now, "not elected within " + this.timers.electionTimeout() + " ms", out);
		}
		else if (now - this.lastVoteRequestAt >= Timers.TICK) {
			requestVotes(now, out);
		}
	}

	private void abortElection(long now, String reason, List<Action> out) {
		if (this.election.purpose() != GossipMessage.Purpose.VOTERS) {
			emit(out, Type.FAILOVER_ABORT_NOT_ELECTED, this.election.epoch(), this.election.failingMaster(), reason);
		}
		if (this.election.forced()) {
			// The operator asked for it: the history says why nothing happened.
			record(new FailoverSnapshot(this.election.epoch(), this.self.id(), this.election.failingMaster(), null,
					this.election.startedAt(), now, "not elected: " + reason,
					List.of(new FailoverSnapshot.Step("try-failover", 0),
							new FailoverSnapshot.Step("end", now - this.election.startedAt())),
					this.election.trigger(), -1));
		}
		this.election = null;
		this.holdOffUntil = now + Timers.TICK + this.random.nextLong(this.timers.helloEvery());
		// The voters wait for word that this election is over before they vote for anyone
		// else.
		publishHello(now, out);
	}

	/** The replication offset a node last reported as master; -1 when it never did. */
	private long lastMasterOffset(NodeAddress address) {
		NodeState node = this.nodes.get(address);
		return (node != null && node.info() != null && node.info().role() == Role.MASTER) ? node.info().offset() : -1;
	}

	private void endFailover(long now, List<Action> out) {
		record(this.failover.snapshot());
		if (this.failover.aborted()) {
			long downAfter = this.timers.downAfter();
			this.holdOffUntil = now + downAfter + this.random.nextLong(downAfter);
		}
		this.failover = null;
		publishHello(now, out);
	}

	/**
	 * Grants this member's one vote of an epoch to the first candidate asking for it,
	 * when both are voters holding the very same configuration, this member is past its
	 * quiet period, not in TILT, not acting itself, the group is calm (see
	 * {@link #lastVoteSettled}) and the purpose holds from this member's own view: for an
	 * automatic failover it sees the master down itself (a member cut off from a healthy
	 * master cannot collect votes), for a change of voters the change is one it would
	 * make.
	 */
	private void onVoteRequest(long now, VoteRequest request, List<Action> out) {
		long epoch = request.epoch();
		boolean latest = epoch >= this.currentEpoch;
		observeEpoch(now, epoch, out);
		if (this.election != null && this.election.epoch() == epoch) {
			this.election.vote(request.sender(), false);
		}
		if (this.voteBook.votedFor(epoch, request.sender())) {
			publishVote(request, out);
			return;
		}
		Configuration held = this.electorate.config();
		boolean mayVote = latest && !quiet(now) && !this.tilt.tilted(now) && this.failover == null
				&& this.voterChange == null && this.electorate.selfVotes() && held.isVoter(request.sender())
				&& held.is(request.configEpoch(), request.configVersion())
				&& request.failingMaster().equals(this.master) && !peerLeadsFailover(now)
				&& lastVoteSettled(now, request.sender()) && purposeAllows(now, request);
		boolean seesReason = request.purpose() != GossipMessage.Purpose.FAILOVER || this.masterDown;
		this.deferredRequest = (mayVote && !seesReason) ? request : null;
		if (mayVote && seesReason && this.voteBook.grant(epoch, request.sender())) {
			if (request.purpose() != GossipMessage.Purpose.VOTERS) {
				emit(out, Type.VOTE_FOR_LEADER, epoch, this.master, request.sender());
			}
			publishVote(request, out);
			this.lastVote = new CastVote(epoch, request.sender(), request.sequence(), now,
					request.purpose() == GossipMessage.Purpose.FAILOVER);
			this.holdOffUntil = Math.max(this.holdOffUntil,
					now + this.timers.electionTimeout() + this.random.nextLong(this.timers.helloEvery()));
			if (this.election != null) {
				abortElection(now, "voted for " + request.sender() + " in a later epoch", out);
			}
		}
	}

	/**
	 * What each purpose needs besides the common rules: an automatic failover, that
	 * automatic failover is not paused; an operator's request, that this member is no
	 * candidate itself; a change of voters, that nobody is a candidate, the master is not
	 * objectively down (a failover goes first) and the change is one this member would
	 * make (a voter it has not heard from for the member expiry, or that stopped for
	 * good, is removed; a live member holding the same configuration is added).
	 */
	private boolean purposeAllows(long now, VoteRequest request) {
		return switch (request.purpose()) {
			case FAILOVER -> !this.maintenance.paused();
			case OPERATOR -> this.election == null;
			case VOTERS -> this.election == null && !this.objectivelyDown && acceptableChange(now, request.change());
		};
	}

	private boolean acceptableChange(long now, String change) {
		Configuration held = this.electorate.config();
		String member = change.substring(1);
		if (change.charAt(0) == '-') {
			return held.isVoter(member) && !member.equals(this.self.id())
					&& (this.electorate.hasDeparted(member) || silent(now, member));
		}
		return !held.isVoter(member) && held.voters().size() < Configuration.MAX_VOTERS
				&& liveHolders(now).contains(member);
	}

	/**
	 * Whether the election this member last voted in is over as far as it can tell: the
	 * configuration of that epoch (or a later one) arrived, the candidate said in a later
	 * hello that it is neither candidate nor leader in that epoch any more, it stopped,
	 * it is the one asking again, or a whole failover timeout passed (a leader elected
	 * with this vote gives up by then whatever failover it did not finish). Voting for
	 * another candidate before that could let two leaders of two epochs promote two
	 * replicas of the same failed master.
	 */
	private boolean lastVoteSettled(long now, String asking) {
		CastVote vote = this.lastVote;
		if (vote == null || configEpoch() >= vote.epoch() || vote.candidate().equals(asking)
				|| this.electorate.hasDeparted(vote.candidate()) || now - vote.at() >= this.timers.failoverTimeout()) {
			return true;
		}
		Peer candidate = this.members.get(vote.candidate());
		return candidate != null && candidate.doneWith(vote.epoch(), vote.requestSequence());
	}

	/**
	 * The epoch of this member's vote for an automatic failover until it knows how that
	 * election ended: the configuration of that epoch (or a later one) arrived, or the
	 * candidate said in a later hello that it is neither candidate nor leader in it; 0
	 * when none. Unlike {@link #lastVoteSettled}, no timeout closes it: a leader may have
	 * promoted a replica this member cannot see, and the master it follows may be deposed
	 * for good.
	 */
	private long openFailoverVote() {
		CastVote vote = this.lastVote;
		if (vote == null || !vote.failover() || configEpoch() >= vote.epoch()) {
			return 0;
		}
		Peer candidate = this.members.get(vote.candidate());
		return (candidate != null && candidate.doneWith(vote.epoch(), vote.requestSequence())) ? 0 : vote.epoch();
	}

	/**
	 * A vote this member gave another member, and the sequence number of the request it
	 * answered.
	 */
	private record CastVote(long epoch, String candidate, long requestSequence, long at, boolean failover) {
	}

	private void publishVote(VoteRequest request, List<Action> out) {
		publish(new Vote(this.config.name(), this.self.id(), ++this.sequence, request.epoch(), request.sender(),
				request.failingMaster()), out);
	}

	/**
	 * Turns a node that claims to be master but is not the current one (an old master
	 * come back) into a replica of the current master, and repoints a replica following
	 * another node of this group; only when the node has been up and in that role for
	 * demote-after, the current master is healthy, nobody is failing over, and this
	 * member is a voter whose configuration is committed and that hears a majority of the
	 * voters holding it: a member holding an old configuration must never demote the
	 * master of a newer one. A role told more than three PING periods ago (INFO is read
	 * every info-period in calm times) may have changed since, e.g. by a promotion this
	 * member has not heard of yet: its INFO is asked first, and the answer decides.
	 */
	private void reconfigureStrayNodes(long now, boolean mayRepair, List<Action> out) {
		if (!mayRepair) {
			return;
		}
		NodeState current = this.nodes.get(this.master);
		long downAfter = this.timers.downAfter();
		long stable = this.timers.demoteAfter();
		for (NodeState node : this.nodes.all()) {
			long upSince = node.upSince(now, downAfter);
			if (node == current || node.role() == null || upSince < 0 || now - upSince < stable
					|| now - node.roleSince() < stable || node.recentlyReconfigured(now, stable)) {
				continue;
			}
			boolean strayMaster = node.role() == Role.MASTER;
			boolean wrongMaster = node.role() == Role.REPLICA && !this.master.equals(node.following())
					&& this.nodes.get(node.following()) != null;
			if ((strayMaster || wrongMaster) && now - node.roleAt() > ReplicaSelector.maxInfoAge(this.timers)) {
				askInfo(node, now, out);
			}
			else if (strayMaster || wrongMaster) {
				node.reconfigured(now);
				out.add(new Action.Replicate(node.address(), this.master, configEpoch(), this.config.minReplicas()));
				emit(out, Type.CONVERT_TO_REPLICA, node.address(),
						strayMaster ? "claimed to be master" : "followed " + node.following());
			}
		}
	}

	/**
	 * Whether this member may reconfigure nodes now: see {@link #reconfigureStrayNodes}.
	 */
	private boolean mayRepairNodes(long now, boolean tilted) {
		NodeState current = this.nodes.get(this.master);
		return !tilted && !quiet(now) && !this.masterDown && this.failover == null && !peerLeadsFailover(now)
				&& !this.maintenance.paused() && hearsMajorityHolding(now)
				&& current.status(now, this.timers.downAfter()) == NodeStatus.UP && current.role() == Role.MASTER;
	}

	/**
	 * A voter that hears, within the opinion validity, a majority of the voters holding
	 * its very configuration.
	 */
	private boolean hearsMajorityHolding(long now) {
		if (!this.electorate.selfVotes()) {
			return false;
		}
		Configuration held = this.electorate.config();
		int holders = 1;
		for (String member : liveHolders(now)) {
			if (held.isVoter(member)) {
				holders++;
			}
		}
		return holders >= held.majority(this.electorate.departures());
	}

	/**
	 * Asks the node's INFO now, unless it was asked within a PING period (an answer may
	 * be on its way).
	 */
	private void askInfo(NodeState node, long now, List<Action> out) {
		if (node.infoDue(now, this.timers.pingEvery())) {
			node.infoSent(now);
			out.add(new Action.QueryInfo(node.address()));
		}
	}

	/**
	 * No valid reply for down-after, a master reporting itself a replica for that long,
	 * or a master restarted within master-reboot-down-after (it may have come back
	 * without its data).
	 */
	private boolean seesMasterDown(long now) {
		NodeState node = this.nodes.get(this.master);
		long downAfter = this.timers.downAfter();
		if (node.status(now, downAfter) == NodeStatus.DOWN || node.restartedAt() > this.masterSince
				&& ReplicationLineage.restartedMaster(node, now, this.timers.masterRebootDownAfter())) {
			return true;
		}
		// only what the node said since it became this member's master counts: a promoted
		// replica's last INFO may well be from before its promotion
		return node.role() == Role.REPLICA && node.infoAt() > this.masterSince
				&& now - Math.max(node.roleSince(), this.masterSince) > downAfter;
	}

	/**
	 * While no configuration is known, takes the master from the nodes' own roles once
	 * every known node has answered INFO or failed to: the node answering master that
	 * most replicas follow with their link up (the smaller address on a tie, so that
	 * members agree). A master no replica follows must hold the data of replicas whose
	 * master no longer answers.
	 */
	private void learnMasterFromNodes(long now, List<Action> out) {
		NodeState best = null;
		int bestFollowers = -1;
		boolean someSilent = false;
		for (NodeState node : this.nodes.all()) {
			if (node.info() == null && !node.infoFailed()) {
				return;
			}
			someSilent |= node.infoFailed();
		}
		for (NodeState node : this.nodes.all()) {
			if (node.role() == Role.MASTER && node.info() != null) {
				int followers = followers(node.address());
				// A lone master must hold the data of the replicas stranded by a dead
				// master; beside
				// nodes that do not answer it must hold some (else it may be a stray cut
				// off from the
				// group's real master, and following it would route the application's
				// writes there).
				int held = (followers == 0) ? ReplicationLineage.strandedDataHeld(node, this.nodes) : 0;
				if (followers == 0 && (held < 0 || held == 0 && someSilent)) {
					continue;
				}
				if (followers > bestFollowers
						|| followers == bestFollowers && node.address().compareTo(best.address()) < 0) {
					best = node;
					bestFollowers = followers;
				}
			}
		}
		if (best != null) {
			switchMaster(now, best.address(), out);
		}
	}

	private int followers(NodeAddress address) {
		int count = 0;
		for (NodeState node : this.nodes.all()) {
			if (node.role() == Role.REPLICA && address.equals(node.following()) && node.info() != null
					&& node.info().masterLinkUp()) {
				count++;
			}
		}
		return count;
	}

	private void publishHello(long now, List<Action> out) {
		this.lastHelloAt = now;
		NodeState masterNode = (this.master != null) ? this.nodes.get(this.master) : null;
		long replyAge = (masterNode != null && masterNode.lastValidReplyAt() >= 0) ? now - masterNode.lastValidReplyAt()
				: -1;
		publish(new Hello(this.config.name(), this.self.id(), ++this.sequence, this.self.application(),
				this.currentEpoch, this.master, configEpoch(), this.masterDown,
				(this.failover != null) ? this.failover.epoch() : 0, this.maintenance, this.electorate.config(),
				(this.election != null) ? this.election.epoch() : 0, now, replyAge, openFailoverVote(),
				this.self.endpoint()), out);
	}

	/**
	 * A hello at once, for a change of opinion the voters count on hearing now; an
	 * observer's opinions count for nobody, so they wait for its next hello.
	 */
	private void announce(long now, List<Action> out) {
		if (!observing()) {
			publishHello(now, out);
		}
	}

	/**
	 * Whether this member holds a configuration that does not make it a voter. An
	 * observer listens to the voters' announcements only, and sends a hello only about
	 * every {@link Timers#presenceEvery()}, so that the voters know it is there (to pick
	 * a replacement voter, and for the member list), or every hello period while the
	 * group wants it as a voter. A member that holds no configuration yet gossips as a
	 * voter: the founding of an electorate counts on hearing every member.
	 */
	private boolean observing() {
		return this.electorate.config() != null && !this.electorate.selfVotes();
	}

	private long helloPeriod(long now) {
		return (observing() && !wantedAsVoter(now)) ? this.presenceEvery : this.timers.helloEvery();
	}

	/**
	 * Whether, as this observer sees the voters, the group's next change of voters would
	 * add it if it were the only live observer: it then says so every hello period, since
	 * a voter adds only a member heard from within the opinion validity that holds its
	 * configuration.
	 */
	private boolean wantedAsVoter(long now) {
		String change = VoterChange.needed(this.electorate.config(), this.electorate, List.of(this.self.id()),
				silentVoters(now), this.config.voters());
		return ("+" + this.self.id()).equals(change);
	}

	/** Subscribes to the channel this member's role needs, when the role changed. */
	private void listenForRole(List<Action> out) {
		String channel = observing() ? ANNOUNCE_CHANNEL : GOSSIP_CHANNEL;
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
		if (observing()) {
			out.add((this.master != null) ? new Action.PublishOn(this.master, GOSSIP_CHANNEL, payload)
					: new Action.Publish(GOSSIP_CHANNEL, payload));
			return;
		}
		out.add(new Action.Publish(GOSSIP_CHANNEL, payload));
		if (this.master != null && (message instanceof Hello || message instanceof Goodbye)) {
			out.add(new Action.PublishOn(this.master, ANNOUNCE_CHANNEL, payload));
		}
	}

	private void emit(List<Action> out, Type type, NodeAddress node, String detail) {
		emit(out, type, this.currentEpoch, node, detail);
	}

	/**
	 * An event of an election or failover, which carries that epoch even if a later one
	 * is known by now.
	 */
	private void emit(List<Action> out, Type type, long epoch, NodeAddress node, String detail) {
		out.add(new Action.Emit(new ProtocolEvent(type, this.config.name(), epoch, node, this.master, detail)));
	}

}
