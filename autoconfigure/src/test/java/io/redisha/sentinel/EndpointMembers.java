package io.redisha.sentinel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import io.redisha.autoconfigure.RedisHaAutoConfiguration;
import io.redisha.autoconfigure.RedisHaSentinelAutoConfiguration;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.member.RedisHaMember;
import io.redisha.member.TestGossip;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.NodeAddress;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Application instances as users configure them: redis-ha's auto-configuration, one group
 * {@value #GROUP} over real Redis with short timers (down-after 1 s), and the
 * Sentinel-protocol endpoint on a free loopback port each. Closes them all at the end.
 */
final class EndpointMembers implements AutoCloseable {

	static final String GROUP = "orders";

	/**
	 * How long a test waits for an outcome before it gives up: an upper bound on
	 * "eventually" that a busy machine does not reach, never a speed claim (the
	 * benchmarks measure speed).
	 */
	static final Duration EVENTUALLY = Duration.ofSeconds(60);

	private static final String PREFIX = "redis-ha.groups." + GROUP + ".";

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	private final List<Integer> ports = new ArrayList<>();

	/** Starts {@code count} instances, quorum 2, each with these extra properties. */
	static EndpointMembers start(LocalRedisGroup redis, int count, String... properties) {
		String[][] each = new String[count][];
		Arrays.fill(each, properties);
		return startEach(redis, each);
	}

	/**
	 * Starts one instance per array of extra properties, one after the other (Spring
	 * Boot's logging set-up is not made for applications starting at once in one JVM).
	 */
	static EndpointMembers startEach(LocalRedisGroup redis, String[]... properties) {
		EndpointMembers members = new EndpointMembers();
		for (String[] extra : properties) {
			int port = freePort();
			members.contexts.add(context(redis, port, extra));
			members.ports.add(port);
		}
		return members;
	}

	private static ConfigurableApplicationContext context(LocalRedisGroup redis, int port, String... properties) {
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

	RedisHaMember member(int i) {
		return this.contexts.get(i).getBean(RedisHaMember.class);
	}

	int port(int i) {
		return this.ports.get(i);
	}

	/** Every endpoint, {@code 127.0.0.1:port}. */
	List<NodeAddress> endpoints() {
		return this.ports.stream().map((port) -> new NodeAddress("127.0.0.1", port)).toList();
	}

	/**
	 * Waits until every member knows the master and the others' endpoints, and votes in a
	 * committed configuration: then a killed master is failed over.
	 */
	EndpointMembers awaitReady() {
		await("every member knows the master, the others' endpoints and a committed electorate").atMost(EVENTUALLY)
			.untilAsserted(() -> {
				for (int i = 0; i < this.contexts.size(); i++) {
					GroupSnapshot snapshot = member(i).snapshot(GROUP);
					assertThat(snapshot).isNotNull();
					assertThat(snapshot.master()).isNotNull();
					assertThat(snapshot.members()).filteredOn((peer) -> peer.endpoint() != null)
						.hasSize(this.contexts.size());
					assertThat(snapshot.electorate()).isNotNull();
					assertThat(snapshot.electorate().committed()).isTrue();
					assertThat(snapshot.electorate().voters()).hasSize(this.contexts.size());
				}
			});
		return this;
	}

	/**
	 * The master every member follows, once they agree on it and it differs from
	 * {@code old}.
	 */
	NodeAddress awaitNewMaster(NodeAddress old) {
		await("every member follows a new master").atMost(EVENTUALLY).untilAsserted(() -> {
			List<NodeAddress> masters = Stream.iterate(0, (i) -> i < this.contexts.size(), (i) -> i + 1)
				.map((i) -> member(i).snapshot(GROUP).master())
				.map((master) -> (master != null) ? master.address() : null)
				.toList();
			assertThat(masters).doesNotContainNull().doesNotContain(old);
			assertThat(masters).containsOnly(masters.get(0));
		});
		return member(0).snapshot(GROUP).master().address();
	}

	@Override
	public void close() {
		this.contexts.forEach(ConfigurableApplicationContext::close);
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot find a free loopback port", ex);
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ SslAutoConfiguration.class, RedisHaAutoConfiguration.class,
			RedisHaSentinelAutoConfiguration.class })
	static class App {

	}

}
