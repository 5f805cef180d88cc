package io.redisha.autoconfigure;

import java.time.Duration;
import java.util.stream.Stream;

import io.redisha.member.TestGossip;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.MinReplicas;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.PartitionMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisHaProperties}: binding and the validation that stops an
 * application with a message naming the property and its value.
 */
class RedisHaPropertiesTest {

	private static final String NODES = "redis-ha.groups.orders.nodes=10.0.0.12:6379,10.0.0.14:6379";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(PropertiesConfiguration.class)
		.withPropertyValues("redis-ha.gossip-secret=" + TestGossip.SECRET);

	@Test
	void bindsGroupsWithDefaults() {
		this.runner.withPropertyValues(NODES).run((context) -> {
			GroupProperties orders = context.getBean(RedisHaProperties.class).getGroups().get("orders");
			assertThat(orders.nodeAddresses()).containsExactly(new NodeAddress("10.0.0.12", 6379),
					new NodeAddress("10.0.0.14", 6379));
			assertThat(orders.getQuorum()).isEqualTo(2);
			assertThat(orders.getDownAfter()).isEqualTo(Duration.ofSeconds(5));
			assertThat(orders.getFailoverTimeout()).isEqualTo(Duration.ofMinutes(3));
			assertThat(orders.getParallelSyncs()).isEqualTo(1);
			assertThat(orders.getCommandTimeout()).isEqualTo(Duration.ofSeconds(1));
			assertThat(orders.timing()).isEqualTo(GroupConfig.Timing.defaults());
			assertThat(orders.groupConfig("orders").fencing())
				.isEqualTo(new GroupConfig.Fencing(PartitionMode.CONSISTENT, Duration.ofSeconds(3)));
			assertThat(orders.minReplicas()).isEqualTo(MinReplicas.UNMANAGED);
			assertThat(orders.minReplicas().managed()).isFalse();
		});
	}

	@Test
	void bindsTheMasterSideFenceWithABareMaxLagInSecondsAsRedisHasIt() {
		this.runner
			.withPropertyValues(NODES, "redis-ha.groups.orders.min-replicas-to-write=1",
					"redis-ha.groups.orders.min-replicas-max-lag=5")
			.run((context) -> {
				GroupProperties orders = context.getBean(RedisHaProperties.class).getGroups().get("orders");
				assertThat(orders.minReplicas()).isEqualTo(new MinReplicas(1, Duration.ofSeconds(5)));
				assertThat(orders.minReplicas().managed()).isTrue();
			});
		this.runner.withPropertyValues(NODES, "redis-ha.groups.orders.min-replicas-max-lag=2m").run((context) -> {
			GroupProperties orders = context.getBean(RedisHaProperties.class).getGroups().get("orders");
			assertThat(orders.minReplicas().maxLagSeconds()).isEqualTo(120);
		});
	}

	@Test
	void bindsThePartitionFenceWhoseDefaultFenceAfterFollowsDownAfter() {
		this.runner.withPropertyValues(NODES, "redis-ha.groups.orders.down-after=2s").run((context) -> {
			GroupProperties orders = context.getBean(RedisHaProperties.class).getGroups().get("orders");
			assertThat(orders.getFenceAfter()).isNull();
			assertThat(orders.fencing()).isEqualTo(GroupConfig.Fencing.withDefaultFenceAfter(PartitionMode.CONSISTENT));
			assertThat(orders.groupConfig("orders").fencing())
				.isEqualTo(new GroupConfig.Fencing(PartitionMode.CONSISTENT, Duration.ofMillis(1200)));
		});
		this.runner
			.withPropertyValues(NODES, "redis-ha.groups.orders.partition-mode=available",
					"redis-ha.groups.orders.fence-after=4s")
			.run((context) -> {
				GroupProperties orders = context.getBean(RedisHaProperties.class).getGroups().get("orders");
				assertThat(orders.fencing())
					.isEqualTo(new GroupConfig.Fencing(PartitionMode.AVAILABLE, Duration.ofSeconds(4)));
			});
	}

