package io.redisha.protocol.simulation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.redisha.protocol.Action;
import io.redisha.protocol.Configuration;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.PartitionMode;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupState;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;
import io.redisha.protocol.Reply;

/**
 * The safety properties of failover, checked on every action a member takes (so after
 * every step of the world), and the convergence property, checked once the world is
 * healed and quiet. A broken property throws a {@link SimulationFailure}.
 * <ul>
 * <li>never two leaders in one epoch ({@code ELECTED_LEADER} events);</li>
 * <li>never two different nodes made master in one epoch ({@code Promote} commands, and
 * {@code PROMOTED_REPLICA} events, which also cover a node adopted as already
 * promoted);</li>
 * <li>promotions only by the elected leader of their epoch, never of a replica with
 * priority 0, of a node down for longer than down-after, nor without a quorum of the
 * voters of the configuration the leader stood with having seen the master down (SDOWN)
 * from before it tried until within the opinion validity of that (the master the leader
 * named when it tried and when it was elected; operators' elections need no quorum);</li>
 * <li>never a configuration stored while another one of the same epoch and version is in
 * some node's data or held by a live member (a change of voters elects no
 * {@code ELECTED_LEADER}: this is its one-leader-per-epoch check);</li>
 * <li>nothing but watching while in TILT, and TILT after every clock jump longer than the
 * TILT threshold in force;</li>
 * <li>an operator's election (forced failover, switchover) needs no quorum, but a
 * switchover promotes only after the old master was demoted, having taken no write since
 * its writes were paused, and only a target that has every one of them (no acknowledged
 * write lost, never two masters);</li>
 * <li>once healed and quiet: every live member names the same master, the only node with
 * role master, and every replica follows it with its link up.</li>
 * </ul>
 * With {@link #checkWrites()}, also the data: never two masters taking the majority's
 * writes at once, and every acknowledged write in the final master's data unless lost in
 * the asynchronous-replication window ({@link WriteLedger}).
 */
final class InvariantChecker {

	/** Leeway for messages in flight and replies a member may still have been given. */
	private static final long SLACK_MILLIS = 1000;

	private final SimWorld world;

	private final GroupConfig config;

	private final Map<Long, String> leaders = new HashMap<>();

	private final Map<Long, NodeAddress> promotions = new HashMap<>();

	/** When an election made each node master, promoted or adopted. */
	private final Map<NodeAddress, List<Long>> electedMasterAt = new HashMap<>();

	/** Each member's stretches of SDOWN, per node, in order. */
	private final Map<String, Map<NodeAddress, List<Span>>> sdown = new HashMap<>();

	private final Map<String, Attempt> attempts = new HashMap<>();

	private final Set<String> tilted = new HashSet<>();

	/** Epochs of operators' elections: the quorum does not apply to them. */
	private final Set<Long> operatorEpochs = new HashSet<>();

	/** Epochs of operators' forced failovers, with the master each replaces. */
	private final Map<Long, NodeAddress> forcedFailovers = new HashMap<>();

	private final MajorityReach reach = new MajorityReach();

	/** The acknowledged writes, once {@link #checkWrites()} was called. */
	private WriteLedger writes;

	/**
	 * Switchover epochs: the master whose writes were paused, and the leader that paused
	 * them.
	 */
	private final Map<Long, NodeAddress> switchovers = new HashMap<>();

	private final Map<Long, String> switchoverLeaders = new HashMap<>();

	/**
	 * Switchover epochs: the leader's demotion of the old master (not a later repair of a
	 * stray node).
	 */
	private final Map<Long, Action.Replicate> demotions = new HashMap<>();

	/**
	 * Switchover epochs: the old master's offset when it was demoted, which the target
	 * must have.
	 */
	private final Map<Long, Long> demotedOffsets = new HashMap<>();

	/** When each switchover's promotion was sent. */
	private final Map<Action.Promote, Long> promotionsSentAt = new HashMap<>();

