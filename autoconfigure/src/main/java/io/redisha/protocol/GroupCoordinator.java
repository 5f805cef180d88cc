package io.redisha.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

import io.redisha.protocol.GossipMessage.Goodbye;
import io.redisha.protocol.GossipMessage.Hello;
import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.ReplicationInfo.Role;

/**
 * One member's protocol for one group: failure detection, gossip, votes, epochs and failover
 * steps, as a deterministic state machine. It does no I/O and has no threads: it is fed time
 * ticks, node replies and gossip, and answers with the {@link Action actions} to carry out.
 * All times are milliseconds of one monotonic clock chosen by the caller. Not thread-safe:
 * the caller feeds it from one thread at a time.
 */
public final class GroupCoordinator {

	/** The pub/sub channel members gossip on, on every node of the group. */
	public static final String GOSSIP_CHANNEL = "__redis-ha__:gossip";

	private final GroupConfig config;

	private final MemberIdentity self;

	private final RandomGenerator random;

	private final Timers timers;

	private final NodeTracker nodes = new NodeTracker();

	private final MemberTable members;

	private final TiltGuard tilt;

	private final long quietUntil;

	private boolean started;

	private boolean stopped;

	private long sequence;

	private long lastHelloAt = -1;

	private NodeAddress master;

	private long configEpoch;

	private long currentEpoch;

	private boolean masterDown;

	private long rejectedMessages;

	private String lastRejection;

	/**
	 * @param config the group
	 * @param self this member
	 * @param nowMillis the current time
	 * @param random the source of election back-off jitter (seeded in simulations)
	 * @throws IllegalArgumentException when the group name or member id is too long to gossip
	 */
	public GroupCoordinator(GroupConfig config, MemberIdentity self, long nowMillis, RandomGenerator random) {
		this.config = Objects.requireNonNull(config, "config");
		this.self = Objects.requireNonNull(self, "self");
		this.random = Objects.requireNonNull(random, "random");
		requireGossipable("group name", config.name());
		requireGossipable("member id", self.id());
		this.timers = Timers.of(config);
		this.members = new MemberTable(self.id(), this.timers.memberExpiry());
		this.tilt = new TiltGuard(config.timing().tiltThreshold().toMillis(),
				config.timing().tiltDuration().toMillis(), nowMillis);
		this.quietUntil = nowMillis + this.timers.quietPeriod();
	}

	private static void requireGossipable(String what, String value) {
		if (value.isEmpty() || value.length() > GossipCodec.MAX_TEXT_LENGTH) {
			throw new IllegalArgumentException(what + " must have 1 to " + GossipCodec.MAX_TEXT_LENGTH
					+ " characters but has " + value.length());
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
			emit(out, Type.MEMBER_LEFT, null, "member " + expired + " not seen for " + this.timers.memberExpiry() + " ms");
		}
		evaluate(nowMillis, out);
		if (this.lastHelloAt < 0 || nowMillis - this.lastHelloAt >= this.timers.helloEvery()) {
			publishHello(nowMillis, out);
		}
		return out;
	}

