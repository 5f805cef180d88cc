package io.redisha.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.redisha.connection.MasterFollowingConnectionFactory;
import io.redisha.connection.RedisHaConnectionFactories;
import io.redisha.member.RedisHaMember;
import io.redisha.member.TestGossip;
import io.redisha.redis.LinkResources;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.convert.support.ConfigurableConversionService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the Lettuce resources of {@link RedisHaAutoConfiguration} and
 * {@link RedisHaConnectionAutoConfiguration}: the member and the disconnector share
 * redis-ha's own, every group's factory the application's, and each is closed after what
 * uses it. The groups point at ports nothing listens on: these tests are about wiring.
 */
class RedisHaClientResourcesTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment()
			.setConversionService((ConfigurableConversionService) ApplicationConversionService.getSharedInstance()))
		.withConfiguration(AutoConfigurations.of(RedisHaAutoConfiguration.class,
				RedisHaConnectionAutoConfiguration.class, DataRedisAutoConfiguration.class))
		.withPropertyValues("redis-ha.gossip-secret=" + TestGossip.SECRET, "redis-ha.groups.orders.nodes=127.0.0.1:1",
				"redis-ha.groups.stock.nodes=127.0.0.1:2", "redis-ha.primary-group=orders");

	@Test
	void everyFactoryBorrowsTheThreadsOfOneClientResourcesSpringBootsBacksOff() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(ClientResources.class);
			ClientResources shared = context.getBean("lettuceClientResources", ClientResources.class);
			RedisHaConnectionFactories factories = context.getBean(RedisHaConnectionFactories.class);
			assertThat(factories.get("orders")).isSameAs(context.getBean(MasterFollowingConnectionFactory.class));
			for (String group : List.of("orders", "stock")) {
				assertBorrows(factories.get(group), shared);
			}
		});
	}

	@Test
	void theSharedResourcesAreBuiltWithTheCustomizers() {
		this.runner
			.withBean(ClientResourcesBuilderCustomizer.class, () -> (builder) -> builder.computationThreadPoolSize(3))
			.run((context) -> {
				ClientResources shared = context.getBean(ClientResources.class);
				assertThat(shared.computationThreadPoolSize()).isEqualTo(3);
				assertBorrows(context.getBean(MasterFollowingConnectionFactory.class), shared);
			});
	}

	@Test
	void theApplicationsOwnClientResourcesAreUsedAndLeftToIt() throws Exception {
		DefaultClientResources own = DefaultClientResources.create();
		try {
			this.runner.withBean("applicationClientResources", ClientResources.class, () -> own, (definition) -> {
				// The application shuts them down itself, after the context.
				definition.setDestroyMethodName("");
			}).run((context) -> {
				assertThat(context).hasSingleBean(ClientResources.class);
				assertThat(context.getBean(ClientResources.class)).isSameAs(own);
				for (String group : List.of("orders", "stock")) {
					assertBorrows(context.getBean(RedisHaConnectionFactories.class).get(group), own);
				}
			});
			// The factories shut down their copies only: the application's threads run
			// on.
			assertThat(own.eventExecutorGroup().isShuttingDown()).isFalse();
			assertThat(own.eventExecutorGroup().submit(() -> "still running").get()).isEqualTo("still running");
		}
		finally {
			own.shutdown();
		}
	}

	@Test
	void theMemberKeepsRedisHasOwnThreadsApartFromTheApplications() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(LinkResources.class);
			LinkResources links = context.getBean(LinkResources.class);
			ClientResources application = context.getBean(ClientResources.class);
			assertThat(links.clientResources().eventExecutorGroup()).isNotSameAs(application.eventExecutorGroup());
			assertThat(links.clientResources().timer()).isNotSameAs(application.timer());
			assertThat(context.getBeanFactory().getDependenciesForBean("redisHaMember"))
				.contains("redisHaLinkResources");
		});
	}

	@Test
	void everythingIsClosedBeforeTheResourcesItRunsOn() {
		List<String> destroyed = new ArrayList<>();
		this.runner.withBean(DestructionOrder.class, () -> new DestructionOrder(destroyed)).run((context) -> {
			assertThat(context).hasSingleBean(RedisHaMember.class);
		});
		assertThat(destroyed).containsSubsequence("redisHaMember", "redisHaLinkResources");
		assertThat(destroyed).containsSubsequence("redisConnectionFactory", "lettuceClientResources");
		assertThat(destroyed).containsSubsequence("redisHaConnectionFactories", "lettuceClientResources");
	}

	/** The factory's client uses the shared resources' threads. */
	private static void assertBorrows(MasterFollowingConnectionFactory factory, ClientResources shared) {
		ClientResources used = factory.getClientConfiguration().getClientResources().orElseThrow();
		assertThat(used.eventLoopGroupProvider()).isSameAs(shared.eventLoopGroupProvider());
		assertThat(used.eventExecutorGroup()).isSameAs(shared.eventExecutorGroup());
		assertThat(used.timer()).isSameAs(shared.timer());
	}

	/** Notes the name of every bean as it is destroyed. */
	record DestructionOrder(List<String> destroyed) implements DestructionAwareBeanPostProcessor {

		@Override
		public void postProcessBeforeDestruction(Object bean, String beanName) {
			this.destroyed.add(beanName);
		}

	}

}