	@Test
	void bindsHostNamesIpv6LiteralsAndEveryValue() {
		this.runner
			.withPropertyValues("redis-ha.groups.orders.nodes=redis-1.example.com:6379, [::1]:6380",
					"redis-ha.groups.orders.quorum=3", "redis-ha.groups.orders.down-after=1500ms",
					"redis-ha.groups.orders.failover-timeout=1m", "redis-ha.groups.orders.parallel-syncs=2",
					"redis-ha.groups.orders.username=app", "redis-ha.groups.orders.password=s3cret",
					"redis-ha.groups.orders.command-timeout=250ms", "redis-ha.groups.orders.ping-period=500ms",
					"redis-ha.groups.orders.info-period=5s", "redis-ha.groups.orders.hello-period=2s",
					"redis-ha.groups.orders.opinion-validity=4s", "redis-ha.groups.orders.member-expiry=10m",
					"redis-ha.groups.orders.startup-quiet-period=1s", "redis-ha.groups.orders.tilt-threshold=750ms",
					"redis-ha.groups.orders.tilt-duration=20s", "redis-ha.groups.orders.demote-after=6s",
					"redis-ha.groups.orders.master-reboot-down-after=10s", "redis-ha.primary-group=orders",
					"redis-ha.application-name=billing")
			.run((context) -> {
				RedisHaProperties properties = context.getBean(RedisHaProperties.class);
				GroupProperties orders = properties.getGroups().get("orders");
				assertThat(orders.nodeAddresses()).containsExactly(new NodeAddress("redis-1.example.com", 6379),
						new NodeAddress("::1", 6380));
				assertThat(orders.getQuorum()).isEqualTo(3);
				assertThat(orders.getDownAfter()).isEqualTo(Duration.ofMillis(1500));
				assertThat(orders.getFailoverTimeout()).isEqualTo(Duration.ofMinutes(1));
				assertThat(orders.getParallelSyncs()).isEqualTo(2);
				assertThat(orders.getUsername()).isEqualTo("app");
				assertThat(orders.getPassword()).isEqualTo("s3cret");
				assertThat(orders.getCommandTimeout()).isEqualTo(Duration.ofMillis(250));
				assertThat(orders.timing()).isEqualTo(new GroupConfig.Timing(Duration.ofMillis(500),
						Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofMinutes(10),
						Duration.ofSeconds(1), Duration.ofMillis(750), Duration.ofSeconds(20), Duration.ofSeconds(6),
						Duration.ofSeconds(10)));
				assertThat(properties.getPrimaryGroup()).isEqualTo("orders");
				assertThat(properties.getApplicationName()).isEqualTo("billing");
			});
	}

