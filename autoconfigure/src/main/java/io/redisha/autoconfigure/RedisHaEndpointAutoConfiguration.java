package io.redisha.autoconfigure;

import io.redisha.actuate.RedisHaEndpoint;
import io.redisha.member.RedisHaMember;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.web.PathMapper;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link RedisHaEndpoint}, at {@code /actuator/redis-ha}.
 */
@AutoConfiguration(after = RedisHaAutoConfiguration.class,
		afterName = "org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration")
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(RedisHaMember.class)
public final class RedisHaEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	RedisHaEndpoint redisHaEndpoint(RedisHaMember member) {
		return new RedisHaEndpoint(member);
	}

	/**
	 * Maps the endpoint to {@code redis-ha}. Ordered after Spring Boot's mapper (this
	 * auto-configuration runs after it), so that
	 * {@code management.endpoints.web.path-mapping.redis-ha} still wins.
	 * @return the path mapper
	 */
	@Bean
	PathMapper redisHaEndpointPathMapper() {
		return (endpointId) -> RedisHaEndpoint.ENDPOINT_ID.equals(endpointId) ? RedisHaEndpoint.PATH : null;
	}

}
