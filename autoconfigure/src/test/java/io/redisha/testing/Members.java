package io.redisha.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import io.redisha.actuate.RedisHaEndpoint;
import io.redisha.actuate.RedisHaHealthIndicator;
import io.redisha.autoconfigure.RedisHaAutoConfiguration;
import io.redisha.autoconfigure.RedisHaSentinelAutoConfiguration;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.member.GroupSettings;
import io.redisha.member.RedisHaMember;
import io.redisha.member.TestGossip;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.GroupState;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.MinReplicas;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.PartitionMode;
import io.redisha.protocol.ProtocolEvent;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real-process fixture of the tests: {@link RedisHaMember members} of one group
 * {@value #GROUP} in this JVM against real Redis with short timings (down-after 1 s),
 * everything each of them emitted, and the bounded waits that check an outcome on the
 * members and on the Redis nodes themselves. Members start in one of three ways:
 * <ul>
 * <li>one at a time with {@link #start(RedisServerProcess...) start}, on seeds and with
 * the timings of {@link #config(int, List)} (quorum, credentials, command timeout,
 * routes, master-side fence, voters and partition mode as a test needs);</li>
 * <li>as a scenario with {@link #startSteady}: named members with the scenario's
 * {@link Settings}, on {@link Nodes} the fixture knows, started together and waited for
 * until they agree on a healthy group, none having tried to fail over;</li>
 * <li>as applications with {@link #startApplications}: redis-ha's auto-configuration as
 * users configure it, each with the Sentinel-protocol endpoint on a free loopback
 * port.</li>
 * </ul>
 * Closing stops every member (each says goodbye) and closes every application.
 */
public final class Members implements AutoCloseable {

	public static final String GROUP = "orders";

	public static final Duration DOWN_AFTER = Duration.ofSeconds(1);

	/** The hello period of {@link #config(int, List)}. */
	public static final Duration HELLO_PERIOD = Duration.ofSeconds(1);

	/** The start-up quiet period of {@link #config(int, List)}. */
	public static final Duration QUIET_PERIOD = Duration.ofSeconds(1);

	/** The failover timeout of a scenario's members. */
	public static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(2);

	/**
	 * How long a test waits for an outcome before it gives up: an upper bound on
	 * "eventually" that a busy machine does not reach, never a speed claim (the
	 * benchmarks measure speed).
	 */
	public static final Duration EVENTUALLY = Duration.ofSeconds(60);

	/** The timings of a scenario's members. */
	public static final GroupConfig.Timing TIMING = new GroupConfig.Timing(Duration.ofMillis(100),
			Duration.ofMillis(500), Duration.ofMillis(250), Duration.ofSeconds(2), Duration.ofMinutes(1),
			Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(1));

	private static final Duration SCENARIO_COMMAND_TIMEOUT = Duration.ofMillis(300);

	private static final String PREFIX = "redis-ha.groups." + GROUP + ".";

	private final List<Member> members = new CopyOnWriteArrayList<>();

	private final List<ConfigurableApplicationContext> applications = new ArrayList<>();

	private final Nodes nodes;

	/** The seeds of a scenario's members: every node known at the start. */
	private final List<NodeAddress> seeds;

	private final Settings settings;

	private PartitionMode partitionMode = PartitionMode.CONSISTENT;

	/**
	 * No member yet; members started with {@link #start(RedisServerProcess...) start} get
	 * their seeds there.
	 */
	public Members() {
		this(null, Settings.quorum(1));
	}

	private Members(Nodes nodes, Settings settings) {
		this.nodes = nodes;
		this.seeds = (nodes != null) ? nodes.all().get().stream().map(nodes.address()).toList() : List.of();
		this.settings = settings;
	}

	// Members started one at a time, with the timings of config(quorum, seeds)

	/** Members started from now on run in this partition mode (consistent by default). */
	public Members partitionMode(PartitionMode mode) {
		this.partitionMode = mode;
		return this;
	}

	/**
	 * Short timings; TILT lasts 3 s rather than 30: on a busy machine a timer gap puts a
	 * member in TILT, and the tests wait for it to be OK again.
	 */
	public static GroupConfig config(int quorum, List<NodeAddress> seeds) {
		GroupConfig.Timing defaults = GroupConfig.Timing.defaults();
		GroupConfig.Timing timing = new GroupConfig.Timing(Duration.ofMillis(250), Duration.ofSeconds(1), HELLO_PERIOD,
				defaults.opinionValidity(), defaults.memberExpiry(), QUIET_PERIOD, defaults.tiltThreshold(),
				Duration.ofSeconds(3), Duration.ofSeconds(1));
		return new GroupConfig(GROUP, seeds, quorum, DOWN_AFTER, Duration.ofSeconds(10), 1, timing);
	}

	/** Starts a member with these seeds, quorum 1, no password. */
	public RedisHaMember start(RedisServerProcess... seeds) {
		return start(1, null, null, UnaryOperator.identity(), seeds);
	}

	/** Starts a member with these seeds and this quorum, no password. */
	public RedisHaMember start(int quorum, RedisServerProcess... seeds) {
		return start(quorum, null, null, UnaryOperator.identity(), seeds);
	}

	public RedisHaMember start(int quorum, String username, String password, UnaryOperator<NodeAddress> connectVia,
			RedisServerProcess... seeds) {
		return start(quorum, username, password, Duration.ofSeconds(1), connectVia, seeds);
	}

	/**
	 * Starts a member that reaches nodes through {@code connectVia}, with this command
	 * timeout.
	 */
	public RedisHaMember start(int quorum, Duration commandTimeout, UnaryOperator<NodeAddress> connectVia,
			RedisServerProcess... seeds) {
		return start(quorum, null, null, commandTimeout, connectVia, seeds);
	}

	/**
	 * Starts a member with these seeds, quorum 1, no password, whose group manages the
	 * master-side fence.
	 */
	public RedisHaMember start(MinReplicas minReplicas, RedisServerProcess... seeds) {
		GroupConfig config = config(1, addresses(seeds)).withMinReplicas(minReplicas);
		return start(new GroupSettings(config, null, null, Duration.ofSeconds(1), TestGossip.SEAL),
				UnaryOperator.identity());
	}

	/**
	 * Starts a member with these seeds and this quorum, in a group of at most
	 * {@code voters} voters.
	 */
	public RedisHaMember startWithVoters(int voters, int quorum, RedisServerProcess... seeds) {
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
		return start("m" + (this.members.size() + 1), inMode, connectVia).runtime();
	}

	private Member start(String name, GroupSettings settings, UnaryOperator<NodeAddress> connectVia) {
		MemberIdentity identity = new MemberIdentity(UUID.randomUUID().toString().substring(0, 12), "test-app");
		RedisHaMember runtime = new RedisHaMember(identity, List.of(settings), connectVia);
		Member member = new Member(name, runtime, new ConcurrentLinkedQueue<>(), null);
		runtime.addEventListener(member.events()::add);
		this.members.add(member);
		runtime.start();
		return member;
	}

	// A scenario: members started together with the scenario's settings

	/**
	 * Starts one member per entry of {@code connectVia}, each opening its connections to
	 * the address its entry maps a node to, and waits until each of them sees
	 * {@code master} as the master, every replica up and every other member, none of them
	 * having tried to fail over. The scenario starts there: what the members emitted
	 * while finding each other is forgotten.
	 */
	public static Members startSteady(LocalRedisGroup redis, int quorum, NodeAddress master,
			List<UnaryOperator<NodeAddress>> connectVia) {
		Map<String, UnaryOperator<NodeAddress>> named = new LinkedHashMap<>();
		connectVia.forEach((route) -> named.put("m" + (named.size() + 1), route));
		return startSteady(Nodes.of(redis), Settings.quorum(quorum), master, named);
	}

	/**
	 * Starts one member per entry of {@code connectVia}, named by its key, on the nodes
	 * as they are known, and waits as above.
	 */
	public static Members startSteady(Nodes nodes, Settings settings, NodeAddress master,
			Map<String, UnaryOperator<NodeAddress>> connectVia) {
		Members members = new Members(nodes, settings);
		try {
			connectVia.forEach(members::startMember);
			members.awaitSteady(master);
			// Every scenario starts with a healthy master: starting members (a deploy)
			// never fail over.
			if (members.anyEmitted(ProtocolEvent.Type.TRY_FAILOVER, ProtocolEvent.Type.PROMOTED_REPLICA)) {
				throw new AssertionError("a member tried to fail over while the members were starting");
			}
			members.members.forEach((member) -> member.events().clear());
		}
		catch (RuntimeException | Error ex) {
			members.close();
			throw ex;
		}
		return members;
	}

	/**
	 * Starts one more member of the scenario (a new process: a new id) opening its
	 * connections to the address {@code connectVia} maps a node to; returns at once.
	 */
	public Member startMember(String name, UnaryOperator<NodeAddress> connectVia) {
		if (this.nodes == null) {
			throw new IllegalStateException("these members know no nodes: start them with startSteady");
		}
		GroupConfig config = new GroupConfig(GROUP, this.seeds, this.settings.quorum(), this.settings.downAfter(),
				FAILOVER_TIMEOUT, 1, this.settings.timing(), GroupConfig.DEFAULT_HISTORY_SIZE, this.settings.voters());
		return start(name, new GroupSettings(config, null, null, SCENARIO_COMMAND_TIMEOUT, TestGossip.SEAL),
				connectVia);
	}

	private Nodes nodes() {
		if (this.nodes == null) {
			throw new IllegalStateException("these members know no nodes: start them with startSteady");
		}
		return this.nodes;
	}

	// Applications: the auto-configuration with the Sentinel-protocol endpoint

	/** Starts {@code count} applications, quorum 2, each with these extra properties. */
	public static Members startApplications(LocalRedisGroup redis, int count, String... properties) {
		String[][] each = new String[count][];
		Arrays.fill(each, properties);
		return startApplicationsEach(redis, each);
	}

	/**
	 * Starts one application per array of extra properties, one after the other (Spring
	 * Boot's logging set-up is not made for applications starting at once in one JVM).
	 */
	public static Members startApplicationsEach(LocalRedisGroup redis, String[]... properties) {
		Members members = new Members(Nodes.of(redis), Settings.quorum(2));
		try {
			for (String[] extra : properties) {
				int port = freePort();
				ConfigurableApplicationContext context = application(redis, port, extra);
				members.applications.add(context);
				RedisHaMember runtime = context.getBean(RedisHaMember.class);
				Member member = new Member("app" + (members.members.size() + 1), runtime, new ConcurrentLinkedQueue<>(),
						new NodeAddress("127.0.0.1", port));
				runtime.addEventListener(member.events()::add);
				members.members.add(member);
			}
		}
		catch (RuntimeException | Error ex) {
			members.close();
			throw ex;
		}
		return members;
	}

	private static ConfigurableApplicationContext application(LocalRedisGroup redis, int port, String... properties) {
		List<String> all = new ArrayList<>(List.of("spring.application.name=endpoint-app",
				"spring.main.banner-mode=off", "redis-ha.gossip-secret=" + TestGossip.SECRET,
				PREFIX + "nodes=" + String.join(",", redis.addresses()), PREFIX + "quorum=2", PREFIX + "down-after=1s",
				PREFIX + "ping-period=250ms", PREFIX + "info-period=1s", PREFIX + "hello-period=1s",
				PREFIX + "startup-quiet-period=1s", PREFIX + "failover-timeout=10s", PREFIX + "command-timeout=500ms",
				// Contexts starting on a busy machine pause the members' timers: out of
				// TILT sooner.
				PREFIX + "tilt-duration=3s", "redis-ha.sentinel.port=" + port));
		all.addAll(List.of(properties));
		return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
			.properties(all.toArray(String[]::new))
			.run();
	}

	/** The port of the Sentinel-protocol endpoint of the {@code i}-th application. */
	public int port(int i) {
		return Objects.requireNonNull(member(i).endpoint(), () -> member(i) + " has no endpoint").port();
	}

	/** Every endpoint, {@code 127.0.0.1:port}. */
	public List<NodeAddress> endpoints() {
		return this.members.stream().map(Member::endpoint).filter(Objects::nonNull).toList();
	}

	/**
	 * Waits until every member knows the master and the others' endpoints, and votes in a
	 * committed configuration: then a killed master is failed over.
	 */
	public Members awaitReady() {
		await("every member knows the master, the others' endpoints and a committed electorate").atMost(EVENTUALLY)
			.untilAsserted(() -> {
				for (Member member : this.members) {
					GroupSnapshot snapshot = member.snapshot();
					assertThat(snapshot).isNotNull();
					assertThat(snapshot.master()).isNotNull();
					assertThat(snapshot.members()).filteredOn((peer) -> peer.endpoint() != null)
						.hasSize(this.members.size());
					assertThat(snapshot.electorate()).isNotNull();
					assertThat(snapshot.electorate().committed()).isTrue();
					assertThat(snapshot.electorate().voters()).hasSize(this.members.size());
				}
			});
		return this;
	}

	// The members

	/** The member started under this name. */
	public Member member(String name) {
		return this.members.stream()
			.filter((member) -> member.name().equals(name))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("no member " + name));
	}

	/** The {@code i}-th member started. */
	public Member member(int i) {
		return this.members.get(i);
	}

	/** The members, in start order, stopped ones included. */
	public List<Member> all() {
		return List.copyOf(this.members);
	}

	/** The members still running. */
	public List<Member> running() {
		return this.members.stream().filter((member) -> member.runtime().isRunning()).toList();
	}

	/**
	 * Registers a listener on every member started so far (called on the group's thread).
	 */
	public void onEvent(Consumer<MemberEvent> listener) {
		for (Member member : this.members) {
			member.runtime().addEventListener((event) -> listener.accept(new MemberEvent(member, event)));
		}
	}

	// Waits and checks

	/**
	 * Waits until every running member sees {@code master} up as the master, each replica
	 * of the Redis group that is alive up as its replica, and the members it hears: a
	 * voter every running member, an observer the voters.
	 */
	public void awaitSteady(NodeAddress master) {
		List<NodeAddress> replicas = nodes().all()
			.get()
			.stream()
			.filter(RedisServerProcess::isAlive)
			.map(nodes().address())
			.filter((node) -> !node.equals(master))
			.toList();
		await("every member sees master " + master + ", replicas " + replicas + " and its peers").atMost(EVENTUALLY)
			.pollInterval(Duration.ofMillis(50))
			.untilAsserted(() -> {
				List<Member> running = running();
				for (Member member : running) {
					GroupSnapshot snapshot = member.snapshot();
					assertThat(snapshot).as("snapshot of %s", member).isNotNull();
					assertThat(snapshot.state()).as("state seen by %s", member).isEqualTo(GroupState.OK);
					assertThat(snapshot.master()).as("master seen by %s", member).isNotNull();
					assertThat(snapshot.master().address()).as("master seen by %s", member).isEqualTo(master);
					assertThat(snapshot.replicas()).as("replicas seen by %s", member)
						.filteredOn((replica) -> replica.status() == NodeStatus.UP)
						.extracting(NodeSnapshot::address)
						.containsAll(replicas);
					assertElectorateComplete(member, snapshot, running.size());
					if (snapshot.electorate().selfVotes()) {
						assertThat(snapshot.members()).as("members seen by %s", member).hasSize(running.size());
					}
					else {
						assertThat(snapshot.members()).as("members seen by observer %s", member)
							.extracting(GroupSnapshot.MemberSnapshot::id)
							.containsAll(snapshot.electorate().voters());
					}
				}
			});
	}

	/**
	 * Waits until {@code returning}, a former master back after a failover, replicates
	 * from {@code master}, which is still a master, and every member sees it so.
	 */
	public void awaitRejoinedAsReplica(RedisServerProcess returning, NodeAddress master) {
		awaitFollowing(returning, master);
		awaitRole(nodes().at(master), "master");
		awaitSteady(master);
	}

	/**
	 * Waits until every running member sees {@code replica-priority 0} on
	 * {@code replica}.
	 */
	public void awaitPriorityZero(RedisServerProcess replica) {
		NodeAddress node = address(replica);
		await("every member sees priority 0 on " + node).atMost(EVENTUALLY)
			.until(() -> running().stream()
				.allMatch((member) -> member.snapshot()
					.replicas()
					.stream()
					.anyMatch((seen) -> seen.address().equals(node) && seen.priority() == 0)));
	}

	/**
	 * Waits until every running member reports the same master, other than {@code old},
	 * and returns it.
	 */
	public NodeAddress awaitNewMaster(NodeAddress old) {
		return await("every member reports one new master instead of " + old).atMost(EVENTUALLY)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> agreedMaster(), (master) -> master != null && !master.equals(old));
	}

	/**
	 * Waits until the group has settled, on whichever master: every running member
	 * reports the same master, that node answers ROLE master, and every other live node
	 * replicates from it with its link up. Returns that master.
	 */
	public NodeAddress awaitSettled() {
		return await("every member agrees on one master that every other live node replicates from").atMost(EVENTUALLY)
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptionsInstanceOf(UncheckedIOException.class)
			.until(this::settledMaster, Objects::nonNull);
	}

	private NodeAddress settledMaster() {
		NodeAddress master = agreedMaster();
		if (master == null || !"master".equals(nodes().at(master).role())) {
			return null;
		}
		for (RedisServerProcess node : nodes().all().get()) {
			if (node.isAlive() && !nodes().address().apply(node).equals(master)) {
				Map<String, String> replication = node.info("replication");
				if (!"slave".equals(replication.get("role")) || !master.host().equals(replication.get("master_host"))
						|| !Integer.toString(master.port()).equals(replication.get("master_port"))
						|| !"up".equals(replication.get("master_link_status"))) {
					return null;
				}
			}
		}
		return master;
	}

	/**
	 * The master every running member reports, or null when they do not agree or know
	 * none.
	 */
	public NodeAddress agreedMaster() {
		List<NodeAddress> masters = running().stream()
			.map(Member::snapshot)
			.map((snapshot) -> (snapshot != null && snapshot.master() != null) ? snapshot.master().address() : null)
			.distinct()
			.toList();
		return (masters.size() == 1) ? masters.get(0) : null;
	}

	/** The snapshots of the running members. */
	public List<GroupSnapshot> snapshots() {
		return running().stream().map(Member::snapshot).toList();
	}

	/** The distinct config epochs of the running members. */
	public Set<Long> configEpochs() {
		return snapshots().stream().map(GroupSnapshot::configEpoch).collect(Collectors.toSet());
	}

	/** Every event of one of these types that any member, running or stopped, emitted. */
	public List<ProtocolEvent> emitted(ProtocolEvent.Type... types) {
		List<ProtocolEvent.Type> wanted = Arrays.asList(types);
		return this.members.stream()
			.flatMap((member) -> member.events().stream())
			.filter((event) -> wanted.contains(event.type()))
			.toList();
	}

	/** Whether any member, running or stopped, emitted an event of one of these types. */
	public boolean anyEmitted(ProtocolEvent.Type... types) {
		return !emitted(types).isEmpty();
	}

	/**
	 * Whether every running member still agrees on {@code master} in state OK, and no
	 * member ever saw it down nor tried a failover.
	 */
	public boolean undisturbed(NodeAddress master) {
		return master.equals(agreedMaster()) && states().stream().allMatch((state) -> state == GroupState.OK)
				&& !anyEmitted(ProtocolEvent.Type.SDOWN, ProtocolEvent.Type.ODOWN, ProtocolEvent.Type.TRY_FAILOVER);
	}

	/** The group state of each running member. */
	public List<GroupState> states() {
		return snapshots().stream().map(GroupSnapshot::state).toList();
	}

	/**
	 * Closes every application and stops every other member (each says goodbye); stopping
	 * a stopped member does nothing.
	 */
	@Override
	public void close() {
		this.applications.forEach(ConfigurableApplicationContext::close);
		this.members.forEach((member) -> member.runtime().stop());
	}

	// Static helpers

	public static NodeAddress address(RedisServerProcess node) {
		return new NodeAddress(node.host(), node.port());
	}

	/** The node of {@code redis} listening at {@code address}. */
	public static RedisServerProcess node(LocalRedisGroup redis, NodeAddress address) {
		return Objects.requireNonNull(redis.nodeOnPort(address.port()), () -> "no node at " + address);
	}

	/**
	 * The nodes of {@code redis} that are alive, other than the one at {@code except}.
	 */
	public static List<RedisServerProcess> otherLiveNodes(LocalRedisGroup redis, NodeAddress except) {
		return redis.nodes().stream().filter((node) -> node.isAlive() && !address(node).equals(except)).toList();
	}

	public static GroupSnapshot snapshot(RedisHaMember member) {
		return member.snapshot(GROUP);
	}

	public static List<String> memberIds(RedisHaMember member) {
		GroupSnapshot snapshot = snapshot(member);
		return (snapshot != null) ? snapshot.members().stream().map(GroupSnapshot.MemberSnapshot::id).toList()
				: List.of();
	}

	/**
	 * Asserts that the member, its endpoint and its health show a problem of the node
	 * containing {@code problem}.
	 */
	public static void assertNodeProblem(RedisHaMember member, RedisServerProcess node, String problem) {
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
	public static void awaitElectorate(List<RedisHaMember> members) {
		await("every member is a voter of a committed configuration").atMost(EVENTUALLY).untilAsserted(() -> {
			for (RedisHaMember member : members) {
				GroupSnapshot snapshot = snapshot(member);
				assertThat(snapshot).isNotNull();
				assertElectorateComplete(member.identity().id(), snapshot, members.size());
			}
		});
	}

	/**
	 * The member holds a committed configuration whose voters are as many running members
	 * as the group wants: a failover the test provokes is then one the electorate can
	 * elect.
	 */
	static void assertElectorateComplete(Object member, GroupSnapshot snapshot, int running) {
		GroupSnapshot.ElectorateSnapshot electorate = snapshot.electorate();
		assertThat(electorate).as("electorate seen by %s", member).isNotNull();
		assertThat(electorate.committed()).as("electorate seen by %s committed", member).isTrue();
		assertThat(electorate.voters()).as("voters seen by %s", member).hasSize(Math.min(running, electorate.target()));
	}

	/**
	 * Waits until {@code replica} says it replicates from {@code master} with its link
	 * up. Reconfiguring a node ends with CLIENT KILL: a dropped connection only means
	 * "ask again".
	 */
	public static void awaitFollowing(RedisServerProcess replica, NodeAddress master) {
		await(replica.address() + " replicates from " + master).atMost(EVENTUALLY)
			.pollInterval(Duration.ofMillis(50))
			.ignoreExceptionsInstanceOf(UncheckedIOException.class)
			.untilAsserted(() -> {
				Map<String, String> replication = replica.info("replication");
				assertThat(replication).containsEntry("role", "slave")
					.containsEntry("master_host", master.host())
					.containsEntry("master_port", Integer.toString(master.port()))
					.containsEntry("master_link_status", "up");
			});
	}

	/**
	 * Waits until {@code node} answers ROLE with {@code role}, asking again when it
	 * dropped the connection.
	 */
	public static void awaitRole(RedisServerProcess node, String role) {
		await(node.address() + " answers ROLE " + role).atMost(EVENTUALLY)
			.pollInterval(Duration.ofMillis(50))
			.ignoreExceptionsInstanceOf(UncheckedIOException.class)
			.untilAsserted(() -> assertThat(node.role()).isEqualTo(role));
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot find a free loopback port", ex);
		}
	}

	/**
	 * One member with everything it emitted; the name is the test's, the id the
	 * process's.
	 *
	 * @param name the name the test knows it by
	 * @param runtime the member
	 * @param events everything it emitted
	 * @param endpoint its Sentinel-protocol endpoint, or null when it has none
	 */
	public record Member(String name, RedisHaMember runtime, Queue<ProtocolEvent> events, NodeAddress endpoint) {

		public GroupSnapshot snapshot() {
			return this.runtime.snapshot(GROUP);
		}

		@Override
		public String toString() {
			return "member " + this.name + " (" + this.runtime.identity().id() + ")";
		}

	}

	/**
	 * The Redis nodes of a scenario as the members know them.
	 *
	 * @param all every node
	 * @param address the address the members know a node by (the one it announces)
	 */
	public record Nodes(Supplier<List<RedisServerProcess>> all, Function<RedisServerProcess, NodeAddress> address) {

		public static Nodes of(LocalRedisGroup redis) {
			return new Nodes(redis::nodes, Members::address);
		}

		/** The node known by {@code address}. */
		public RedisServerProcess at(NodeAddress address) {
			return this.all.get()
				.stream()
				.filter((node) -> this.address.apply(node).equals(address))
				.findFirst()
				.orElseThrow(() -> new IllegalArgumentException("no node at " + address));
		}

	}

	/**
	 * How a scenario's members are configured.
	 *
	 * @param quorum the group's quorum
	 * @param downAfter the group's down-after
	 * @param timing the other periods and limits
	 * @param voters the most members that elect
	 */
	public record Settings(int quorum, Duration downAfter, GroupConfig.Timing timing, int voters) {

		/** The scenarios' usual timings, down-after {@link #DOWN_AFTER}, 5 voters. */
		public static Settings quorum(int quorum) {
			return new Settings(quorum, DOWN_AFTER, TIMING, GroupConfig.DEFAULT_VOTERS);
		}

		public Settings downAfter(Duration downAfter) {
			return new Settings(this.quorum, downAfter, this.timing, this.voters);
		}

		public Settings memberExpiry(Duration memberExpiry) {
			GroupConfig.Timing current = this.timing;
			return new Settings(this.quorum, this.downAfter,
					new GroupConfig.Timing(current.pingPeriod(), current.infoPeriod(), current.helloPeriod(),
							current.opinionValidity(), memberExpiry, current.startupQuietPeriod(),
							current.tiltThreshold(), current.tiltDuration(), current.demoteAfter()),
					this.voters);
		}

		public Settings voters(int voters) {
			return new Settings(this.quorum, this.downAfter, this.timing, voters);
		}

	}

	/** An event as one member emitted it. */
	public record MemberEvent(Member member, ProtocolEvent event) {
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ SslAutoConfiguration.class, RedisHaAutoConfiguration.class,
			RedisHaSentinelAutoConfiguration.class })
	static class App {

	}

}
