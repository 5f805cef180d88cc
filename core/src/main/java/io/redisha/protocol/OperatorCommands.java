package io.redisha.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.ProtocolEvent.Type;
import io.redisha.protocol.ReplicationInfo.Role;

/**
 * The operator's commands (see {@link GroupCoordinator}): each answered with what it did,
 * or why it was refused.
 */
final class OperatorCommands {

	private final CoordinatorParts parts;

	OperatorCommands(CoordinatorParts parts) {
		this.parts = parts;
	}

	CommandOutcome forgetMember(long now, String memberId) {
		List<Action> out = new ArrayList<>();
		String group = this.parts.config.name();
		if (this.parts.self.id().equals(memberId)) {
			return CommandOutcome.refused(CommandOutcome.Status.REFUSED,
					"member " + memberId + " is this member: stop the application instead", out);
		}
		if (!this.parts.members.forget(memberId, now)) {
			return CommandOutcome.refused(CommandOutcome.Status.REFUSED, "no member " + memberId + " in group " + group,
					out);
		}
		this.parts.emit(out, Type.MEMBER_LEFT, null, "member " + memberId + " forgotten by an operator");
		return CommandOutcome.done("member " + memberId + " forgotten", out);
	}

	CommandOutcome forgetNode(NodeAddress node) {
		List<Action> out = new ArrayList<>();
		String group = this.parts.config.name();
		if (node.equals(this.parts.master.address())) {
			return CommandOutcome.refused(CommandOutcome.Status.REFUSED,
					node + " is the master of group " + group + ": switch over first", out);
		}
		if (this.parts.failovers.running()) {
			return CommandOutcome.refused(CommandOutcome.Status.CONFLICT,
					"a failover is in progress (epoch " + this.parts.failovers.epoch() + ")", out);
		}
		if (!this.parts.nodes.forget(node, out)) {
			return CommandOutcome.refused(CommandOutcome.Status.REFUSED, "no node " + node + " in group " + group, out);
		}
		return CommandOutcome.done("node " + node + " forgotten", out);
	}

	/** A forced failover or a switchover: this member stands at once, if it may. */
	CommandOutcome startElection(long now, GroupSnapshot.Trigger trigger, @Nullable NodeAddress target,
			long handOverTimeout) {
		CoordinatorParts parts = this.parts;
		List<Action> out = new ArrayList<>();
		parts.detection.observeTime(now, false, out);
		String refusal = refusal(now, trigger, target);
		if (refusal != null) {
			boolean busy = parts.failovers.running() || parts.elections.running()
					|| parts.elections.peerLeadsFailover(now);
			return CommandOutcome.refused(busy ? CommandOutcome.Status.CONFLICT : CommandOutcome.Status.REFUSED,
					refusal, out);
		}
		long epoch = parts.elections.standForOperator(now, trigger, target, handOverTimeout, out);
		return new CommandOutcome(CommandOutcome.Status.STARTED, trigger.name().toLowerCase(Locale.ROOT) + " of group "
				+ parts.config.name() + " started in epoch " + epoch, epoch, out);
	}

	/** Why an operator's failover or switchover cannot start now; null when it can. */
	private @Nullable String refusal(long now, GroupSnapshot.Trigger trigger, @Nullable NodeAddress target) {
		CoordinatorParts parts = this.parts;
		String group = parts.config.name();
		NodeAddress master = parts.master.address();
		if (parts.failovers.running() || parts.elections.running()) {
			return "a failover is in progress (epoch "
					+ (parts.failovers.running() ? parts.failovers.epoch() : parts.elections.epoch()) + ")";
		}
		if (parts.elections.peerLeadsFailover(now)) {
			return "another member is failing over";
		}
		if (master == null) {
			return "no master is known yet";
		}
		if (!parts.electorate.selfVotes()) {
			return "this member is not a voter of group " + group + ": ask one of "
					+ ((parts.electorate.config() != null) ? parts.electorate.config().voters()
							: "the voters, once elected");
		}
		if (parts.upkeep.changing()) {
			return "this member is changing the voters (epoch " + parts.upkeep.changeEpoch()
					+ "): try again in a moment";
		}
		if (parts.quiet(now) || parts.tilt.tilted(now)) {
			return "this member is " + (parts.quiet(now) ? "starting up" : "in TILT") + ": try again in a few seconds";
		}
		NodeState masterNode = parts.nodes.get(master);
		if (target != null && parts.nodes.get(target) == null) {
			return "no node " + target + " in group " + group;
		}
		if (trigger == GroupSnapshot.Trigger.SWITCHOVER) {
			if (parts.detection.statusOf(Objects.requireNonNull(masterNode), now) != NodeStatus.UP
					|| masterNode.info() == null) {
				return "the master " + master + " does not answer: a switchover needs it, force a failover instead";
			}
			if (!pausesWrites(masterNode.info().version())) {
				return "the master runs Redis " + masterNode.info().version()
						+ ", a switchover needs Redis 6.2 or later (CLIENT PAUSE WRITE): force a failover instead";
			}
		}
		Election probe = new Election(parts.self.id(), parts.epochs.current() + 1,
				Objects.requireNonNull(parts.electorate.config()), now, trigger, target, null);
		boolean masterAnswers = masterNode != null && parts.detection.statusOf(masterNode, now) == NodeStatus.UP;
		if (!parts.selector.wouldChoose(probe, parts.nodes, parts.master, masterAnswers, now)) {
			return (target != null) ? target + " is not an eligible replica: it must be up, replicate from " + master
					+ " with its link up, hold its data, and have a non-zero replica-priority; in"
					+ " consistent partition mode a forced failover refuses a replica still streaming from a live"
					+ " master, whose writes it would lose: use a switchover"
					: "no eligible replica: each is down, disconnected from the master, without its data, has"
							+ " replica-priority 0, or (consistent partition mode) is still streaming from a live master,"
							+ " whose writes a forced failover would lose: use a switchover";
		}
		return null;
	}

