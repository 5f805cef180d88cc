package io.redisha.autoconfigure;

import io.redisha.member.RedisHaMember;
import io.redisha.sentinel.SentinelServer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the Sentinel-protocol endpoint, when
 * {@code redis-ha.sentinel.port} is set: Sentinel clients in any language find the master
 * through this instance.
 */
@AutoConfiguration(after = RedisHaAutoConfiguration.class,
		afterName = "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration")
@ConditionalOnBean(RedisHaMember.class)
@ConditionalOnProperty(name = RedisHaSentinelProperties.PREFIX + ".port")
public final class RedisHaSentinelAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SentinelServer redisHaSentinelServer(RedisHaMember member, RedisHaSentinelProperties properties,
			ObjectProvider<SslBundles> sslBundles) {
		SslBundle tls = (properties.getSslBundle() != null)
				? RedisHaTls.bundle(RedisHaSentinelProperties.PREFIX + ".ssl-bundle", properties.getSslBundle(),
						sslBundles.getIfAvailable())
				: null;
		return new SentinelServer(member, properties.settings(), (tls != null) ? endpointTls(tls) : null);
	}

	/**
	 * The server side of a bundle: its key and certificate, and its protocols and ciphers
	 * if it names some.
	 */
	private static SentinelServer.Tls endpointTls(SslBundle bundle) {
		return new SentinelServer.Tls(bundle.createSslContext(), bundle.getOptions().getEnabledProtocols(),
				bundle.getOptions().getCiphers());
	}

}