	private long promotionCount;

	private long switchoverCount;

	InvariantChecker(SimWorld world, GroupConfig config) {
		this.world = world;
		this.config = config;
	}

	/** How many promotions members sent. */
	long promotionCount() {
		return this.promotionCount;
	}

	/** How many switchovers promoted their target, every check passed. */
	long switchoverCount() {
		return this.switchoverCount;
	}

	/** The epochs in which a leader was elected. */
	Set<Long> electedEpochs() {
		return new TreeSet<>(this.leaders.keySet());
	}

	/**
	 * Whether the acknowledged writes are checked (strict schedules, and stories that
	 * ask).
	 */
	boolean checksWrites() {
		return this.writes != null;
	}

	/**
	 * Records every acknowledged write from now on, and fails when two masters take the
	 * majority's writes at once.
	 */
	void checkWrites() {
		this.writes = new WriteLedger(this.reach, this.forcedFailovers::get, this::electedMasterSince,
				(this.config.fencing().mode() == PartitionMode.CONSISTENT) ? this.config.fenceAfter().toMillis() : 0);
		observeReach();
	}

	/** Takes note of what the majority reaches: after every fault, and at every tick. */
	void observeReach() {
		if (this.writes != null) {
			this.reach.observe(this.world.now(), this.world.members(), this.world.network(), this.world.nodes());
			this.writes.observe(this.world.nodes());
		}
	}

	/** A client's write the node just acknowledged, following the route of the member. */
	void acknowledged(SimMember member, SimNode node) {
		if (this.writes != null) {
			String overlap = this.writes.acknowledged(member.id(), node, this.world.now());
			if (overlap != null) {
				throw this.world.failure(overlap, null);
			}
		}
	}

	/** The node is about to restart without its data. */
	void beforeDataLoss(SimNode node) {
		if (this.writes != null) {
			this.writes.beforeDataLoss(node, this.world.nodes());
		}
	}

	/**
	 * Every acknowledged write is in the final master's data, unless lost in the
	 * asynchronous-replication window or with the only node that had it.
	 * @return how many were written, and lost with an excuse
	 */
	WriteLedger.Verdict checkAcknowledgedWrites(NodeAddress finalMaster) {
		WriteLedger.Verdict verdict = this.writes.judge(this.world.node(finalMaster));
		if (verdict.violations() > 0) {
			throw this.world.failure(verdict.violations() + " of " + verdict.acknowledged()
					+ " acknowledged writes lost beyond the replication window; the first: " + verdict.firstViolation(),
					null);
		}
		return verdict;
	}

	void onAction(SimMember member, Action action) {
		if (action instanceof Action.Emit emit) {
			onEvent(member, emit.event());
		}
		else if (action instanceof Action.Promote promote) {
			if (this.switchovers.containsKey(promote.epoch())) {
				this.promotionsSentAt.putIfAbsent(promote, this.world.now());
			}
			onPromote(member, promote);
		}
		else if (action instanceof Action.Replicate replicate) {
			requireNotTilted(member, replicate);
			if (member.id().equals(this.switchoverLeaders.get(replicate.epoch()))
					&& replicate.node().equals(this.switchovers.get(replicate.epoch()))) {
				this.demotions.putIfAbsent(replicate.epoch(), replicate);
			}
		}
		else if (action instanceof Action.PauseWrites pause) {
			requireNotTilted(member, pause);
			this.switchovers.put(pause.epoch(), pause.node());
			this.switchoverLeaders.put(pause.epoch(), member.id());
		}
	}