	private long infoPeriod(NodeState node) {
		boolean urgent = node.role() == null || this.masterDown;
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
		}
		else if (command instanceof Action.QueryInfo) {
			node.infoAnswered(reply instanceof Reply.Info);
			if (reply instanceof Reply.Info info) {
				node.info(nowMillis, info.info());
				discover(nowMillis, node, out);
			}
		}
		evaluate(nowMillis, out);
		return out;
	}

	private static boolean isValidPingReply(String text) {
		return text != null && (text.startsWith("PONG") || text.startsWith("LOADING") || text.startsWith("MASTERDOWN"));
	}

	/** Follows the topology: a master's replicas, and a replica's master while no master is known. */
	private void discover(long now, NodeState node, List<Action> out) {
		ReplicationInfo info = node.info();
		if (info.role() == Role.MASTER && (this.master == null || node.address().equals(this.master))) {
			for (ReplicationInfo.ReplicaEntry replica : info.replicas()) {
				if (this.nodes.track(replica.address(), now, out) && this.master != null) {
					emit(out, Type.REPLICA_ADDED, replica.address(), null);
				}
			}
		}
		else if (info.role() == Role.REPLICA && this.master == null) {
			this.nodes.track(info.master(), now, out);
		}
	}

	/**
	 * A message from the gossip channel, as received on {@code via}. Malformed, oversized or
	 * foreign payloads are counted and ignored.
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
			reject(ex.getMessage() + " (received via " + via + ")");
			return out;
		}
		if (!message.group().equals(this.config.name())) {
			reject("message for group '" + message.group() + "' (received via " + via + ")");
			return out;
		}
		MemberTable.Receipt receipt = this.members.receive(message, nowMillis);
		if (receipt == MemberTable.Receipt.IGNORED) {
			return out;
		}
		if (receipt == MemberTable.Receipt.JOINED && !(message instanceof Goodbye)) {
			emit(out, Type.MEMBER_ADDED, null, "member " + message.sender());
		}
		if (message instanceof Goodbye) {
			this.members.depart(message.sender(), nowMillis);
			emit(out, Type.MEMBER_LEFT, null, "member " + message.sender() + " said goodbye");
		}
		else if (message instanceof Hello hello) {
			this.members.get(hello.sender()).hello(nowMillis, hello);
			observeEpoch(hello.currentEpoch(), out);
			adoptConfiguration(nowMillis, hello, out);
		}
		evaluate(nowMillis, out);
		return out;
	}

	private void reject(String reason) {
		this.rejectedMessages++;
		this.lastRejection = reason;
	}

	/** The member is stopping gracefully: say goodbye so peers stop counting it at once. */
	public List<Action> stop(long nowMillis) {
		List<Action> out = new ArrayList<>();
		if (!this.stopped) {
			this.stopped = true;
			publish(new Goodbye(this.config.name(), this.self.id(), ++this.sequence), out);
		}
		return out;
	}

	/** Why the last rejected gossip message was rejected; null when none was. */
	public String lastRejection() {
		return this.lastRejection;
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
				this.currentEpoch, this.master, this.configEpoch, this.masterDown));
		for (Peer peer : this.members.peers()) {
			memberSnapshots.add(peer.snapshot(nowMillis));
		}
		return new GroupSnapshot(this.config.name(), state(nowMillis), this.currentEpoch, this.configEpoch,
				this.config.quorum(), masterSnapshot, replicas, memberSnapshots, this.rejectedMessages, null);
	}

	private GroupState state(long now) {
		if (this.tilt.tilted(now)) {
			return GroupState.TILT;
		}
		if (this.master == null) {
			return GroupState.NO_MASTER;
		}
		return this.masterDown ? GroupState.SDOWN : GroupState.OK;
	}

	private void observeTime(long now, boolean tick, List<Action> out) {
		if (this.tilt.observe(now, tick)) {
			emit(out, Type.TILT, null, "timer gap or time going backwards");
		}
		else if (this.tilt.ended(now)) {
			emit(out, Type.TILT_CLEARED, null, null);
		}
	}

	private void observeEpoch(long epoch, List<Action> out) {
		if (epoch > this.currentEpoch) {
			this.currentEpoch = epoch;
			emit(out, Type.NEW_EPOCH, null, null);
		}
	}

	/** Adopts the master of the highest config epoch; at equal epochs the smaller address, so that all converge. */
	private void adoptConfiguration(long now, Hello hello, List<Action> out) {
		NodeAddress announced = hello.master();
		if (announced == null) {
			return;
		}
		if (this.master == null || hello.configEpoch() > this.configEpoch
				|| hello.configEpoch() == this.configEpoch && announced.compareTo(this.master) < 0) {
			this.configEpoch = hello.configEpoch();
			switchMaster(now, announced, out);
		}
	}

	private void switchMaster(long now, NodeAddress newMaster, List<Action> out) {
		NodeAddress old = this.master;
		if (newMaster.equals(old)) {
			return;
		}
		this.master = newMaster;
		this.masterDown = false;
		this.nodes.track(newMaster, now, out);
		out.add(new Action.Emit(new ProtocolEvent(Type.SWITCH_MASTER, this.config.name(), this.configEpoch, old,
				newMaster, null)));
		publishHello(now, out);
	}

	/** Re-derives what follows from the current knowledge: the master, its health. */
	private void evaluate(long now, List<Action> out) {
		this.nodes.poll(now, this.timers.pingEvery(), this::infoPeriod, out);
		if (this.master == null) {
			learnMasterFromNodes(now, out);
		}
		if (this.master == null) {
			return;
		}
		boolean down = !this.tilt.tilted(now) && seesMasterDown(now);
		if (down != this.masterDown) {
			this.masterDown = down;
			emit(out, down ? Type.SDOWN : Type.SDOWN_CLEARED, this.master, null);
			publishHello(now, out);
		}
	}

	/** No valid reply for down-after, or a master reporting itself a replica for that long. */
	private boolean seesMasterDown(long now) {
		NodeState node = this.nodes.get(this.master);
		long downAfter = this.timers.downAfter();
		if (node.status(now, downAfter) == NodeStatus.DOWN) {
			return true;
		}
		return node.role() == Role.REPLICA && now - node.roleSince() > downAfter;
	}

	/**
	 * While no configuration is known, takes the master from the nodes' own roles once every
	 * known node has answered INFO or failed to: the node answering master that most replicas
	 * follow with their link up (the smaller address on a tie, so that members agree).
	 */
	private void learnMasterFromNodes(long now, List<Action> out) {
		NodeState best = null;
		int bestFollowers = -1;
		for (NodeState node : this.nodes.all()) {
			if (node.info() == null && !node.infoFailed()) {
				return;
			}
			if (node.role() == Role.MASTER) {
				int followers = followers(node.address());
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
		publish(new Hello(this.config.name(), this.self.id(), ++this.sequence, this.self.application(),
				this.currentEpoch, this.master, this.configEpoch, this.masterDown, 0), out);
	}

	private void publish(GossipMessage message, List<Action> out) {
		out.add(new Action.Publish(GOSSIP_CHANNEL, GossipCodec.encode(message)));
	}

	private void emit(List<Action> out, Type type, NodeAddress node, String detail) {
		out.add(new Action.Emit(new ProtocolEvent(type, this.config.name(), this.currentEpoch, node, this.master, detail)));
	}

}
