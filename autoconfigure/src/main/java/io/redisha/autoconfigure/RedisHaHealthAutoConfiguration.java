package io.redisha.autoconfigure;

import io.redisha.actuate.RedisHaHealthIndicator;
import io.redisha.member.RedisHaMember;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code redisHa} health contributor.
 */
@AutoConfiguration(after = RedisHaAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(RedisHaMember.class)
public final class RedisHaHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "redisHaHealthIndicator")
	@ConditionalOnEnabledHealthIndicator("redisha")
	RedisHaHealthIndicator redisHaHealthIndicator(RedisHaMember member) {
		return new RedisHaHealthIndicator(member);
	}

}
