package io.redisha.failover;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.redisha.embedded.PartitionableRedisGroup;
import io.redisha.embedded.RedisServerOptions;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;
import io.redisha.testing.Members;
import io.redisha.testing.Members.Member;

/**
 * A JUnit extension giving each scenario a fresh {@link PartitionableRedisGroup}
 * ({@code N0} master, replicas {@code N1}...) whose members are clients of it by name, so
 * that a scenario can cut any set of members and nodes from another; everything is
 * stopped afterwards, also when the scenario fails: the members first, then the proxies
 * and nodes.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final PartitionScenario scenario = PartitionScenario.withReplicas(2);
 * ...
 * scenario.redis().partition(Set.of("m1", "N1"), Set.of("m2", "m3", "N0"));
 * </pre>
 */
final class PartitionScenario implements BeforeEachCallback, AfterEachCallback {

	private final int replicas;

	private final Deque<Members> started = new ArrayDeque<>();

	private PartitionableRedisGroup redis;

	private PartitionScenario(int replicas) {
		this.replicas = replicas;
	}

	/** {@code N0} as master and {@code replicas} replicas. */
	static PartitionScenario withReplicas(int replicas) {
		return new PartitionScenario(replicas);
	}

	/** The nodes and the links of the running scenario. */
	PartitionableRedisGroup redis() {
		if (this.redis == null) {
			throw new IllegalStateException("no scenario is running: register the extension with @RegisterExtension");
		}
		return this.redis;
	}

	/** The address the members know node {@code name} by. */
	NodeAddress address(String name) {
		return NodeAddress.parse(redis().address(name));
	}

	/** The name of the node the members know by {@code address}. */
	String nameAt(NodeAddress address) {
		return (address != null) ? redis().nameAt(address.toString()) : "none";
	}

	/**
	 * Members of these names, each reaching every node through proxies of its own, steady
	 * with {@code N0}.
	 */
	Members startMembers(Members.Settings settings, String... names) {
		Map<String, UnaryOperator<NodeAddress>> connectVia = new LinkedHashMap<>();
		for (String name : names) {
			connectVia.put(name, route(redis().addClient(name)));
		}
		Members members = Members.startSteady(
				new Members.Nodes(redis()::nodes, (node) -> NodeAddress.parse(redis().address(node))), settings,
				address("N0"), connectVia);
		this.started.push(members);
		return members;
	}

	/**
	 * Starts a new member process (a new id) named {@code name} on the side of
	 * {@code sideOf}: cut off from whatever that member is cut off from. Returns at once.
	 */
	Member startMember(Members members, String name, String sideOf) {
		return members.startMember(name, route(redis().addClient(name, sideOf)));
	}

	/**
	 * Stops {@code member} as a crash would: cut off from every node first, so that its
	 * goodbye reaches nobody and the others keep counting it as a voter.
	 */
	void crash(Member member) {
		redis().isolate(member.name());
		member.runtime().stop();
	}

	/**
	 * Each member's events of these types, in order, with the nodes by name: what
	 * happened, for a failure message.
	 */
	String story(Members members, ProtocolEvent.Type... types) {
		List<ProtocolEvent.Type> wanted = List.of(types);
		return members.all()
			.stream()
			.flatMap((member) -> member.events()
				.stream()
				.filter((event) -> wanted.contains(event.type()))
				.map((event) -> describe(member, event)))
			.collect(Collectors.joining("\n  ", "\n  ", ""));
	}

	String describe(Member member, ProtocolEvent event) {
		String node = (event.type() == ProtocolEvent.Type.SWITCH_MASTER)
				? nameAt(event.node()) + " -> " + nameAt(event.master()) : nameAt(event.node());
		return member.name() + " " + event.type().sentinelName() + " " + node + " epoch " + event.epoch()
				+ ((event.detail() != null) ? " (" + event.detail() + ")" : "");
	}

	private static UnaryOperator<NodeAddress> route(UnaryOperator<String> route) {
		return (node) -> NodeAddress.parse(route.apply(node.toString()));
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		this.redis = PartitionableRedisGroup.start(this.replicas, RedisServerOptions.defaults());
	}

	@Override
	public void afterEach(ExtensionContext context) {
		try {
			while (!this.started.isEmpty()) {
				this.started.pop().close();
			}
		}
		finally {
			if (this.redis != null) {
				this.redis.close();
				this.redis = null;
			}
		}
	}

}
