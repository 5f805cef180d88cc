package io.redisha.autoconfigure;

import io.lettuce.core.ReadFrom;
import io.redisha.connection.MasterFollowingConnectionFactory;
import io.redisha.connection.RedisHaConnectionFactories;
import io.redisha.event.RedisHaEventPublisher;
import io.redisha.event.RedisNotifications;
import io.redisha.member.TestGossip;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.support.ConfigurableConversionService;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettucePoolingClientConfiguration;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link RedisHaConnectionAutoConfiguration} and
 * {@link RedisHaEventAutoConfiguration} with Spring Boot's own Redis auto-configuration.
 * The groups point at ports nothing listens on: these tests are about wiring.
 */
class RedisHaConnectionAutoConfigurationTest {

	private static final String ORDERS = "redis-ha.groups.orders.nodes=127.0.0.1:1";

	private static final String STOCK = "redis-ha.groups.stock.nodes=127.0.0.1:2";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment()
			.setConversionService((ConfigurableConversionService) ApplicationConversionService.getSharedInstance()))
		.withConfiguration(
				AutoConfigurations.of(RedisHaAutoConfiguration.class, RedisHaConnectionAutoConfiguration.class,
						RedisHaEventAutoConfiguration.class, DataRedisAutoConfiguration.class))
		.withPropertyValues("redis-ha.gossip-secret=" + TestGossip.SECRET);

	@Test
	void theOnlyGroupBacksSpringBootsTemplates() {
		this.runner.withPropertyValues(ORDERS).run((context) -> {
			assertThat(context).hasSingleBean(RedisConnectionFactory.class);
			MasterFollowingConnectionFactory factory = context.getBean(MasterFollowingConnectionFactory.class);
			assertThat(factory.getRoute().group()).isEqualTo("orders");
			assertThat(context.getBean(StringRedisTemplate.class).getConnectionFactory()).isSameAs(factory);
			assertThat(context).hasSingleBean(RedisHaEventPublisher.class);
			assertThat(context).hasSingleBean(RedisNotifications.class);
		});
	}

	@Test
	void thePrimaryGroupIsFollowedWhenSeveralAreConfigured() {
		this.runner.withPropertyValues(ORDERS, STOCK, "redis-ha.primary-group=stock")
			.run((context) -> assertThat(context.getBean(MasterFollowingConnectionFactory.class).getRoute().group())
				.isEqualTo("stock"));
	}

	@Test
	void everyGroupHasAFactoryThePrimaryOneBeingTheApplicationsFactory() {
		this.runner.withPropertyValues(ORDERS, STOCK, "redis-ha.primary-group=stock").run((context) -> {
			RedisHaConnectionFactories factories = context.getBean(RedisHaConnectionFactories.class);
			assertThat(factories.get("stock")).isSameAs(context.getBean(RedisConnectionFactory.class));
			MasterFollowingConnectionFactory orders = factories.get("orders");
			assertThat(orders.getRoute().group()).isEqualTo("orders");
			assertThat(orders.isRunning()).isTrue();
			assertThat(factories.get("orders")).isSameAs(orders);
			assertThatIllegalArgumentException().isThrownBy(() -> factories.get("nope"))
				.withMessage("No redis-ha group 'nope': the configured groups are [orders, stock]");
		});
	}

	@Test
	void severalGroupsWithoutPrimaryGroupFailNamingTheProperty() {
		this.runner.withPropertyValues(ORDERS, STOCK)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("redis-ha.primary-group")
				.hasMessageContaining("[orders, stock]"));
	}

	@Test
	void negativeFailoverWaitFailsNamingTheProperty() {
		this.runner.withPropertyValues(ORDERS, "redis-ha.groups.orders.failover-wait=-1s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("redis-ha.groups.orders.failover-wait must be >= 0 but was -1s"));
	}

	@Test
	void unknownReadFromFailsNamingThePropertyAndTheValue() {
		this.runner.withPropertyValues(ORDERS, "redis-ha.groups.orders.read-from=sideways")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("redis-ha.groups.orders.read-from must be one of Lettuce's ReadFrom names")
				.hasMessageContaining("but was 'sideways'"));
	}

	@Test
	void readFromRoutesReadsThroughLettuce() {
		this.runner.withPropertyValues(ORDERS, "redis-ha.groups.orders.read-from=replicaPreferred")
			.run((context) -> assertThat(
					context.getBean(MasterFollowingConnectionFactory.class).getClientConfiguration().getReadFrom())
				.contains(ReadFrom.REPLICA_PREFERRED));
	}

	@Test
	void springBootsReadFromAppliesToAGroupWithoutItsOwn() {
		this.runner
			.withPropertyValues(ORDERS, STOCK, "redis-ha.primary-group=orders", "redis-ha.groups.stock.read-from=any",
					"spring.data.redis.lettuce.read-from=replica-preferred")
			.run((context) -> {
				assertThat(
						context.getBean(MasterFollowingConnectionFactory.class).getClientConfiguration().getReadFrom())
					.contains(ReadFrom.REPLICA_PREFERRED);
				assertThat(context.getBean(RedisHaConnectionFactories.class)
					.get("stock")
					.getClientConfiguration()
					.getReadFrom()).contains(ReadFrom.ANY);
			});
	}

	@Test
	void anUnknownSpringBootReadFromFailsNamingTheProperty() {
		this.runner.withPropertyValues(ORDERS, "spring.data.redis.lettuce.read-from=sideways")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("spring.data.redis.lettuce.read-from")
				.hasMessageContaining("Not one of Lettuce's ReadFrom names"));
	}

	@Test
	void springBootsPoolSettingsPoolTheDedicatedConnections() {
		this.runner
			.withPropertyValues(ORDERS, "spring.data.redis.lettuce.pool.enabled=true",
					"spring.data.redis.lettuce.pool.max-active=3", "spring.data.redis.lettuce.pool.min-idle=1")
			.run((context) -> {
				LettuceClientConfiguration configuration = context.getBean(MasterFollowingConnectionFactory.class)
					.getClientConfiguration();
				assertThat(configuration).isInstanceOf(LettucePoolingClientConfiguration.class);
				assertThat(((LettucePoolingClientConfiguration) configuration).getPoolConfig().getMaxTotal())
					.isEqualTo(3);
				assertThat(((LettucePoolingClientConfiguration) configuration).getPoolConfig().getMinIdle())
					.isEqualTo(1);
			});
	}

	@Test
	void withThePoolDisabledTheDedicatedConnectionsAreNotPooled() {
		this.runner.withPropertyValues(ORDERS, "spring.data.redis.lettuce.pool.enabled=false")
			.run((context) -> assertThat(
					context.getBean(MasterFollowingConnectionFactory.class).getClientConfiguration())
				.isNotInstanceOf(LettucePoolingClientConfiguration.class));
	}

	@Test
	void aPoolEnabledWithoutCommonsPool2FailsNamingTheProperty() {
		this.runner.withClassLoader(new FilteredClassLoader(GenericObjectPool.class))
			.withPropertyValues(ORDERS, "spring.data.redis.lettuce.pool.enabled=true")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("spring.data.redis.lettuce.pool.enabled")
				.hasMessageContaining("needs org.apache.commons:commons-pool2 on the classpath"));
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "spring.data.redis.sentinel.master=orders",
			"spring.data.redis.sentinel.nodes=127.0.0.1:26379", "spring.data.redis.cluster.nodes=127.0.0.1:7000",
			"spring.data.redis.masterreplica.nodes=127.0.0.1:6379", "spring.data.redis.client-type=jedis" })
	void springBootsSettingsForAnotherKindOfConnectionStopTheStartNamingTheProperty(String setting) {
		String property = setting.substring(0, setting.indexOf('='));
		this.runner.withPropertyValues(ORDERS, setting)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("Property " + property)
				.hasMessageContaining("With redis-ha enabled")
				.hasMessageContaining("or set redis-ha.enabled=false"));
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "spring.data.redis.host=10.0.0.9", "spring.data.redis.port=6390",
			"spring.data.redis.username=app", "spring.data.redis.password=s3cr3t-value" })
	void springBootsAddressAndCredentialsStopTheStartNamingThePropertyNeverThePassword(String setting) {
		String property = setting.substring(0, setting.indexOf('='));
		this.runner.withPropertyValues(ORDERS, setting)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("Property " + property)
				.hasMessageContaining("redis-ha.groups.<group>.nodes")
				.hasMessageNotContaining("s3cr3t-value"));
	}

	@Test
	void backsOffWhenTheApplicationDefinesItsOwnFactory() {
		this.runner.withPropertyValues(ORDERS).withUserConfiguration(OwnFactory.class).run((context) -> {
			assertThat(context).hasSingleBean(RedisConnectionFactory.class);
			assertThat(context).doesNotHaveBean(MasterFollowingConnectionFactory.class);
			assertThat(context.getBean(RedisConnectionFactory.class)).isSameAs(context.getBean("ownFactory"));
		});
	}

	@Test
	void disabledLeavesSpringBootsOwnSentinelSupportUntouched() {
		this.runner
			.withPropertyValues(ORDERS, "redis-ha.enabled=false", "spring.data.redis.sentinel.master=orders",
					"spring.data.redis.sentinel.nodes=127.0.0.1:26379")
			.run((context) -> {
				assertThat(context).hasSingleBean(RedisConnectionFactory.class);
				assertThat(context).doesNotHaveBean(MasterFollowingConnectionFactory.class);
				assertThat(context).doesNotHaveBean(RedisHaEventPublisher.class);
				LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
				assertThat(factory.isRedisSentinelAware()).isTrue();
				assertThat(factory.getSentinelConfiguration().getMaster().getName()).isEqualTo("orders");
			});
	}

	@Test
	void tlsAskedOfSpringBootIsUsedByTheApplicationsConnections() {
		this.runner.withPropertyValues(ORDERS, "spring.data.redis.ssl.enabled=true").run((context) -> {
			MasterFollowingConnectionFactory factory = context.getBean(MasterFollowingConnectionFactory.class);
			assertThat(factory.getClientConfiguration().isUseSsl()).isTrue();
			assertThat(factory.getClientConfiguration().isVerifyPeer()).isTrue();
		});
	}

	@Test
	void aRedissUrlTurnsTlsOn() {
		this.runner.withPropertyValues(ORDERS, "spring.data.redis.url=rediss://ignored:6379")
			.run((context) -> assertThat(
					context.getBean(MasterFollowingConnectionFactory.class).getClientConfiguration().isUseSsl())
				.isTrue());
	}

	@Test
	void plainTextUnlessTlsIsAskedFor() {
		this.runner.withPropertyValues(ORDERS, "spring.data.redis.url=redis://ignored:6379")
			.run((context) -> assertThat(
					context.getBean(MasterFollowingConnectionFactory.class).getClientConfiguration().isUseSsl())
				.isFalse());
	}

	@Test
	void anUnknownSslBundleFailsNamingTheProperty() {
		this.runner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
			.withPropertyValues(ORDERS, "spring.data.redis.ssl.bundle=nope")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("spring.data.redis.ssl.bundle")
				.hasMessageContaining("No SSL bundle is named 'nope'"));
	}

	@Test
	void withoutGroupsSpringBootsStandaloneFactoryIsUsed() {
		this.runner.withPropertyValues("spring.data.redis.port=6390").run((context) -> {
			assertThat(context).doesNotHaveBean(MasterFollowingConnectionFactory.class);
			assertThat(context.getBean(LettuceConnectionFactory.class).getPort()).isEqualTo(6390);
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnFactory {

		@Bean
		LettuceConnectionFactory ownFactory() {
			return new LettuceConnectionFactory("127.0.0.1", 6391);
		}

	}

}
