package io.redisha.benchmark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.SocketAddressResolver;
import io.redisha.embedded.PartitionableRedisGroup;
import io.redisha.embedded.RedisServerBinary;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.NodeAddress;

import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The baseline a Spring Boot user gets today: three real Sentinels S1, S2, S3
 * ({@link Sentinels}) and two instances A and B', each a {@link LettuceConnectionFactory}
 * on a {@link RedisSentinelConfiguration} listing the three Sentinels, with Boot's
 * defaults but for the command timeout. Each Sentinel is a peer of the group (its own
 * source address and front); each instance reaches Sentinels and nodes through proxies of
 * its own, by a Lettuce address resolver (network plumbing only: Lettuce resolves every
 * address, the master's too, through it).
 */
final class SentinelInstances implements PartitionedSystem {

	private static final List<String> INSTANCES = List.of("A", "B'");

	private final Sentinels sentinels;

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	private final List<ClientResources> resources = new ArrayList<>();

	private final Map<String, StringRedisTemplate> templates = new LinkedHashMap<>();

	private SentinelInstances(Sentinels sentinels) {
		this.sentinels = sentinels;
	}

	/**
	 * Starts the Sentinels and the instances on {@code redis} and waits until every
	 * Sentinel sees the group.
	 */
	static SentinelInstances start(PartitionableRedisGroup redis, BenchmarkOptions options) throws IOException {
		RedisServerBinary binary = RedisServerBinary.get();
		Sentinels sentinels = Sentinels.start(binary, redis.address("N0"), options.downAfter(),
				(index, port) -> wiring(redis.addPeer("S" + (index + 1), port), binary));
		SentinelInstances instances = new SentinelInstances(sentinels);
		try {
			sentinels.awaitReady(redis.nodeNames().size() - 1);
			RedisSentinelConfiguration configuration = new RedisSentinelConfiguration();
			configuration.master(FailoverBenchmark.GROUP);
			sentinels.addresses().forEach((address) -> configuration.sentinel(RedisNode.fromString(address)));
			for (String instance : INSTANCES) {
				ClientResources resources = DefaultClientResources.builder()
					.socketAddressResolver(new RoutedResolver(redis.addClient(instance)))
					.build();
				instances.resources.add(resources);
				LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration,
						LettuceClientConfiguration.builder()
							.clientResources(resources)
							.commandTimeout(ClientsBenchmark.WRITE_TIMEOUT)
							.build());
				instances.factories.add(factory);
				factory.afterPropertiesSet();
				factory.start();
				instances.templates.put(instance, new StringRedisTemplate(factory));
			}
		}
		catch (RuntimeException ex) {
			instances.close();
			throw ex;
		}
		return instances;
	}

	/**
	 * Listens on its port and its source; connects from its source; announces its front.
	 */
	private static Sentinels.Wiring wiring(PartitionableRedisGroup.Peer peer, RedisServerBinary binary) {
		List<String> lines = new ArrayList<>(List.of("bind " + peer.source() + " " + RedisServerProcess.HOST,
				"sentinel announce-ip " + peer.front().host(), "sentinel announce-port " + peer.front().port()));
		if (binary.majorVersion() >= 7) {
			// Redis 7 opens outgoing connections from bind-source-addr, not from the
			// first bound address.
			lines.add("bind-source-addr " + peer.source());
		}
		return new Sentinels.Wiring(peer.front().address(), lines);
	}

	@Override
	public Map<String, StringRedisTemplate> templates() {
		return this.templates;
	}

	@Override
	public Set<String> minority() {
		return Set.of("A", "S1", "N0");
	}

	@Override
	public Set<String> majority() {
		return Set.of("B'", "S2", "S3", "N1", "N2");
	}

	@Override
	public boolean agreesOn(String master) {
		return this.sentinels.masters().stream().allMatch(master::equals);
	}

	@Override
	public void close() {
		this.factories.forEach(LettuceConnectionFactory::destroy);
		this.resources.forEach((each) -> each.shutdown(0, 2, TimeUnit.SECONDS));
		this.sentinels.close();
	}

	/**
	 * Resolves every address as the instance's route maps it: to its own proxy to that
	 * node or Sentinel.
	 */
	private static final class RoutedResolver extends SocketAddressResolver {

		private final UnaryOperator<String> route;

		RoutedResolver(UnaryOperator<String> route) {
			this.route = route;
		}

		@Override
		public SocketAddress resolve(RedisURI uri) {
			NodeAddress routed = NodeAddress.parse(this.route.apply(uri.getHost() + ":" + uri.getPort()));
			return new InetSocketAddress(routed.host(), routed.port());
		}

	}

}
