package io.redisha.actuate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.GroupSnapshot.MemberSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeSnapshot;
import io.redisha.protocol.NodeAddress;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * {@link Endpoint @Endpoint} that shows what this member sees of its redis-ha groups:
 * topology, members, epochs and the last failover. Its id has no dash (Spring Boot warns
 * about dashes in ids); it is mapped to the path {@value #PATH}, and since ids are
 * compared ignoring dashes, {@code management.endpoints.web.exposure.include=redis-ha}
 * and {@code management.endpoint.redis-ha.access} apply to it as written.
 */
@Endpoint(id = RedisHaEndpoint.ID, defaultAccess = Access.READ_ONLY)
public class RedisHaEndpoint {

	/** The endpoint's id. */
	public static final String ID = "redisha";

	/** The path the endpoint is mapped to, under the actuator's base path. */
	public static final String PATH = "redis-ha";

	/** The endpoint's id as Spring Boot's path mappers receive it. */
	public static final EndpointId ENDPOINT_ID = EndpointId.of(ID);

	private final RedisHaMember member;

	private final RedisHaOperations operations;

	public RedisHaEndpoint(RedisHaMember member) {
		this.member = member;
		this.operations = new RedisHaOperations(member);
	}

	/**
	 * An operator command on one group, {@code POST
	 * /actuator/redis-ha/{group}/{operation}} with a JSON body: {@code pause},
	 * {@code resume}, {@code failover} (forced), {@code switchover} (optional
	 * {@code target} host:port and {@code timeoutMs} to catch up), {@code forget}
	 * ({@code member} id or {@code node} host:port), {@code replace-voters} (the silent
	 * voters are dead: this member founds a new electorate). Only available with
	 * {@code management.endpoint.redis-ha.access=unrestricted}.
	 * @param group the group's name
	 * @param operation the command
	 * @param member for forget: the member to drop
	 * @param node for forget: the node to drop, host:port
	 * @param target for switchover: the replica to promote, host:port
	 * @param timeoutMs for switchover: how long the master may wait for the target to
	 * catch up
	 * @return what happened, with an HTTP status saying whether it was done
	 */
	@WriteOperation
	public WebEndpointResponse<RedisHaOperations.OperationResult> operate(@Selector String group,
			@Selector String operation, @Nullable String member, @Nullable String node, @Nullable String target,
			@Nullable Long timeoutMs) {
		return this.operations.run(group, operation, member, node, target, timeoutMs);
	}

	/**
	 * This member and every group it belongs to.
	 * @return the description
	 */
	@ReadOperation
	public RedisHaDescriptor redisHa() {
		Map<String, GroupSnapshot> snapshots = this.member.snapshots();
		Map<String, GroupDescriptor> groups = new LinkedHashMap<>();
		snapshots.forEach((name, snapshot) -> groups.put(name, describe(snapshot)));
		long epoch = snapshots.values().stream().mapToLong(GroupSnapshot::currentEpoch).max().orElse(0);
		MemberDescriptor self = new MemberDescriptor(this.member.identity().id(), this.member.identity().application(),
				epoch);
		return new RedisHaDescriptor(self, groups);
	}

	/**
	 * One group.
	 * @param group the group's name
	 * @return the description, or {@code null} (HTTP 404) when there is no such group
	 */
	@ReadOperation
	public @Nullable GroupDescriptor group(@Selector String group) {
		GroupSnapshot snapshot = this.member.snapshot(group);
		return (snapshot != null) ? describe(snapshot) : null;
	}

	private GroupDescriptor describe(GroupSnapshot snapshot) {
		NodeSnapshot master = snapshot.master();
		Map<String, String> connectionProblems = new TreeMap<>();
		this.member.connectionProblems(snapshot.name())
			.forEach((node, problem) -> connectionProblems.put(node.toString(), problem));
		return new GroupDescriptor(snapshot.state().name(), snapshot.currentEpoch(), snapshot.configEpoch(),
				snapshot.quorum(), (master != null) ? MasterDescriptor.of(master) : null,
				snapshot.replicas().stream().map(ReplicaDescriptor::of).toList(),
				snapshot.members().stream().map(GroupMemberDescriptor::of).toList(), snapshot.rejectedMessages(),
				rejections(snapshot.rejections()), snapshot.rejections().last(), connectionProblems,
				(snapshot.lastFailover() != null) ? describe(snapshot.lastFailover()) : null,
				snapshot.history().stream().map(this::describe).toList(),
				(snapshot.quorumCheck() != null) ? QuorumDescriptor.of(snapshot.quorumCheck()) : null,
				(snapshot.pause() != null)
						? new PauseDescriptor(snapshot.pause().by(), wallClock(snapshot.pause().sinceMs())) : null,
				snapshot.startingUp(),
				(snapshot.electorate() != null) ? ElectorateDescriptor.of(snapshot.electorate()) : null,
				describe(snapshot.name(), snapshot.fence()));
	}

	private static Map<String, Long> rejections(GroupSnapshot.RejectionsSnapshot rejections) {
		Map<String, Long> byReason = new TreeMap<>();
		rejections.byReason().forEach((reason, count) -> byReason.put(reason.tag(), count));
		return byReason;
	}

	private FenceDescriptor describe(String group, GroupSnapshot.FenceSnapshot fence) {
		return new FenceDescriptor(fence.mode().name().toLowerCase(Locale.ROOT), fence.fenced(), fence.reason(),
				(fence.sinceMs() >= 0) ? wallClock(fence.sinceMs()) : null, fence.votersWithMaster(),
				fence.votersNeeded(), fence.replicasAttached(), this.member.refusedWrites(group),
				this.member.unconfirmedWrites(group));
	}

	private FailoverDescriptor describe(FailoverSnapshot failover) {
		boolean ended = failover.endedAtMs() >= 0;
		List<FailoverSnapshot.Step> steps = failover.steps();
		List<StepDescriptor> stepDescriptors = new ArrayList<>();
		for (int i = 0; i < steps.size(); i++) {
			FailoverSnapshot.Step step = steps.get(i);
			@Nullable Long duration = (i + 1 < steps.size()) ? steps.get(i + 1).atMs() - step.atMs() : null;
			stepDescriptors.add(new StepDescriptor(step.name(), step.atMs(), duration));
		}
		return new FailoverDescriptor(failover.epoch(), failover.trigger().name().toLowerCase(Locale.ROOT),
				failover.leader(), address(failover.oldMaster()), address(failover.newMaster()),
				wallClock(failover.startedAtMs()), ended ? wallClock(failover.endedAtMs()) : null,
				ended ? failover.endedAtMs() - failover.startedAtMs() : null, failover.result(),
				(failover.writesAtRiskBytes() >= 0) ? failover.writesAtRiskBytes() : null, stepDescriptors);
	}

	private String wallClock(long monotonicMillis) {
		return Instant.ofEpochMilli(this.member.toEpochMillis(monotonicMillis)).toString();
	}

	private static @Nullable String address(@Nullable NodeAddress address) {
		return (address != null) ? address.toString() : null;
	}

	private static String statusOf(NodeSnapshot node) {
		return node.status().name().toLowerCase(Locale.ROOT);
	}

	/**
	 * Everything the endpoint shows.
	 *
	 * @param member this member
	 * @param groups its groups by name
	 */
	public record RedisHaDescriptor(MemberDescriptor member,
			Map<String, GroupDescriptor> groups) implements OperationResponseBody {
	}

	/**
	 * This member.
	 *
	 * @param id its id, new at every start
	 * @param application its application name
	 * @param epoch the highest epoch it knows of in any group
	 */
	public record MemberDescriptor(String id, String application, long epoch) {
	}

	/**
	 * One group as this member sees it.
	 *
	 * @param state its state ({@code OK}, {@code SDOWN}, {@code ODOWN}, {@code FAILOVER},
	 * {@code TILT}, {@code NO_MASTER})
	 * @param currentEpoch the highest epoch this member knows of in the group
	 * @param configEpoch the epoch of the master address this member follows
	 * @param quorum the configured quorum
	 * @param master the master, when one is known
	 * @param replicas the master's replicas
	 * @param members every member known, this one included
	 * @param rejectedMessages gossip messages ignored: unsigned, forged, replayed,
	 * malformed, oversized, foreign, dropped, or from one member too many
	 * @param rejections the same by reason ({@code bad-signature}, {@code stale},
	 * {@code member-table-full}...); reasons never seen are absent
	 * @param lastRejection why the last of them was ignored
	 * @param connectionProblems the nodes this member cannot use, by address, with the
	 * reason
	 * @param lastFailover the last failover
	 * @param history the last failovers and switchovers, newest first
	 * @param quorumCheck whether quorum and an election majority are reachable now; null
	 * when unknown
	 * @param pause who paused automatic failover and since when; null when not paused
	 * @param startingUp whether this member is still in its start-up quiet period (no
	 * vote, no failover, operator commands refused)
	 * @param electorate who elects; null before this member holds a configuration
	 * @param fence whether this member lets the application write, and why
	 */
	public record GroupDescriptor(String state, long currentEpoch, long configEpoch, int quorum,
			@Nullable MasterDescriptor master, List<ReplicaDescriptor> replicas, List<GroupMemberDescriptor> members,
			long rejectedMessages, Map<String, Long> rejections, @Nullable String lastRejection,
			Map<String, String> connectionProblems, @Nullable FailoverDescriptor lastFailover,
			List<FailoverDescriptor> history, @Nullable QuorumDescriptor quorumCheck, @Nullable PauseDescriptor pause,
			boolean startingUp, @Nullable ElectorateDescriptor electorate,
			FenceDescriptor fence) implements OperationResponseBody {
	}

	/**
	 * The partition fence: whether this member lets its application write.
	 *
	 * @param mode {@code consistent} or {@code available}
	 * @param fenced whether the application's writes are refused
	 * @param reason why writes are admitted or refused
	 * @param since when the fence began (ISO-8601); null when not fenced
	 * @param votersWithMaster the voters, this member included, known to reach the master
	 * @param votersNeeded how many of them admit writes
	 * @param replicasAttached whether every replica was last seen streaming from the
	 * master
	 * @param writesRefused how many application writes the fence refused since this
	 * member started
	 * @param writesUnconfirmed how many application writes failed as unconfirmed since
	 * this member started: their reply came after it stopped admitting writes to their
	 * master
	 */
	public record FenceDescriptor(String mode, boolean fenced, String reason, @Nullable String since,
			int votersWithMaster, int votersNeeded, boolean replicasAttached, long writesRefused,
			long writesUnconfirmed) {
	}

	/**
	 * Who elects: the voters of the configuration this member holds.
	 *
	 * @param configVersion the configuration's number within its config epoch
	 * @param voters the voters' member ids
	 * @param departed the voters known to have stopped for good that no longer count
	 * (replaced next); a voter that stopped holding a configuration later than this one
	 * still counts, as a crashed voter does, and is not listed
	 * @param selfVotes whether this member is a voter (else it observes)
	 * @param committed whether a majority of the voters hold this configuration
	 * @param target how many voters the group wants
	 */
	public record ElectorateDescriptor(int configVersion, List<String> voters, List<String> departed, boolean selfVotes,
			boolean committed, int target) {

		static ElectorateDescriptor of(GroupSnapshot.ElectorateSnapshot electorate) {
			return new ElectorateDescriptor(electorate.configVersion(), electorate.voters(), electorate.departed(),
					electorate.selfVotes(), electorate.committed(), electorate.target());
		}

	}

	/**
	 * Automatic failover is paused (maintenance mode).
	 *
	 * @param by the member that paused it
	 * @param since when this member learned of it (ISO-8601)
	 */
	public record PauseDescriptor(String by, String since) {
	}

	/**
	 * Sentinel's {@code CKQUORUM} answer.
	 *
	 * @param reachableMembers this member plus the members heard from recently
	 * @param voters the members that count in an election
	 * @param quorum the configured quorum
	 * @param electionNeeded the votes a leader needs
	 * @param quorumReachable whether the reachable members reach the quorum
	 * @param electionReachable whether the reachable members can elect a leader
	 */
	public record QuorumDescriptor(int reachableMembers, int voters, int quorum, int electionNeeded,
			boolean quorumReachable, boolean electionReachable) {

		static QuorumDescriptor of(GroupSnapshot.QuorumCheck check) {
			return new QuorumDescriptor(check.reachableMembers(), check.voters(), check.quorum(),
					check.electionNeeded(), check.quorumReachable(), check.electionReachable());
		}

	}

	/**
	 * The master of a group.
	 *
	 * @param address host:port
	 * @param status {@code up}, {@code down} or {@code unknown}
	 * @param runId its run id
	 * @param offset its replication offset
	 * @param lastReplyAgeMs time since its last valid reply (PING or INFO), or for an
	 * observer since it last passed gossip on if that is later; -1 when never
	 */
	public record MasterDescriptor(String address, String status, String runId, long offset, long lastReplyAgeMs) {

		static MasterDescriptor of(NodeSnapshot node) {
			return new MasterDescriptor(node.address().toString(), statusOf(node), node.runId(), node.offset(),
					node.lastReplyAgeMs());
		}

	}

	/**
	 * A replica of the master.
	 *
	 * @param address host:port
	 * @param status {@code up}, {@code down} or {@code unknown}
	 * @param offset its replication offset
	 * @param lag bytes behind the master; -1 when unknown
	 * @param linkStatus its link to the master it follows: {@code up} or {@code down}
	 * @param following host:port of the master its INFO names (not the group's master
	 * while it is being repointed); null when it answers as a master
	 * @param priority its replica-priority
	 * @param runId its run id
	 * @param lastReplyAgeMs time since its last valid reply (PING or INFO), or for an
	 * observer since it last passed gossip on if that is later; -1 when never
	 */
	public record ReplicaDescriptor(String address, String status, long offset, long lag, @Nullable String linkStatus,
			@Nullable String following, int priority, String runId, long lastReplyAgeMs) {

		static ReplicaDescriptor of(NodeSnapshot node) {
			return new ReplicaDescriptor(node.address().toString(), statusOf(node), node.offset(), node.lag(),
					node.linkStatus(), (node.following() != null) ? node.following().toString() : null, node.priority(),
					node.runId(), node.lastReplyAgeMs());
		}

	}

	/**
	 * A member of a group.
	 *
	 * @param id its id
	 * @param application its application name
	 * @param self whether it is this member
	 * @param lastSeenMs time since its last message; 0 for this member
	 * @param epoch its current epoch
	 * @param master the master it believes in
	 * @param configEpoch its config epoch
	 * @param seesMasterDown whether it says the master is down
	 */
	public record GroupMemberDescriptor(String id, String application, boolean self, long lastSeenMs, long epoch,
			@Nullable String master, long configEpoch, boolean seesMasterDown) {

		static GroupMemberDescriptor of(MemberSnapshot member) {
			return new GroupMemberDescriptor(member.id(), member.application(), member.self(), member.lastSeenMs(),
					member.epoch(), address(member.master()), member.configEpoch(), member.seesMasterDown());
		}

	}

	/**
	 * A failover or switchover, finished or not.
	 *
	 * @param epoch its epoch
	 * @param trigger {@code automatic}, {@code forced}, {@code switchover}, or
	 * {@code observed} when learned from another member's announcement
	 * @param leader the member that led it
	 * @param oldMaster the master it replaced
	 * @param newMaster the promoted replica; null before one was selected
	 * @param startedAt when it started (ISO-8601)
	 * @param endedAt when it ended (ISO-8601); null while under way
	 * @param durationMs how long it took; null while under way
	 * @param result {@code in-progress}, {@code succeeded} or why it was aborted
	 * @param writesAtRiskBytes the old master's last known replication offset minus the
	 * promoted replica's at selection: an estimate of acknowledged writes lost; null when
	 * unknown
	 * @param steps its steps
	 */
	public record FailoverDescriptor(long epoch, String trigger, String leader, @Nullable String oldMaster,
			@Nullable String newMaster, String startedAt, @Nullable String endedAt, @Nullable Long durationMs,
			String result, @Nullable Long writesAtRiskBytes, List<StepDescriptor> steps) {
	}

	/**
	 * One step of a failover.
	 *
	 * @param name the step
	 * @param atMs when it started, in milliseconds since the failover started
	 * @param durationMs how long until the next step; null for the last one
	 */
	public record StepDescriptor(String name, long atMs, @Nullable Long durationMs) {
	}

}
