package io.redisha.failover;

import java.io.UncheckedIOException;
import java.time.Duration;
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
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The application instances of one scenario: {@link RedisHaMember}s in this JVM watching
 * one local Redis group with short timings (down-after 1 s unless the scenario's
 * {@link Settings} say otherwise), everything each of them emitted, and the bounded waits
 * that check an outcome on the members and on the Redis nodes themselves.
 */
final class ScenarioMembers implements AutoCloseable {

	static final String GROUP = "orders";

	static final Duration DOWN_AFTER = Duration.ofSeconds(1);

	static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(2);

	/**
	 * How long a test waits for an outcome before it gives up: an upper bound on
	 * "eventually" that a busy machine does not reach, never a speed claim (the
	 * benchmarks measure speed).
	 */
	static final Duration EVENTUALLY = Duration.ofSeconds(60);

	static final GroupConfig.Timing TIMING = new GroupConfig.Timing(Duration.ofMillis(100), Duration.ofMillis(500),
			Duration.ofMillis(250), Duration.ofSeconds(2), Duration.ofMinutes(1), Duration.ofSeconds(1),
			Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(1));

	private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(300);

	private final Nodes nodes;

	private final List<NodeAddress> seeds;

	private final Settings settings;

	private final List<Member> members = new CopyOnWriteArrayList<>();

	private ScenarioMembers(Nodes nodes, Settings settings) {
		this.nodes = nodes;
		this.seeds = nodes.all().get().stream().map(nodes.address()).toList();
		this.settings = settings;
	}

	/**
	 * Starts one member per entry of {@code connectVia}, each opening its connections to
	 * the address its entry maps a node to, and waits until each of them sees
	 * {@code master} as the master, every replica up and every other member, none of them
	 * having tried to fail over. The scenario starts there: what the members emitted
	 * while finding each other is forgotten.
	 */
	static ScenarioMembers start(LocalRedisGroup redis, int quorum, NodeAddress master,
			List<UnaryOperator<NodeAddress>> connectVia) {
		Map<String, UnaryOperator<NodeAddress>> named = new LinkedHashMap<>();
		connectVia.forEach((route) -> named.put("m" + (named.size() + 1), route));
		return start(Nodes.of(redis), Settings.quorum(quorum), master, named);
	}

	/**
	 * Starts one member per entry of {@code connectVia}, named by its key, on the nodes
	 * as they are known, and waits as above.
	 */
	static ScenarioMembers start(Nodes nodes, Settings settings, NodeAddress master,
			Map<String, UnaryOperator<NodeAddress>> connectVia) {
		ScenarioMembers members = new ScenarioMembers(nodes, settings);
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
	 * Starts one more member (a new process: a new id) opening its connections to the
	 * address {@code connectVia} maps a node to; returns at once.
	 */
	Member startMember(String name, UnaryOperator<NodeAddress> connectVia) {
		GroupConfig config = new GroupConfig(GROUP, this.seeds, this.settings.quorum(), this.settings.downAfter(),
				FAILOVER_TIMEOUT, 1, this.settings.timing());
		MemberIdentity identity = new MemberIdentity(UUID.randomUUID().toString().substring(0, 12), "scenario");
		RedisHaMember runtime = new RedisHaMember(identity,
				List.of(new GroupSettings(config, null, null, COMMAND_TIMEOUT, TestGossip.SEAL)), connectVia);
		Member member = new Member(name, runtime, new ConcurrentLinkedQueue<>());
		runtime.addEventListener(member.events()::add);
		this.members.add(member);
		runtime.start();
		return member;
	}

	/** The member started under this name. */
	Member member(String name) {
		return this.members.stream()
			.filter((member) -> member.name().equals(name))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("no member " + name));
	}

	/** The members, in start order, stopped ones included. */
	List<Member> all() {
		return List.copyOf(this.members);
	}

	/** The members still running. */
	List<Member> running() {
		return this.members.stream().filter((member) -> member.runtime().isRunning()).toList();
	}

