package io.redisha.autoconfigure;

import io.lettuce.core.SslOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * Whether redis-ha's connections (the members' links and the application's connections)
 * use TLS, and with what, decided as Spring Boot decides it for its own Redis
 * connections: {@code spring.data.redis.ssl.enabled},
 * {@code spring.data.redis.ssl.bundle} (which turns TLS on by itself) or a
 * {@code rediss://} {@code spring.data.redis.url}. Without a bundle the JDK's default
 * trust store verifies the nodes' certificates.
 */
final class RedisHaTls {

	private static final String BUNDLE_PROPERTY = "spring.data.redis.ssl.bundle";

	private RedisHaTls() {
	}

	/**
	 * The TLS options for every connection to a node, or null for plain text.
	 * @param bundles the application's SSL bundles, or null when there are none
	 * @throws InvalidConfigurationPropertyValueException when the named bundle does not
	 * exist
	 */
	static @Nullable SslOptions sslOptions(DataRedisProperties redis, @Nullable SslBundles bundles) {
		DataRedisProperties.Ssl ssl = redis.getSsl();
		if (!ssl.isEnabled() && !usesTlsUrl(redis)) {
			return null;
		}
		if (ssl.getBundle() == null) {
			return SslOptions.create();
		}
		return sslOptions(bundle(BUNDLE_PROPERTY, ssl.getBundle(), bundles));
	}

	private static boolean usesTlsUrl(DataRedisProperties redis) {
		return redis.getUrl() != null && redis.getUrl().regionMatches(true, 0, "rediss://", 0, 9);
	}

	/**
	 * The bundle a property names.
	 * @throws InvalidConfigurationPropertyValueException naming the property when it does
	 * not exist
	 */
	static SslBundle bundle(String property, String name, @Nullable SslBundles bundles) {
		if (bundles == null) {
			throw new InvalidConfigurationPropertyValueException(property, name,
					"No SSL bundles are configured (spring.ssl.bundle.*)");
		}
		try {
			return bundles.getBundle(name);
		}
		catch (NoSuchSslBundleException ex) {
			throw new InvalidConfigurationPropertyValueException(property, name,
					"No SSL bundle is named '" + name + "'; the configured bundles are " + bundles.getBundleNames());
		}
	}

	/**
	 * What Spring Boot's own Lettuce configuration takes from a bundle: keys, trust,
	 * ciphers, protocols.
	 */
	private static SslOptions sslOptions(SslBundle bundle) {
		SslOptions.Builder options = SslOptions.builder()
			.keyManager(bundle.getManagers().getKeyManagerFactory())
			.trustManager(bundle.getManagers().getTrustManagerFactory());
		if (bundle.getOptions().getCiphers() != null) {
			options.cipherSuites(bundle.getOptions().getCiphers());
		}
		if (bundle.getOptions().getEnabledProtocols() != null) {
			options.protocols(bundle.getOptions().getEnabledProtocols());
		}
		return options.build();
	}

}
