package io.redisha.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.redisha.actuate.RedisHaMetrics;
import io.redisha.member.RedisHaMember;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code redis.ha.*} Micrometer meters, bound to every registry
 * Spring Boot's metrics auto-configuration sets up.
 */
@AutoConfiguration(after = RedisHaAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(RedisHaMember.class)
public final class RedisHaMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	RedisHaMetrics redisHaMetrics(RedisHaMember member) {
		return new RedisHaMetrics(member);
	}

}
