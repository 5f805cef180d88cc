package io.redisha.sample;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import io.redisha.embedded.LocalRedisGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The sample's embedded default: when no {@code redis-ha.groups} are configured (and
 * redis-ha is not disabled), starts a local master and two replicas and configures them
 * as group {@value #GROUP} with quorum 1; the application's RedisTemplate follows the
 * group's master through redis-ha's master-following connection factory. Its gossip
 * secret is random, new at every start: this application is the group's only member. The
 * processes are killed when the application context closes, after every other bean is
 * gone (and by the launcher's JVM shutdown hook if the context never got that far).
 */
class EmbeddedRedisEnvironmentPostProcessor implements EnvironmentPostProcessor {

	static final String GROUP = "demo";

	/** The bean under which the running {@link LocalRedisGroup} is registered. */
	static final String BEAN_NAME = "embeddedRedisGroup";

	private static final String PROPERTY_SOURCE_NAME = "redisHaEmbeddedDefault";

	private static final Logger logger = LoggerFactory.getLogger(EmbeddedRedisEnvironmentPostProcessor.class);

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		Binder binder = Binder.get(environment);
		boolean enabled = binder.bind("redis-ha.enabled", Boolean.class).orElse(true);
		boolean groupsConfigured = !binder.bind("redis-ha.groups", Bindable.mapOf(String.class, Object.class))
			.orElse(Map.of())
			.isEmpty();
		if (!enabled || groupsConfigured) {
			return;
		}
		LocalRedisGroup redis = LocalRedisGroup.start(2);
		logger.info("No redis-ha.groups configured: started the embedded default, group '{}' on {}", GROUP,
				redis.addresses());
		environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE_NAME, properties(redis)));
		application.addInitializers((context) -> closeWithContext(context, redis));
	}

	private static Map<String, Object> properties(LocalRedisGroup redis) {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("redis-ha.groups." + GROUP + ".nodes", String.join(",", redis.addresses()));
		properties.put("redis-ha.groups." + GROUP + ".quorum", 1);
		properties.put("redis-ha.groups." + GROUP + ".gossip-secret", randomSecret());
		return properties;
	}

	private static String randomSecret() {
		byte[] secret = new byte[32];
		new SecureRandom().nextBytes(secret);
		return Base64.getEncoder().encodeToString(secret);
	}

	/**
	 * Registered first, so destroyed last: the member says goodbye and the Redis clients
	 * close before the servers go away.
	 */
	private static void closeWithContext(ConfigurableApplicationContext context, LocalRedisGroup redis) {
		DefaultListableBeanFactory beanFactory = (DefaultListableBeanFactory) context.getBeanFactory();
		beanFactory.registerSingleton(BEAN_NAME, redis);
		beanFactory.registerDisposableBean(BEAN_NAME, redis::close);
	}

}