	/**
	 * A command about to be carried out by a node (later than sent: the network delays
	 * it).
	 */
	void beforeExecution(Action.NodeCommand command, SimNode node) {
		// Writes may slip in after the pause expired: the promotion below must find them
		// all.
		if (command instanceof Action.Replicate replicate && node.isMaster()
				&& command == this.demotions.get(replicate.epoch())) {
			this.demotedOffsets.putIfAbsent(replicate.epoch(), node.offset());
		}
		else if (command instanceof Action.Promote promote && this.switchovers.containsKey(promote.epoch())
				&& (promote.runId() == null || promote.runId().equals(node.runId()))) {
			// (one for another process is refused: it promotes nothing)
			NodeAddress oldMaster = this.switchovers.get(promote.epoch());
			Long demoted = this.demotedOffsets.get(promote.epoch());
			if (demoted == null) {
				throw this.world.failure("switchover of epoch " + promote.epoch() + " promotes " + node + " before "
						+ oldMaster + " was demoted", null);
			}
			// A target that restarted from an older RDB after the promotion left runs it
			// all the same: no leader can tell in time; the write ledger judges what
			// follows.
			boolean restartedSince = node.startedAt() >= this.promotionsSentAt.getOrDefault(promote, Long.MAX_VALUE);
			if (node.offset() < demoted && !restartedSince) {
				throw this.world.failure("switchover of epoch " + promote.epoch() + " promotes " + node
						+ " without the writes up to offset " + demoted + " of " + oldMaster + ": they are lost", null);
			}
			SimNode old = this.world.node(oldMaster);
			// so does an old master restarted as master after the promotion left
			boolean oldRestartedSince = old.startedAt() >= this.promotionsSentAt.getOrDefault(promote, Long.MAX_VALUE);
			if (old.isMaster() && old.isRunning() && !oldRestartedSince) {
				throw this.world.failure("switchover of epoch " + promote.epoch() + " promotes " + node + " while "
						+ old + " is still a master", null);
			}
			if (node.isMaster()) {
				return;
			}
			this.switchoverCount++;
		}
	}

	/**
	 * A command a node carried out, with its reply: a configuration stored must be the
	 * only one of its epoch and version in any node's data (running or not: a node
	 * restarts with its data) and held by any live member. One that no data and no member
	 * holds any more is gone for good (an operator replacing dead voters may reuse its
	 * number without knowing of it).
	 */
	void afterExecution(Action.NodeCommand command, SimNode node, Reply reply) {
		if (command instanceof Action.StoreConfiguration store && reply instanceof Reply.Text text
				&& "1".equals(text.text())) {
			Configuration config = store.config();
			for (SimNode other : this.world.nodes()) {
				requireNoOther(config, other.storedConfiguration().config(), "stored on " + other);
			}
			for (SimMember member : this.world.members()) {
				if (member.isAlive()) {
					requireNoOther(config, member.protocol().configuration(), "held by " + member);
				}
			}
		}
	}

	private void requireNoOther(Configuration stored, Configuration other, String where) {
		if (other != null && other.epoch() == stored.epoch() && other.version() == stored.version()
				&& !other.equals(stored)) {
			throw this.world.failure("two configurations of epoch " + stored.epoch() + " version " + stored.version()
					+ ": " + stored + " just stored, and " + other + " " + where, null);
		}
	}

	private void onEvent(SimMember member, ProtocolEvent event) {
		long now = this.world.now();
		String id = member.id();
		switch (event.type()) {
			case SDOWN -> {
				List<Span> spans = this.sdown.computeIfAbsent(id, (key) -> new HashMap<>())
					.computeIfAbsent(event.node(), (node) -> new ArrayList<>());
				if (spans.isEmpty() || !spans.get(spans.size() - 1).open()) {
					spans.add(new Span(now, Long.MAX_VALUE));
				}
			}
			case SDOWN_CLEARED ->
				endOpenSpan(this.sdown.getOrDefault(id, Map.of()).getOrDefault(event.node(), List.of()), now);
			case TRY_FAILOVER -> {
				Attempt attempt = attempt(id, event.epoch(), now);
				attempt.failing.add(event.node());
				if (attempt.voters == null) {
					Configuration held = member.protocol().configuration();
					attempt.voters = (held != null) ? List.copyOf(held.voters()) : null;
				}
				if ("forced".equals(event.detail()) || "switchover".equals(event.detail())) {
					this.operatorEpochs.add(event.epoch());
				}
				if ("forced".equals(event.detail())) {
					this.forcedFailovers.put(event.epoch(), event.node());
				}
			}
			case ELECTED_LEADER -> {
				Attempt attempt = attempt(id, event.epoch(), now);
				attempt.failing.add(event.node());
				attempt.elected = true;
				String earlier = this.leaders.putIfAbsent(event.epoch(), id);
				if (earlier != null && !earlier.equals(id)) {
					throw this.world.failure("two leaders in epoch " + event.epoch() + ": " + earlier + " and " + id,
							null);
				}
			}
			case PROMOTED_REPLICA -> madeMaster(member, event.epoch(), event.node());
			case TILT -> this.tilted.add(id);
			case TILT_CLEARED -> this.tilted.remove(id);
			default -> {
			}
		}
	}

