package io.redisha.autoconfigure;

import io.redisha.member.RedisHaMember;
import io.redisha.sentinel.SentinelServer;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the Sentinel-protocol endpoint, when {@code redis-ha.sentinel.port}
 * is set: Sentinel clients in any language find the master through this instance.
 */
@AutoConfiguration(after = RedisHaAutoConfiguration.class)
@ConditionalOnBean(RedisHaMember.class)
@ConditionalOnProperty(name = RedisHaSentinelProperties.PREFIX + ".port")
public final class RedisHaSentinelAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SentinelServer redisHaSentinelServer(RedisHaMember member, RedisHaSentinelProperties properties) {
		return new SentinelServer(member, properties.settings());
	}

}
