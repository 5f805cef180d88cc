package io.redisha.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GossipMessage.Goodbye;
import io.redisha.protocol.GossipMessage.Hello;
import io.redisha.protocol.GossipMessage.Vote;
import io.redisha.protocol.GossipMessage.VoteRequest;
import io.redisha.protocol.ProtocolEvent.Type;

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

	/**
	 * How often the runtime calls {@link #tick}: the protocol's timers count in these
	 * ticks, and nothing it does is more precise than one.
	 */
	public static final long TICK_MILLIS = Timers.TICK;

	private final CoordinatorParts parts;

	private final OperatorCommands commands;

	private final Snapshots snapshots;

	private final DecodedGossip decoded = new DecodedGossip();

	private boolean started;

	private boolean stopped;

	/**
	 * A coordinator whose epochs start at 0: after a restart of every member at once,
	 * epoch numbers of the previous generation may be used again, and a replacement of
	 * the voters through it clears only the epochs it knows of (see docs/protocol.md).
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
	 * every member restarted at once, as long as the hosts' clocks roughly agree (and no
	 * operator's replacement of the voters, which founds an hour above the clock, came
	 * within the hour); a replacement reads the clock as this epoch moved on by
	 * {@code nowMillis}
	 * @throws IllegalArgumentException when the group name or member id is too long to
	 * gossip, or the initial epoch is negative
	 */
	public GroupCoordinator(GroupConfig config, MemberIdentity self, long nowMillis, RandomGenerator random,
			long initialEpoch) {
		Objects.requireNonNull(config, "config");
		Objects.requireNonNull(self, "self");
		Objects.requireNonNull(random, "random");
		requireGossipable("group name", config.name());
		requireGossipable("member id", self.id());
		if (initialEpoch < 0) {
			throw new IllegalArgumentException("initialEpoch must be >= 0 but was " + initialEpoch);
		}
		this.parts = new CoordinatorParts(config, self, nowMillis, random, initialEpoch);
		this.commands = new OperatorCommands(this.parts);
		this.snapshots = new Snapshots(this.parts);
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
		CoordinatorParts parts = this.parts;
		if (!this.started) {
			this.started = true;
			for (NodeAddress seed : parts.config.seeds()) {
				parts.nodes.track(seed, nowMillis, out);
			}
		}
		parts.detection.observeTime(nowMillis, true, out);
		for (String expired : parts.members.expire(nowMillis)) {
			parts.emit(out, Type.MEMBER_LEFT, null,
					"member " + expired + " not seen for " + parts.timers.memberExpiry() + " ms");
		}
		evaluate(nowMillis, out);
		parts.gossip.tick(nowMillis, out);
		parts.fence.watch(nowMillis, out);
		parts.announcement.tick(nowMillis, parts.master.address(), out);
		parts.demotedClients.tick(nowMillis, parts.nodes, parts.master.address(), out);
		settle(nowMillis, out);
		return out;
	}

	/** The one reply to a command this coordinator asked for. */
	public List<Action> onReply(long nowMillis, Action.NodeCommand command, Reply reply) {
		List<Action> out = new ArrayList<>();
		if (this.stopped) {
			return out;
		}
		CoordinatorParts parts = this.parts;
		parts.detection.observeTime(nowMillis, false, out);
		NodeState node = parts.nodes.get(command.node());
		if (node == null) {
			return out;
		}
		if (command instanceof Action.Ping) {
			parts.detection.pingAnswered(nowMillis, node, reply);
		}
		else if (command instanceof Action.QueryInfo) {
			parts.detection.infoAnswered(nowMillis, node, reply);
			parts.following.infoAnswered(nowMillis, node, reply, out);
		}
		else if (command instanceof Action.StoreConfiguration store && store.condition() != Action.StoreCondition.OLDER
				&& reply instanceof Reply.Text text && "1".equals(text.text()) && !text.error()) {
			parts.following.founded(nowMillis, store.config(), out);
		}
		else if (command instanceof Action.QueryRole) {
			node.roleAnswered();
			if (reply instanceof Reply.Role role) {
				node.role(nowMillis, role.role());
			}
		}
		else if (command instanceof Action.Promote promote) {
			node.roleChangeAnswered(promote.command(), reply);
			node.promotionReplied(nowMillis);
		}
		else if (command instanceof Action.DisconnectClients disconnect) {
			parts.demotedClients.onReply(nowMillis, disconnect, reply);
		}
		else if (command instanceof Action.Replicate replicate) {
			node.roleChangeAnswered(replicate.command(), reply);
		}
		parts.failovers.onReply(nowMillis, command, reply, out);
		evaluate(nowMillis, out);
		settle(nowMillis, out);
		return out;
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
		CoordinatorParts parts = this.parts;
		parts.detection.observeTime(nowMillis, false, out);
		GossipMessage message;
		try {
			message = this.decoded.decode(payload);
		}
		catch (IllegalArgumentException ex) {
			rejected(GossipRejection.MALFORMED, 1, ex.getMessage() + " (received via " + via + ")");
			return out;
		}
		if (!message.group().equals(parts.config.name())) {
			rejected(GossipRejection.FOREIGN_GROUP, 1,
					"message for group '" + message.group() + "' (received via " + via + ")");
			return out;
		}
		NodeState deliverer = parts.nodes.get(via);
		if (deliverer != null) {
			deliverer.delivered(nowMillis);
		}
		MemberTable.Receipt receipt = parts.members.receive(message, nowMillis);
		if (receipt == MemberTable.Receipt.FULL) {
			rejected(GossipRejection.MEMBER_TABLE_FULL, 1, "new member " + message.sender() + ": "
					+ MemberTable.MAX_MEMBERS + " members are known already (received via " + via + ")");
			return out;
		}
		if (receipt == MemberTable.Receipt.IGNORED) {
			return out;
		}
		if (receipt == MemberTable.Receipt.JOINED && !(message instanceof Goodbye)) {
			parts.emit(out, Type.MEMBER_ADDED, null, "member " + message.sender());
		}
		if (message instanceof Goodbye goodbye) {
			parts.members.depart(message.sender(), nowMillis);
			Configuration.Departure holding = goodbye.holding();
			if (holding != null) {
				parts.following.learnDeparture(nowMillis, goodbye.sender(), holding, out);
			}
			parts.emit(out, Type.MEMBER_LEFT, null, "member " + message.sender() + " said goodbye");
		}
		else if (message instanceof Hello hello) {
			Peer sender = Objects.requireNonNull(parts.members.get(hello.sender()));
			boolean latest = sender.hello(nowMillis, hello, parts.timers.fenceAfter());
			parts.epochs.observe(nowMillis, hello.currentEpoch(), out);
			parts.elections.opinion(hello.sender(), hello.master(), hello.masterDown(), hello.sequence(),
					latest ? sender.saidMasterDownAt() : -1);
			if (latest) {
				parts.maintenance.adopt(nowMillis, hello.maintenance(), out);
				parts.following.adoptFrom(nowMillis, hello, out);
			}
		}
		else if (message instanceof VoteRequest request) {
			Objects.requireNonNull(parts.members.get(request.sender())).seen(nowMillis, request.epoch());
			parts.voting.onVoteRequest(nowMillis, request, out);
		}
		else if (message instanceof Vote vote) {
			Objects.requireNonNull(parts.members.get(vote.sender())).seen(nowMillis, vote.epoch());
			parts.epochs.observe(nowMillis, vote.epoch(), out);
			parts.elections.counted(vote.epoch(), vote.sender(), vote.candidate().equals(parts.self.id()),
					vote.sequence());
		}
		evaluate(nowMillis, out);
		settle(nowMillis, out);
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
		this.parts.rejections.count(reason, count, detail);
	}

	/**
	 * The member is stopping gracefully: say goodbye so peers stop counting it at once,
	 * in the table and, unless a vote or an election of its own is still open, in the
	 * electorate.
	 */
	public List<Action> stop(long nowMillis) {
		List<Action> out = new ArrayList<>();
		if (!this.stopped) {
			this.stopped = true;
			CoordinatorParts parts = this.parts;
			// A vote it gave, or an election it runs, may elect a leader the others do
			// not know of yet: counted out, it would let them elect beside it. It
			// counts as crashed instead, until a majority or the operator replaces it.
			// So may a configuration it asked a node to store and does not hold (a
			// failover it led and gave up on): its departure, of the older one it holds,
			// would count it out of that one as well.
			boolean settled = parts.voting.openVote() == 0 && parts.voting.lastVoteSettled(nowMillis, null)
					&& !parts.elections.running() && !parts.failovers.running() && !parts.upkeep.changing()
					&& !parts.electorate.storedNewerThanHeld();
			Configuration.Departure holding = settled
					? Configuration.Departure.of(parts.electorate.config(), parts.epochs.current()) : null;
			parts.gossip.goodbye(holding, out);
			if (holding != null && parts.electorate.selfVotes()) {
				// Kept in the group's data: members that start after this one stopped
				// learn it never votes again.
				out.add(new Action.RecordDeparture(parts.master.required(), parts.self.id(), holding));
			}
		}
		return out;
	}

	/**
	 * What every step ends with: each role change gets the command its node takes, and
	 * the configurations this member asked nodes to store are noted.
	 */
	private void settle(long nowMillis, List<Action> out) {
		this.parts.nodes.decideRoleCommands(nowMillis, out);
		this.parts.electorate.noteStores(out);
	}

	/**
	 * Pauses automatic failover in the whole group (maintenance mode): announced at once
	 * and in every hello, honoured by every member (no candidacy, no vote for an
	 * automatic failover, no repair of stray nodes) until any member resumes. Monitoring
	 * goes on, and operators may still force a failover or switch over.
	 */
	public CommandOutcome pause(long nowMillis) {
		return this.parts.maintenance.change(nowMillis, true);
	}

	/** Resumes automatic failover in the whole group, whoever paused it. */
	public CommandOutcome resume(long nowMillis) {
		return this.parts.maintenance.change(nowMillis, false);
	}

	/**
	 * Drops a member at once (Sentinel's RESET for one peer): it stops counting as a
	 * voter. A member that is in fact alive comes back with its next message.
	 */
	public CommandOutcome forgetMember(long nowMillis, String memberId) {
		return this.commands.forgetMember(nowMillis, memberId);
	}

	/**
	 * Stops monitoring a node at once (a removed replica). A node the master still lists
	 * as a connected replica is found again at the master's next INFO.
	 */
	public CommandOutcome forgetNode(long nowMillis, NodeAddress node) {
		return this.commands.forgetNode(node);
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
		return this.commands.startElection(nowMillis, GroupSnapshot.Trigger.FORCED, null, 0);
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
	public CommandOutcome requestSwitchover(long nowMillis, @Nullable NodeAddress target, long timeoutMillis) {
		return this.commands.startElection(nowMillis, GroupSnapshot.Trigger.SWITCHOVER, target, timeoutMillis);
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
		CommandOutcome outcome = this.commands.replaceVoters(nowMillis);
		this.parts.electorate.noteStores(outcome.actions());
		return outcome;
	}

	/**
	 * Whether this member's application may write now:
	 * {@link GroupSnapshot#admitsWrites}, without the rest of a snapshot.
	 */
	public boolean admitsWrites(long nowMillis) {
		return this.parts.fence.snapshot(nowMillis).admitsWrites(nowMillis);
	}

	/**
	 * The configuration this member holds (who elects, and the master); null before it
	 * learns one.
	 */
	public @Nullable Configuration configuration() {
		return this.parts.electorate.config();
	}

	/** This member's picture of the group. */
	public GroupSnapshot snapshot(long nowMillis) {
		return this.snapshots.take(nowMillis);
	}

	/**
	 * Re-derives what follows from the current knowledge: the master, its health, what to
	 * do about it.
	 */
	private void evaluate(long now, List<Action> out) {
		CoordinatorParts parts = this.parts;
		parts.gossip.listenForRole(out);
		boolean observing = parts.gossip.observing();
		parts.nodes.poll(now, observing ? parts.timers.observerPingEvery() : parts.timers.pingEvery(),
				parts.timers.pingEvery(), observing, parts.detection::infoPeriod, out);
		if (parts.electorate.config() == null) {
			// again each time: nodes' roles change before a group is founded (a replica
			// not pointed yet), and members must come to name the same master
			parts.following.learnMasterFromNodes(now, out);
		}
		if (!parts.master.known()) {
			return;
		}
		boolean tilted = parts.tilt.tilted(now);
		parts.detection.evaluate(now, tilted, out);
		if (parts.failovers.running()) {
			parts.failovers.advance(now, tilted, out);
		}
		else if (parts.elections.running()) {
			parts.elections.decide(now, out);
		}
		else {
			parts.upkeep.advanceVoterChange(now, out);
			parts.elections.considerCandidacy(now, tilted, out);
			if (!parts.elections.running()) {
				parts.upkeep.considerElectorate(now, tilted, out);
			}
		}
		parts.repair.repair(now, tilted, out);
	}

}