	private boolean electedMasterSince(NodeAddress node, long since) {
		return this.electedMasterAt.getOrDefault(node, List.of()).stream().anyMatch((at) -> at >= since);
	}

	private Attempt attempt(String id, long epoch, long now) {
		return this.attempts.computeIfAbsent(id + "@" + epoch, (key) -> new Attempt(now));
	}

	private void onPromote(SimMember member, Action.Promote promote) {
		requireNotTilted(member, promote);
		long now = this.world.now();
		madeMaster(member, promote.epoch(), promote.node());
		SimNode node = this.world.node(promote.node());
		if (node.priority() == 0) {
			throw this.world.failure(member + " promotes " + node + " whose replica-priority is 0", null);
		}
		long downFor = now - node.processChangedAt();
		if (!node.isRunning() && downFor > this.config.downAfter().toMillis() + SLACK_MILLIS) {
			throw this.world.failure(member + " promotes " + node + ", down for " + downFor + " ms", null);
		}
		Attempt attempt = this.attempts.get(member.id() + "@" + promote.epoch());
		if (attempt == null || !attempt.elected) {
			throw this.world.failure(member + " promotes " + node + " in epoch " + promote.epoch()
					+ " without having been elected leader of that epoch", null);
		}
		// ODOWN (docs/protocol.md "Objective failure"): when it stood, the candidate saw
		// the master down itself, and so did, by their latest hellos at most the opinion
		// validity old, enough other voters of the configuration it stood with (the one
		// its voters hold, whose majority elects it) to make the quorum with it. Each of
		// them entered SDOWN before it said so, hence before the attempt started, and was
		// still in it within the opinion validity (and slack for the hello's way) of that
		// start.
		long windowStart = attempt.startedAt - this.config.timing().opinionValidity().toMillis() - SLACK_MILLIS;
		for (NodeAddress master : this.operatorEpochs.contains(promote.epoch()) ? Set.<NodeAddress>of()
				: attempt.failing) {
			List<String> saw = new ArrayList<>();
			this.sdown.forEach((id, spans) -> {
				boolean voter = attempt.voters == null || attempt.voters.contains(id);
				if (voter && spans.getOrDefault(master, List.of())
					.stream()
					.anyMatch((span) -> span.since() <= attempt.startedAt && span.until() >= windowStart)) {
					saw.add(id);
				}
			});
			if (saw.size() < this.config.quorum()) {
				throw this.world.failure(member + " promotes " + node + " in epoch " + promote.epoch() + " but only "
						+ saw + " saw master " + master + " down from before its attempt at " + attempt.startedAt
						+ " ms and since " + windowStart + " ms (quorum " + this.config.quorum() + ", voters "
						+ attempt.voters + ")", null);
			}
		}
		this.promotionCount++;
	}