	@Test
	void aShortDownAfterLowersTheDefaultTiltThresholdButRefusesAnExplicitOneAboveHalfOfIt() {
		this.runner.withPropertyValues(NODES, "redis-ha.groups.orders.down-after=1s").run((context) -> {
			assertThat(context).hasNotFailed();
			GroupProperties orders = context.getBean(RedisHaProperties.class).getGroups().get("orders");
			assertThat(orders.getTiltThreshold()).isNull();
			assertThat(orders.timing().tiltThreshold()).isEqualTo(GroupConfig.Timing.defaults().tiltThreshold());
		});
		this.runner
			.withPropertyValues(NODES, "redis-ha.groups.orders.down-after=1s",
					"redis-ha.groups.orders.tilt-threshold=500ms")
			.run((context) -> assertThat(context).hasNotFailed());
		this.runner
			.withPropertyValues(NODES, "redis-ha.groups.orders.down-after=1s",
					"redis-ha.groups.orders.tilt-threshold=2s")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("redis-ha.groups.orders.tilt-threshold must be at most half of down-after,"
							+ " 500ms, but was 2s: a pause of this instance long enough to make a healthy master"
							+ " look down must enter TILT first");
			});
	}

	@Test
	void aGroupsOwnGossipSecretReplacesTheCommonOneAndAPreviousOneIsAcceptedAfterIt() {
		String previous = "previous-secret-of-32-characters";
		String stock = "stock-secret-of-some-32-characters";
		this.runner
			.withPropertyValues(NODES, "redis-ha.gossip-secret-previous=" + previous,
					"redis-ha.groups.stock.nodes=10.0.0.20:6379", "redis-ha.groups.stock.gossip-secret=" + stock)
			.run((context) -> {
				RedisHaProperties properties = context.getBean(RedisHaProperties.class);
				assertThat(properties.gossipSecrets(properties.getGroups().get("orders")))
					.containsExactly(TestGossip.SECRET, previous);
				assertThat(properties.gossipSecrets(properties.getGroups().get("stock"))).containsExactly(stock);
			});
	}

	@Test
	void aPreviousGossipSecretWithoutACurrentOneIsRefused() {
		this.runner.withPropertyValues(NODES, "redis-ha.groups.orders.gossip-secret-previous=" + "p".repeat(32))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining(
							"redis-ha.groups.orders.gossip-secret-previous is set but gossip-secret is not");
			});
	}

	@Test
	void everyInvalidValueOfAGroupIsReportedAtOnce() {
		this.runner
			.withPropertyValues(NODES, "redis-ha.groups.orders.parallel-syncs=0",
					"redis-ha.groups.orders.fence-after=0s", "redis-ha.groups.orders.ping-period=0s",
					"redis-ha.groups.orders.min-replicas-to-write=-1")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("redis-ha.groups.orders.parallel-syncs must be >= 1 but was 0")
					.hasMessageContaining("redis-ha.groups.orders.fence-after must be positive but was 0s")
					.hasMessageContaining("redis-ha.groups.orders.ping-period must be positive but was 0s")
					.hasMessageContaining("redis-ha.groups.orders.min-replicas-to-write must be >= 0 but was -1");
			});
	}

	@Test
	void anInvalidDownAfterIsNotBlamedOnTheDefaultFenceAfter() {
		this.runner.withPropertyValues(NODES, "redis-ha.groups.orders.down-after=-1s").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("redis-ha.groups.orders.down-after must be positive but was -1s")
				.hasMessageNotContaining("fence-after");
		});
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidValues")
	void invalidValueFailsStartupNamingPropertyAndValue(String property, String expectedMessage) {
		this.runner.withPropertyValues(NODES, property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(expectedMessage);
		});
	}

	static Stream<Arguments> invalidValues() {
		return Stream.of(
				invalid("redis-ha.groups.orders.quorum=0", "redis-ha.groups.orders.quorum must be >= 1 but was 0"),
				invalid("redis-ha.groups.orders.quorum=6",
						"redis-ha.groups.orders.quorum must be <= voters (5) but was 6: only voters count towards it"),
				invalid("redis-ha.groups.orders.voters=9",
						"redis-ha.groups.orders.voters must be between 1 and 8 but was 9"),
				invalid("redis-ha.groups.orders.parallel-syncs=-1",
						"redis-ha.groups.orders.parallel-syncs must be >= 1 but was -1"),
				invalid("redis-ha.groups.orders.down-after=-1s",
						"redis-ha.groups.orders.down-after must be positive but was -1s"),
				invalid("redis-ha.groups.orders.failover-timeout=0",
						"redis-ha.groups.orders.failover-timeout must be positive but was 0s"),
				invalid("redis-ha.groups.orders.command-timeout=0ms",
						"redis-ha.groups.orders.command-timeout must be positive but was 0s"),
				invalid("redis-ha.groups.orders.ping-period=-250ms",
						"redis-ha.groups.orders.ping-period must be positive but was -250ms"),
				invalid("redis-ha.groups.orders.info-period=0s",
						"redis-ha.groups.orders.info-period must be positive but was 0s"),
				invalid("redis-ha.groups.orders.hello-period=0s",
						"redis-ha.groups.orders.hello-period must be positive but was 0s"),
				invalid("redis-ha.groups.orders.opinion-validity=0s",
						"redis-ha.groups.orders.opinion-validity must be positive but was 0s"),
				invalid("redis-ha.groups.orders.member-expiry=-1m",
						"redis-ha.groups.orders.member-expiry must be positive but was -60s"),
				invalid("redis-ha.groups.orders.startup-quiet-period=0s",
						"redis-ha.groups.orders.startup-quiet-period must be positive but was 0s"),
				invalid("redis-ha.groups.orders.tilt-threshold=0s",
						"redis-ha.groups.orders.tilt-threshold must be positive but was 0s"),
				invalid("redis-ha.groups.orders.tilt-duration=0s",
						"redis-ha.groups.orders.tilt-duration must be positive but was 0s"),
				invalid("redis-ha.groups.orders.demote-after=0s",
						"redis-ha.groups.orders.demote-after must be positive but was 0s"),
				invalid("redis-ha.groups.orders.master-reboot-down-after=-1s",
						"redis-ha.groups.orders.master-reboot-down-after must be >= 0 but was -1s"),
				invalid("redis-ha.groups.orders.min-replicas-to-write=-1",
						"redis-ha.groups.orders.min-replicas-to-write must be >= 0 but was -1"),
				invalid("redis-ha.groups.orders.min-replicas-max-lag=500ms",
						"redis-ha.groups.orders.min-replicas-max-lag must be whole seconds, at least 1s (Redis counts "
								+ "the lag in seconds) but was 500ms"),
				invalid("redis-ha.groups.orders.min-replicas-max-lag=1500ms",
						"redis-ha.groups.orders.min-replicas-max-lag must be whole seconds"),
				invalid("redis-ha.groups.orders.min-replicas-max-lag=0",
						"redis-ha.groups.orders.min-replicas-max-lag must be whole seconds, at least 1s"),
				invalid("redis-ha.groups.orders.tilt-threshold=3s",
						"redis-ha.groups.orders.tilt-threshold must be at most half of down-after, 2500ms, but was 3s"),
				invalid("redis-ha.groups.orders.fence-after=0s",
						"redis-ha.groups.orders.fence-after must be positive but was 0s"),
				invalid("redis-ha.groups.orders.fence-after=5s",
						"redis-ha.groups.orders.fence-after must be shorter than down-after (5s) but was 5s: writes"
								+ " must be refused before the other side of a partition may see the master down"),
				invalid("redis-ha.groups.orders.nodes=",
						"redis-ha.groups.orders.nodes must list at least one host:port node of the group but was empty"),
				invalid("redis-ha.groups.orders.nodes=10.0.0.12",
						"redis-ha.groups.orders.nodes has an invalid node: '10.0.0.12' is not a host:port address"),
				invalid("redis-ha.groups.orders.nodes=10.0.0.12:6379,10.0.0.14:99999",
						"redis-ha.groups.orders.nodes has an invalid node: '10.0.0.14:99999' has a port outside 1..65535"),
				invalid("redis-ha.groups.orders.nodes=::1:6379",
						"redis-ha.groups.orders.nodes has an invalid node: '::1:6379' is not a host:port address"),
				invalid("redis-ha.groups.orders.nodes=rediss://10.0.0.12:6379",
						"redis-ha.groups.orders.nodes has an invalid node: 'rediss://10.0.0.12:6379' is not a host:port "
								+ "address: write nodes without a scheme; TLS is spring.data.redis.ssl.enabled or "
								+ "spring.data.redis.ssl.bundle"),
				invalid("redis-ha.groups.orders.nodes=redis:six",
						"redis-ha.groups.orders.nodes has an invalid node: 'redis:six' has no valid port"),
				invalid("redis-ha.groups[or/ders].nodes=10.0.0.12:6379",
						"redis-ha.groups has a group named 'or/ders' which is not a valid group name"),
				invalid("redis-ha.primary-group=payments",
						"redis-ha.primary-group refers to an unknown group: it must be one of [orders] but was 'payments'"),
				invalid("redis-ha.groups.orders.username=app",
						"redis-ha.groups.orders.username is set to 'app' but password is not: Redis authenticates a"
								+ " user with both (AUTH username password)"),
				invalid("redis-ha.groups.orders.username= ", "redis-ha.groups.orders.username must not be blank"),
				invalid("redis-ha.groups.orders.password=",
						"redis-ha.groups.orders.password must not be empty: leave it unset when the nodes need no"
								+ " password"),
				invalid("redis-ha.application-name= ", "redis-ha.application-name must not be blank but was ''"));
	}

	private static Arguments invalid(String property, String expectedMessage) {
		return Arguments.of(property, expectedMessage);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(RedisHaProperties.class)
	static class PropertiesConfiguration {

	}

}
