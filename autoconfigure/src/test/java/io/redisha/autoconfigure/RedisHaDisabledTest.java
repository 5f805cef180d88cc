package io.redisha.autoconfigure;

import io.redisha.connection.MasterFollowingConnectionFactory;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.member.RedisHaMember;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code redis-ha.enabled=false} against a real server: Spring Boot's own factory, from
 * {@code spring.data.redis}, does the writes.
 */
class RedisHaDisabledTest {

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(1).perClass();

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(RedisHaAutoConfiguration.class, RedisHaConnectionAutoConfiguration.class,
					RedisHaEventAutoConfiguration.class, DataRedisAutoConfiguration.class));

	@Test
	void springBootsOwnFactoryWritesWhereSpringDataRedisSays() {
		RedisServerProcess master = redis.group().master();
		RedisServerProcess replica = redis.group().node(1);
		// The group names the replica; with redis-ha disabled nothing follows it.
		this.runner
			.withPropertyValues("redis-ha.enabled=false", "redis-ha.groups.orders.nodes=" + replica.address(),
					"spring.data.redis.host=" + master.host(), "spring.data.redis.port=" + master.port())
			.run((context) -> {
				assertThat(context).doesNotHaveBean(RedisHaMember.class);
				assertThat(context).doesNotHaveBean(MasterFollowingConnectionFactory.class);
				assertThat(context.getBean(RedisConnectionFactory.class))
					.isExactlyInstanceOf(LettuceConnectionFactory.class);
				context.getBean(StringRedisTemplate.class).opsForValue().set("disabled", "spring boot's own");
			});
		assertThat(master.command("GET", "disabled")).isEqualTo("spring boot's own");
	}

}