	/**
	 * Whether a server of this version (from INFO) has {@code CLIENT PAUSE WRITE} and
	 * {@code CLIENT UNPAUSE} (6.2+).
	 */
	static boolean pausesWrites(String version) {
		return RedisVersion.atLeast(version, 6, 2);
	}

	/**
	 * How far above both the newest epoch it knows and its host's clock a replacement of
	 * the voters founds its electorate: one hour. The crashed voters may have made a
	 * configuration nobody alive has heard of yet (a live observer may hold it, its
	 * hellos being rare), in an election just above the epoch of a member started since
	 * this one last heard from them; a member's epochs start at its host's wall clock, so
	 * that configuration's epoch is about the wall clock of the hour, not a few above the
	 * newest known. Sharing its number, the two would look the same to every member (see
	 * docs/protocol.md). Clear of it while the hosts' clocks are less than an hour apart.
	 */
	static final long REPLACEMENT_EPOCH_GAP = 3_600_000;

	/** See {@link GroupCoordinator#replaceVoters}. */
	CommandOutcome replaceVoters(long now) {
		CoordinatorParts parts = this.parts;
		List<Action> out = new ArrayList<>();
		Configuration held = parts.electorate.config();
		NodeAddress master = parts.master.address();
		NodeState node = (master != null) ? parts.nodes.get(master) : null;
		if (held == null) {
			return CommandOutcome.refused(CommandOutcome.Status.REFUSED,
					"no configuration is known yet: the group founds its electorate by itself", out);
		}
		if (parts.upkeep.hearsMajorityOfVotersHolding(now)) {
			return CommandOutcome.refused(CommandOutcome.Status.REFUSED,
					"a majority of the voters " + held.voters() + " answers: nothing to replace", out);
		}
		if (node != null && node.role() == Role.MASTER && node.holdsNoneOfTheDataOf(held)) {
			return CommandOutcome.refused(CommandOutcome.Status.REFUSED, "the master " + master
					+ " answers with none of the group's data (no configuration " + held.epoch() + "." + held.version()
					+ " or later in its data, replication offset 0): it restarted without its data, and founding the"
					+ " new electorate on it would make every node that still has the data resync to it; bring back"
					+ " the data, or tell an instance that follows a master holding it", out);
		}
		long above = Math.max(parts.epochs.current(), parts.epochs.startClock(now));
		Configuration founding = Configuration.founding(above + REPLACEMENT_EPOCH_GAP, parts.master.required(),
				parts.self.id());
		if (node != null && parts.detection.statusOf(node, now) == NodeStatus.UP && node.role() == Role.MASTER) {
			// Only on the process whose INFO the check above read: one restarted since,
			// empty, refuses it.
			out.add(new Action.StoreConfiguration(founding.master(), founding, Action.StoreCondition.NOT_NEWER, held,
					node.answeredInfo().runId()));
		}
		else {
			// No master to record it on: the operator's word alone; it is stored once a
			// master answers.
			parts.following.founded(now, founding, out);
		}
		return CommandOutcome.done(
				"asked the master to record member " + parts.self.id() + " as the one voter of group "
						+ parts.config.name() + " in place of " + held.voters() + "; the live members are added next",
				out);
	}

}
