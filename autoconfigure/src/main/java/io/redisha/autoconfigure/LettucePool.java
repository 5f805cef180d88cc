package io.redisha.autoconfigure;

import io.lettuce.core.api.StatefulConnection;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettucePoolingClientConfiguration;
import org.springframework.util.ClassUtils;

/**
 * {@code spring.data.redis.lettuce.pool.*} as Spring Boot applies it: a pool of dedicated
 * connections when {@code enabled} is true, or unset with commons-pool2 on the classpath.
 */
final class LettucePool {

	private LettucePool() {
	}

	/**
	 * The client configuration builder to start from: a pooling one when the pool is on.
	 * @param pool Spring Boot's pool settings
	 * @param classLoader the application's, where commons-pool2 is looked for
	 * @throws InvalidConfigurationPropertyValueException when the pool is enabled without
	 * commons-pool2
	 */
	static LettuceClientConfiguration.LettuceClientConfigurationBuilder builder(DataRedisProperties.Pool pool,
			@Nullable ClassLoader classLoader) {
		boolean present = ClassUtils.isPresent("org.apache.commons.pool2.impl.GenericObjectPool", classLoader);
		boolean enabled = (pool.getEnabled() != null) ? pool.getEnabled() : present;
		if (!enabled) {
			return LettuceClientConfiguration.builder();
		}
		if (!present) {
			throw new InvalidConfigurationPropertyValueException("spring.data.redis.lettuce.pool.enabled", true,
					"A pool of Redis connections needs org.apache.commons:commons-pool2 on the classpath");
		}
		return Pooling.builder(pool);
	}

	/** Loaded only with commons-pool2 present. */
	private static final class Pooling {

		static LettuceClientConfiguration.LettuceClientConfigurationBuilder builder(DataRedisProperties.Pool pool) {
			GenericObjectPoolConfig<StatefulConnection<?, ?>> config = new GenericObjectPoolConfig<>();
			config.setMaxTotal(pool.getMaxActive());
			config.setMaxIdle(pool.getMaxIdle());
			config.setMinIdle(pool.getMinIdle());
			// A connection closed while borrowed (with read routing, one whose replicas
			// changed) is destroyed when it comes back, never handed out again.
			config.setTestOnReturn(true);
			if (pool.getTimeBetweenEvictionRuns() != null) {
				config.setTimeBetweenEvictionRuns(pool.getTimeBetweenEvictionRuns());
			}
			if (pool.getMaxWait() != null) {
				config.setMaxWait(pool.getMaxWait());
			}
			return LettucePoolingClientConfiguration.builder().poolConfig(config);
		}

	}

}
