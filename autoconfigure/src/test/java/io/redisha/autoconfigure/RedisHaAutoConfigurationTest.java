package io.redisha.autoconfigure;

import java.time.Duration;
import java.util.List;

import io.redisha.actuate.RedisHaEndpoint;
import io.redisha.actuate.RedisHaHealthIndicator;
import io.redisha.member.GroupSettings;
import io.redisha.member.RedisHaMember;
import io.redisha.member.TestGossip;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.support.ConfigurableConversionService;

import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link RedisHaAutoConfiguration}, {@link RedisHaEndpointAutoConfiguration}
 * and {@link RedisHaHealthAutoConfiguration}. The members here point at a port nothing
 * listens on: these tests are about wiring, not about Redis.
 */
class RedisHaAutoConfigurationTest {

	private static final String GROUP = "redis-ha.groups.orders.nodes=127.0.0.1:1";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment()
			.setConversionService((ConfigurableConversionService) ApplicationConversionService.getSharedInstance()))
		.withConfiguration(AutoConfigurations.of(RedisHaAutoConfiguration.class, RedisHaEndpointAutoConfiguration.class,
				RedisHaHealthAutoConfiguration.class))
		.withPropertyValues("redis-ha.gossip-secret=" + TestGossip.SECRET);

	private final ApplicationContextRunner actuatorRunner = this.runner
		.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class,
				HealthContributorAutoConfiguration.class));

	private final WebApplicationContextRunner webRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisHaAutoConfiguration.class, RedisHaEndpointAutoConfiguration.class,
				EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class))
		.withPropertyValues("redis-ha.gossip-secret=" + TestGossip.SECRET);

	@Test
	void noGroupConfiguredCreatesNoMember() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(RedisHaProperties.class);
			assertThat(context).doesNotHaveBean(RedisHaMember.class);
			assertThat(context).doesNotHaveBean(RedisHaMemberLifecycle.class);
			assertThat(context).doesNotHaveBean(RedisHaEndpoint.class);
			assertThat(context).doesNotHaveBean(RedisHaHealthIndicator.class);
		});
	}

	@Test
	void backsOffWhenDisabled() {
		this.runner.withPropertyValues(GROUP, "redis-ha.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(RedisHaProperties.class);
			assertThat(context).doesNotHaveBean(RedisHaMember.class);
			assertThat(context).doesNotHaveBean(RedisHaEndpoint.class);
			assertThat(context).doesNotHaveBean(RedisHaHealthIndicator.class);
		});
	}

	@Test
	void disabledIgnoresInvalidValues() {
		this.runner.withPropertyValues(GROUP, "redis-ha.groups.orders.quorum=0", "redis-ha.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void groupConfiguredCreatesAndStartsMember() {
		this.actuatorRunner.withPropertyValues(GROUP, "spring.application.name=billing").run((context) -> {
			RedisHaMember member = context.getBean(RedisHaMember.class);
			assertThat(member.isRunning()).isTrue();
			assertThat(member.identity().id()).matches("[0-9a-f]{12}");
			assertThat(member.identity().application()).isEqualTo("billing");
			await().atMost(EVENTUALLY).untilAsserted(() -> assertThat(member.snapshots()).containsOnlyKeys("orders"));
			assertThat(context).hasSingleBean(RedisHaMemberLifecycle.class);
			assertThat(context).hasSingleBean(RedisHaHealthIndicator.class);
			assertThat(context).hasBean("redisHaHealthIndicator");
		});
	}

	@Test
	void memberStopsWhenContextCloses() {
		this.runner.withPropertyValues(GROUP).run((context) -> {
			RedisHaMember member = context.getBean(RedisHaMember.class);
			context.close();
			assertThat(member.isRunning()).isFalse();
		});
	}

	@Test
	void applicationNamePropertyWinsOverSpringApplicationName() {
		this.runner.withPropertyValues(GROUP, "spring.application.name=billing", "redis-ha.application-name=ledger")
			.run((context) -> assertThat(context.getBean(RedisHaMember.class).identity().application())
				.isEqualTo("ledger"));
	}

	@Test
	void applicationNameDefaultsToApplication() {
		this.runner.withPropertyValues(GROUP)
			.run((context) -> assertThat(context.getBean(RedisHaMember.class).identity().application())
				.isEqualTo("application"));
	}

	@Test
	void everyStartGetsANewMemberId() {
		String[] ids = new String[2];
		this.runner.withPropertyValues(GROUP)
			.run((context) -> ids[0] = context.getBean(RedisHaMember.class).identity().id());
		this.runner.withPropertyValues(GROUP)
			.run((context) -> ids[1] = context.getBean(RedisHaMember.class).identity().id());
		assertThat(ids[0]).isNotEqualTo(ids[1]);
	}

	@Test
	void backsOffWhenUserDefinesMember() {
		this.runner.withPropertyValues(GROUP).withUserConfiguration(UserMemberConfiguration.class).run((context) -> {
			RedisHaMember member = context.getBean(RedisHaMember.class);
			assertThat(member.identity().id()).isEqualTo("user-member");
			assertThat(member.isRunning()).isTrue();
		});
	}

	@Test
	void endpointIsCreatedWhenExposedAndMappedToRedisHaPath() {
		this.webRunner.withPropertyValues(GROUP, "management.endpoints.web.exposure.include=redis-ha")
			.run((context) -> {
				assertThat(context).hasSingleBean(RedisHaEndpoint.class);
				assertThat(context.getBean(PathMappedEndpoints.class).getPath(RedisHaEndpoint.ENDPOINT_ID))
					.isEqualTo("/actuator/redis-ha");
			});
	}

	@Test
	void userPathMappingWinsOverDefaultPath() {
		this.webRunner
			.withPropertyValues(GROUP, "management.endpoints.web.exposure.include=redis-ha",
					"management.endpoints.web.path-mapping.redis-ha=ha")
			.run((context) -> assertThat(
					context.getBean(PathMappedEndpoints.class).getPath(RedisHaEndpoint.ENDPOINT_ID))
				.isEqualTo("/actuator/ha"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "management.endpoint.redis-ha.access=none", "management.endpoint.redisha.access=none" })
	void endpointAccessPropertyAppliesAsWrittenWithTheDash(String property) {
		this.actuatorRunner.withPropertyValues(GROUP, "management.endpoints.web.exposure.include=redis-ha", property)
			.run((context) -> {
				assertThat(context).hasSingleBean(RedisHaMember.class);
				assertThat(context).doesNotHaveBean(RedisHaEndpoint.class);
			});
	}

	@Test
	void endpointIsNotCreatedWhenNotExposed() {
		this.actuatorRunner.withPropertyValues(GROUP).run((context) -> {
			assertThat(context).hasSingleBean(RedisHaMember.class);
			assertThat(context).doesNotHaveBean(RedisHaEndpoint.class);
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "management.health.redisha.enabled=false", "management.health.redis-ha.enabled=false" })
	void healthIndicatorBacksOffWhenDisabled(String property) {
		this.actuatorRunner.withPropertyValues(GROUP, property).run((context) -> {
			assertThat(context).hasSingleBean(RedisHaMember.class);
			assertThat(context).doesNotHaveBean(RedisHaHealthIndicator.class);
		});
	}

	@Test
	void worksWithoutActuatorOrHealthOnTheClassPath() {
		this.runner.withPropertyValues(GROUP, "management.endpoints.web.exposure.include=redis-ha")
			.withClassLoader(
					new FilteredClassLoader("org.springframework.boot.actuate", "org.springframework.boot.health"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(RedisHaMember.class).isRunning()).isTrue();
				assertThat(context).doesNotHaveBean("redisHaEndpoint");
				assertThat(context).doesNotHaveBean("redisHaHealthIndicator");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserMemberConfiguration {

		@Bean
		RedisHaMember userMember() {
			GroupConfig config = new GroupConfig("orders", List.of(new NodeAddress("127.0.0.1", 1)), 1,
					Duration.ofSeconds(5), Duration.ofMinutes(3), 1, GroupConfig.Timing.defaults());
			return new RedisHaMember(new MemberIdentity("user-member", "user"),
					List.of(new GroupSettings(config, null, null, Duration.ofSeconds(1), TestGossip.SEAL)));
		}

	}

}