	/** A node promoted, or adopted as already promoted, in an epoch: one per epoch. */
	private void madeMaster(SimMember member, long epoch, NodeAddress node) {
		this.electedMasterAt.computeIfAbsent(node, (address) -> new ArrayList<>()).add(this.world.now());
		NodeAddress earlier = this.promotions.putIfAbsent(epoch, node);
		if (earlier != null && !earlier.equals(node)) {
			throw this.world.failure("two nodes made master in epoch " + epoch + ": " + earlier + " and " + node
					+ " (by " + member + ")", null);
		}
	}

	private void requireNotTilted(SimMember member, Action action) {
		if (this.tilted.contains(member.id())) {
			throw this.world.failure(member + " is in TILT but sends " + action, null);
		}
	}

	/**
	 * The member crashed or stopped: its SDOWN, if any, ends there (its last hellos may
	 * still arrive, as after it leaves SDOWN).
	 */
	void memberEnded(SimMember member) {
		long now = this.world.now();
		this.sdown.getOrDefault(member.id(), Map.of()).values().forEach((spans) -> endOpenSpan(spans, now));
	}

	private static void endOpenSpan(List<Span> spans, long now) {
		Span last = spans.isEmpty() ? null : spans.get(spans.size() - 1);
		if (last != null && last.open()) {
			spans.set(spans.size() - 1, new Span(last.since(), now));
		}
	}

	/**
	 * A member whose timer just jumped by more than the TILT threshold in force must be
	 * in TILT: the configured threshold, but at most half of down-after (docs/protocol.md
	 * "TILT"; {@code Timers.tiltThreshold}).
	 */
	void afterClockJump(SimMember member, long frozenMillis) {
		long threshold = Math.min(this.config.timing().tiltThreshold().toMillis(),
				this.config.downAfter().toMillis() / 2);
		if (frozenMillis > threshold) {
			GroupState state = member.protocol().snapshot(this.world.now()).state();
			if (state != GroupState.TILT) {
				throw this.world.failure(member + " was frozen " + frozenMillis + " ms but is " + state + ", not TILT",
						null);
			}
		}
	}

	/**
	 * Every live member agrees on one master; it is the only node with role master; every
	 * running replica follows it with its link up.
	 * @return that master
	 */
	NodeAddress checkConverged() {
		long now = this.world.now();
		Map<String, NodeAddress> believed = new HashMap<>();
		for (SimMember member : this.world.members()) {
			if (member.isAlive()) {
				GroupSnapshot.NodeSnapshot master = member.protocol().snapshot(now).master();
				believed.put(member.id(), (master != null) ? master.address() : null);
			}
		}
		Set<NodeAddress> named = new HashSet<>(believed.values());
		if (named.size() != 1 || named.contains(null)) {
			throw this.world.failure("members do not agree on one master after healing: " + believed, null);
		}
		NodeAddress master = named.iterator().next();
		for (SimNode node : this.world.nodes()) {
			if (!node.isRunning()) {
				continue;
			}
			boolean isTheMaster = node.address().equals(master);
			if (isTheMaster != node.isMaster()) {
				throw this.world.failure("members agree on master " + master + " but " + node
						+ (isTheMaster ? " is not a master" : " is a master too"), null);
			}
			if (!isTheMaster && (!master.equals(node.following()) || !node.linkUp())) {
				throw this.world.failure("replica " + node + " does not follow master " + master, null);
			}
		}
		return master;
	}

	/**
	 * One member's attempt at one epoch: when it started, the master(s) it said it was
	 * replacing (at the start and when elected, which must be the same), whether it won.
	 */
	private static final class Attempt {

		private final long startedAt;

		private final Set<NodeAddress> failing = new HashSet<>();

		/**
		 * The voters of the configuration the member held when it tried (the one its
		 * election is held with); null for a stand-in that holds none.
		 */
		private List<String> voters;

		private boolean elected;

		Attempt(long startedAt) {
			this.startedAt = startedAt;
		}

	}

	/** One stretch of time in which a member said a node was down. */
	private record Span(long since, long until) {

		boolean open() {
			return this.until == Long.MAX_VALUE;
		}

	}

}
