package io.redisha.member;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

import io.redisha.actuate.RedisHaEndpoint;
import io.redisha.actuate.RedisHaHealthIndicator;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.MinReplicas;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.PartitionMode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Starts {@link RedisHaMember members} of one group against real Redis with short timers
 * (down-after 1 s) and stops them after each test.
 */
final class Members implements AutoCloseable {

	static final String GROUP = "member-test";

	static final Duration DOWN_AFTER = Duration.ofSeconds(1);

	static final Duration HELLO_PERIOD = Duration.ofSeconds(1);

	static final Duration QUIET_PERIOD = Duration.ofSeconds(1);

	/**
	 * How long a test waits for an outcome before it gives up: an upper bound on
	 * "eventually" that a busy machine does not reach, never a speed claim (the
	 * benchmarks measure speed).
	 */
	static final Duration EVENTUALLY = Duration.ofSeconds(60);

	private final List<RedisHaMember> started = new ArrayList<>();

	private PartitionMode partitionMode = PartitionMode.CONSISTENT;

	/** Members started from now on run in this partition mode (consistent by default). */
	Members partitionMode(PartitionMode mode) {
		this.partitionMode = mode;
		return this;
	}

	static NodeAddress address(RedisServerProcess server) {
		return new NodeAddress(server.host(), server.port());
	}

	/**
	 * Short timings; TILT lasts 3 s rather than 30: on a busy machine a timer gap puts a
	 * member in TILT, and the tests wait for it to be OK again.
	 */
	static GroupConfig config(int quorum, List<NodeAddress> seeds) {
		GroupConfig.Timing defaults = GroupConfig.Timing.defaults();
		GroupConfig.Timing timing = new GroupConfig.Timing(Duration.ofMillis(250), Duration.ofSeconds(1), HELLO_PERIOD,
				defaults.opinionValidity(), defaults.memberExpiry(), QUIET_PERIOD, defaults.tiltThreshold(),
				Duration.ofSeconds(3), Duration.ofSeconds(1));
		return new GroupConfig(GROUP, seeds, quorum, DOWN_AFTER, Duration.ofSeconds(10), 1, timing);
	}

	/** Starts a member with these seeds, quorum 1, no password. */
	RedisHaMember start(RedisServerProcess... seeds) {
		return start(1, null, null, UnaryOperator.identity(), seeds);
	}

	/** Starts a member with these seeds and this quorum, no password. */
	RedisHaMember start(int quorum, RedisServerProcess... seeds) {
		return start(quorum, null, null, UnaryOperator.identity(), seeds);
	}

	RedisHaMember start(int quorum, String username, String password, UnaryOperator<NodeAddress> connectVia,
			RedisServerProcess... seeds) {
		return start(quorum, username, password, Duration.ofSeconds(1), connectVia, seeds);
	}

	/**
	 * Starts a member that reaches nodes through {@code connectVia}, with this command
	 * timeout.
	 */
	RedisHaMember start(int quorum, Duration commandTimeout, UnaryOperator<NodeAddress> connectVia,
			RedisServerProcess... seeds) {
		return start(quorum, null, null, commandTimeout, connectVia, seeds);
	}

	/**
	 * Starts a member with these seeds, quorum 1, no password, whose group manages the
	 * master-side fence.
	 */
	RedisHaMember start(MinReplicas minReplicas, RedisServerProcess... seeds) {
		GroupConfig config = config(1, addresses(seeds)).withMinReplicas(minReplicas);
		return start(new GroupSettings(config, null, null, Duration.ofSeconds(1), TestGossip.SEAL),
				UnaryOperator.identity());
	}

	/**
	 * Starts a member with these seeds and this quorum, in a group of at most
	 * {@code voters} voters.
	 */
	RedisHaMember startWithVoters(int voters, int quorum, RedisServerProcess... seeds) {
		GroupConfig base = config(quorum, addresses(seeds));
		GroupConfig config = new GroupConfig(GROUP, base.seeds(), quorum, base.downAfter(), base.failoverTimeout(),
				base.parallelSyncs(), base.timing(), base.historySize(), voters);
		return start(new GroupSettings(config, null, null, Duration.ofSeconds(1), TestGossip.SEAL),
				UnaryOperator.identity());
	}

	private RedisHaMember start(int quorum, String username, String password, Duration commandTimeout,
			UnaryOperator<NodeAddress> connectVia, RedisServerProcess... seeds) {
		GroupSettings settings = new GroupSettings(config(quorum, addresses(seeds)), username, password, commandTimeout,
				TestGossip.SEAL);
		return start(settings, connectVia);
	}

	private static List<NodeAddress> addresses(RedisServerProcess... seeds) {
		return List.of(seeds).stream().map(Members::address).toList();
	}

	private RedisHaMember start(GroupSettings settings, UnaryOperator<NodeAddress> connectVia) {
		GroupConfig config = settings.config();
		GroupSettings inMode = new GroupSettings(
				config.withFencing(new GroupConfig.Fencing(this.partitionMode, config.fencing().fenceAfter())),
				settings.username(), settings.password(), settings.commandTimeout(), settings.gossipSeal(),
				settings.tls());
		RedisHaMember member = new RedisHaMember(
				new MemberIdentity("member-" + UUID.randomUUID().toString().substring(0, 8), "test-app"),
				List.of(inMode), connectVia);
		this.started.add(member);
		member.start();
		return member;
	}

	static GroupSnapshot snapshot(RedisHaMember member) {
		return member.snapshot(GROUP);
	}

	/**
	 * Asserts that the member, its endpoint and its health show a problem of the node
	 * containing {@code problem}.
	 */
	static void assertNodeProblem(RedisHaMember member, RedisServerProcess node, String problem) {
		assertThat(member.connectionProblems(GROUP)).hasEntrySatisfying(address(node),
				(reason) -> assertThat(reason).contains(problem));
		assertThat(new RedisHaEndpoint(member).group(GROUP).connectionProblems()).hasEntrySatisfying(node.address(),
				(reason) -> assertThat(reason).contains(problem));
		assertThat(new RedisHaHealthIndicator(member).health(true).getDetails().get(GROUP)).isInstanceOfSatisfying(
				RedisHaHealthIndicator.GroupHealth.class, (group) -> assertThat(group.nodeProblems())
					.hasEntrySatisfying(node.address(), (reason) -> assertThat(reason).contains(problem)));
	}

	/**
	 * Waits until every member holds a committed configuration whose voters are all of
	 * them (up to the group's target): only then can a failover the test provokes be
	 * elected.
	 */
	static void awaitElectorate(List<RedisHaMember> members) {
		await("every member is a voter of a committed configuration").atMost(EVENTUALLY).untilAsserted(() -> {
			for (RedisHaMember member : members) {
				GroupSnapshot snapshot = snapshot(member);
				assertThat(snapshot).isNotNull();
				assertThat(snapshot.electorate()).as("electorate of %s", member.identity().id()).isNotNull();
				assertThat(snapshot.electorate().committed()).isTrue();
				assertThat(snapshot.electorate().voters())
					.hasSize(Math.min(members.size(), snapshot.electorate().target()));
			}
		});
	}

	static List<String> memberIds(RedisHaMember member) {
		GroupSnapshot snapshot = snapshot(member);
		return (snapshot != null) ? snapshot.members().stream().map(GroupSnapshot.MemberSnapshot::id).toList()
				: List.of();
	}

	@Override
	public void close() {
		this.started.forEach(RedisHaMember::stop);
		this.started.clear();
	}

}