	/**
	 * Registers a listener on every member started so far (called on the group's thread).
	 */
	void onEvent(Consumer<MemberEvent> listener) {
		for (Member member : this.members) {
			member.runtime().addEventListener((event) -> listener.accept(new MemberEvent(member, event)));
		}
	}

	/**
	 * Waits until every running member sees {@code master} up as the master, each replica
	 * of the Redis group that is alive up as its replica, and every running member.
	 */
	void awaitSteady(NodeAddress master) {
		List<NodeAddress> replicas = this.nodes.all()
			.get()
			.stream()
			.filter(RedisServerProcess::isAlive)
			.map(this.nodes.address())
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
					assertThat(snapshot.members()).as("members seen by %s", member).hasSize(running.size());
					assertElectorateComplete(member, snapshot, running.size());
				}
			});
	}

	/**
	 * Waits until {@code returning}, a former master back after a failover, replicates
	 * from {@code master}, which is still a master, and every member sees it so.
	 */
	void awaitRejoinedAsReplica(RedisServerProcess returning, NodeAddress master) {
		awaitFollowing(returning, master);
		awaitRole(this.nodes.at(master), "master");
		awaitSteady(master);
	}

	/**
	 * Waits until every running member sees {@code replica-priority 0} on
	 * {@code replica}.
	 */
	void awaitPriorityZero(RedisServerProcess replica) {
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
	NodeAddress awaitNewMaster(NodeAddress old) {
		return await("every member reports one new master instead of " + old).atMost(EVENTUALLY)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> agreedMaster(), (master) -> master != null && !master.equals(old));
	}

	/**
	 * Waits until the group has settled, on whichever master: every running member
	 * reports the same master, that node answers ROLE master, and every other live node
	 * replicates from it with its link up. Returns that master.
	 */
	NodeAddress awaitSettled() {
		return await("every member agrees on one master that every other live node replicates from").atMost(EVENTUALLY)
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptionsInstanceOf(UncheckedIOException.class)
			.until(this::settledMaster, Objects::nonNull);
	}

	private NodeAddress settledMaster() {
		NodeAddress master = agreedMaster();
		if (master == null || !"master".equals(this.nodes.at(master).role())) {
			return null;
		}
		for (RedisServerProcess node : this.nodes.all().get()) {
			if (node.isAlive() && !this.nodes.address().apply(node).equals(master)) {
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
	NodeAddress agreedMaster() {
		List<NodeAddress> masters = running().stream()
			.map(Member::snapshot)
			.map((snapshot) -> (snapshot.master() != null) ? snapshot.master().address() : null)
			.distinct()
			.toList();
		return (masters.size() == 1) ? masters.get(0) : null;
	}

	/** The snapshots of the running members. */
	List<GroupSnapshot> snapshots() {
		return running().stream().map(Member::snapshot).toList();
	}

	/** The distinct config epochs of the running members. */
	Set<Long> configEpochs() {
		return snapshots().stream().map(GroupSnapshot::configEpoch).collect(Collectors.toSet());
	}

	/** Every event of one of these types that any member, running or stopped, emitted. */
	List<ProtocolEvent> emitted(ProtocolEvent.Type... types) {
		List<ProtocolEvent.Type> wanted = Arrays.asList(types);
		return this.members.stream()
			.flatMap((member) -> member.events().stream())
			.filter((event) -> wanted.contains(event.type()))
			.toList();
	}

	/** Whether any member, running or stopped, emitted an event of one of these types. */
	boolean anyEmitted(ProtocolEvent.Type... types) {
		return !emitted(types).isEmpty();
	}

	/**
	 * Whether every running member still agrees on {@code master} in state OK, and no
	 * member ever saw it down nor tried a failover.
	 */
	boolean undisturbed(NodeAddress master) {
		return master.equals(agreedMaster()) && states().stream().allMatch((state) -> state == GroupState.OK)
				&& !anyEmitted(ProtocolEvent.Type.SDOWN, ProtocolEvent.Type.ODOWN, ProtocolEvent.Type.TRY_FAILOVER);
	}

	/** The group state of each running member. */
	List<GroupState> states() {
		return snapshots().stream().map(GroupSnapshot::state).toList();
	}

	/** Stops every member (each says goodbye); stopping a stopped member does nothing. */
	@Override
	public void close() {
		this.members.forEach((member) -> member.runtime().stop());
	}

	static NodeAddress address(RedisServerProcess node) {
		return new NodeAddress(node.host(), node.port());
	}

	/** The node of {@code redis} listening at {@code address}. */
	static RedisServerProcess node(LocalRedisGroup redis, NodeAddress address) {
		return Objects.requireNonNull(redis.nodeOnPort(address.port()), () -> "no node at " + address);
	}

	/**
	 * Waits until {@code replica} says it replicates from {@code master} with its link
	 * up. Reconfiguring a node ends with CLIENT KILL: a dropped connection only means
	 * "ask again".
	 */
	/**
	 * The member holds a committed configuration whose voters are as many running members
	 * as the group wants: a failover the scenario provokes is then one the electorate can
	 * elect.
	 */
	static void assertElectorateComplete(Member member, GroupSnapshot snapshot, int running) {
		GroupSnapshot.ElectorateSnapshot electorate = snapshot.electorate();
		assertThat(electorate).as("electorate seen by %s", member).isNotNull();
		assertThat(electorate.committed()).as("electorate seen by %s committed", member).isTrue();
		assertThat(electorate.voters()).as("voters seen by %s", member).hasSize(Math.min(running, electorate.target()));
	}

	static void awaitFollowing(RedisServerProcess replica, NodeAddress master) {
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
	static void awaitRole(RedisServerProcess node, String role) {
		await(node.address() + " answers ROLE " + role).atMost(EVENTUALLY)
			.pollInterval(Duration.ofMillis(50))
			.ignoreExceptionsInstanceOf(UncheckedIOException.class)
			.untilAsserted(() -> assertThat(node.role()).isEqualTo(role));
	}

	/**
	 * The nodes of {@code redis} that are alive, other than the one at {@code except}.
	 */
	static List<RedisServerProcess> otherLiveNodes(LocalRedisGroup redis, NodeAddress except) {
		return redis.nodes().stream().filter((node) -> node.isAlive() && !address(node).equals(except)).toList();
	}

	/**
	 * One member with everything it emitted; the name is the scenario's, the id the
	 * process's.
	 */
	record Member(String name, RedisHaMember runtime, Queue<ProtocolEvent> events) {

		GroupSnapshot snapshot() {
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
	record Nodes(Supplier<List<RedisServerProcess>> all, Function<RedisServerProcess, NodeAddress> address) {

		static Nodes of(LocalRedisGroup redis) {
			return new Nodes(redis::nodes, ScenarioMembers::address);
		}

		/** The node known by {@code address}. */
		RedisServerProcess at(NodeAddress address) {
			return this.all.get()
				.stream()
				.filter((node) -> this.address.apply(node).equals(address))
				.findFirst()
				.orElseThrow(() -> new IllegalArgumentException("no node at " + address));
		}

	}

	/**
	 * How the members are configured.
	 *
	 * @param quorum the group's quorum
	 * @param downAfter the group's down-after
	 * @param timing the other periods and limits
	 */
	record Settings(int quorum, Duration downAfter, GroupConfig.Timing timing) {

		/** The scenarios' usual timings, down-after {@link #DOWN_AFTER}. */
		static Settings quorum(int quorum) {
			return new Settings(quorum, DOWN_AFTER, TIMING);
		}

		Settings downAfter(Duration downAfter) {
			return new Settings(this.quorum, downAfter, this.timing);
		}

		Settings memberExpiry(Duration memberExpiry) {
			GroupConfig.Timing current = this.timing;
			return new Settings(this.quorum, this.downAfter,
					new GroupConfig.Timing(current.pingPeriod(), current.infoPeriod(), current.helloPeriod(),
							current.opinionValidity(), memberExpiry, current.startupQuietPeriod(),
							current.tiltThreshold(), current.tiltDuration(), current.demoteAfter()));
		}

	}

	/** An event as one member emitted it. */
	record MemberEvent(Member member, ProtocolEvent event) {
	}

}
