package io.redisha.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

import io.redisha.connection.MasterFollowingConnectionFactory;
import io.redisha.embedded.PartitionableRedisGroup;
import io.redisha.member.GroupSettings;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.PartitionMode;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Three application instances A, B and C with redis-ha: each a member (quorum 2, the
 * product's timing) and a {@link MasterFollowingConnectionFactory} following it, both
 * reaching the nodes through the instance's own proxies, so that a cut takes the whole
 * instance.
 */
final class RedisHaInstances implements PartitionedSystem {

	private static final List<String> INSTANCES = List.of("A", "B", "C");

	private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);

	private final List<RedisHaMember> members = new ArrayList<>();

	private final List<MasterFollowingConnectionFactory> factories = new ArrayList<>();

	private final Map<String, StringRedisTemplate> templates = new LinkedHashMap<>();

	private RedisHaInstances() {
	}

	/**
	 * Starts the instances on {@code redis} in this partition mode and waits until they
	 * are ready to fail over.
	 */
	static RedisHaInstances start(PartitionableRedisGroup redis, BenchmarkOptions options, PartitionMode mode) {
		List<NodeAddress> nodes = redis.nodeNames()
			.stream()
			.map((node) -> NodeAddress.parse(redis.address(node)))
			.toList();
		GroupConfig.Timing timing = FailoverBenchmark.timing(options);
		GroupConfig config = new GroupConfig(FailoverBenchmark.GROUP, nodes, 2, options.downAfter(),
				Duration.ofSeconds(10), 1, timing, GroupConfig.DEFAULT_HISTORY_SIZE, GroupConfig.DEFAULT_VOTERS,
				GroupConfig.Fencing.withDefaultFenceAfter(mode));
		RedisHaInstances instances = new RedisHaInstances();
		try {
			for (String instance : INSTANCES) {
				UnaryOperator<String> route = redis.addClient(instance);
				RedisHaMember member = new RedisHaMember(
						new MemberIdentity(UUID.randomUUID().toString().substring(0, 12), "instance-" + instance),
						List.of(new GroupSettings(config, null, null, COMMAND_TIMEOUT, FailoverBenchmark.GOSSIP_SEAL)),
						(node) -> NodeAddress.parse(route.apply(node.toString())));
				member.start();
				instances.members.add(member);
			}
			FailoverBenchmark.awaitReady(instances.members, nodes, timing.startupQuietPeriod());
			for (int i = 0; i < INSTANCES.size(); i++) {
				MasterFollowingConnectionFactory factory = ClientsBenchmark.followingFactory(instances.members.get(i));
				instances.factories.add(factory);
				factory.afterPropertiesSet();
				factory.start();
				instances.templates.put(INSTANCES.get(i), new StringRedisTemplate(factory));
			}
		}
		catch (RuntimeException ex) {
			instances.close();
			throw ex;
		}
		return instances;
	}

	@Override
	public Map<String, StringRedisTemplate> templates() {
		return this.templates;
	}

	@Override
	public Set<String> minority() {
		return Set.of("A", "N0");
	}

	@Override
	public Set<String> majority() {
		return Set.of("B", "C", "N1", "N2");
	}

	@Override
	public boolean agreesOn(String master) {
		NodeAddress node = NodeAddress.parse(master);
		return this.members.stream().allMatch((member) -> {
			GroupSnapshot snapshot = FailoverBenchmark.snapshot(member);
			return snapshot.master() != null && snapshot.master().address().equals(node);
		});
	}

	@Override
	public void close() {
		this.factories.forEach(MasterFollowingConnectionFactory::destroy);
		this.members.forEach(RedisHaMember::stop);
	}

}
