package io.redisha.autoconfigure;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;

import io.lettuce.core.SslOptions;
import io.redisha.member.GroupSettings;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GossipSeal;
import io.redisha.protocol.MemberIdentity;
import io.redisha.redis.LinkResources;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration that makes this application instance a member of the configured
 * redis-ha groups. Its links to the nodes use TLS as {@code spring.data.redis.ssl.*} (or
 * a {@code rediss://} {@code spring.data.redis.url}) says.
 * <p>
 * The member's links run on Lettuce threads of redis-ha's own ({@link LinkResources}, 2
 * I/O, 2 computation and a timer thread, named {@code redis-ha-lettuce-*}), which the
 * demoted-master disconnector shares; never on the application's: application code that
 * blocks or floods those would delay the member's PINGs and gossip, and every instance
 * under the same load would then see a healthy master down at once. The member is closed
 * before its threads.
 */
@AutoConfiguration(afterName = "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration")
@ConditionalOnBooleanProperty(name = "redis-ha.enabled", matchIfMissing = true)
@EnableConfigurationProperties({ RedisHaProperties.class, RedisHaSentinelProperties.class, DataRedisProperties.class })
public final class RedisHaAutoConfiguration {

	private static final int MEMBER_ID_BYTES = 6;

	private static final SecureRandom random = new SecureRandom();

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	@ConditionalOnRedisHaGroups
	LinkResources redisHaLinkResources() {
		return new LinkResources("redis-ha");
	}

	/**
	 * Depends on the link resources, so the context closes the member (and its links)
	 * before them.
	 */
	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnRedisHaGroups
	RedisHaMember redisHaMember(RedisHaProperties properties, RedisHaSentinelProperties sentinel,
			Environment environment, DataRedisProperties redis, ObjectProvider<SslBundles> sslBundles,
			LinkResources links) {
		SslOptions tls = RedisHaTls.sslOptions(redis, sslBundles.getIfAvailable());
		return new RedisHaMember(new MemberIdentity(newMemberId(), applicationName(properties, environment),
				sentinel.announcedAddress()), groupSettings(properties, tls), UnaryOperator.identity(), links);
	}

	@Bean
	@ConditionalOnSingleCandidate(RedisHaMember.class)
	RedisHaMemberLifecycle redisHaMemberLifecycle(RedisHaMember member) {
		return new RedisHaMemberLifecycle(member);
	}

	/** A new id at every start: a restarted instance is a new voter. */
	private static String newMemberId() {
		byte[] bytes = new byte[MEMBER_ID_BYTES];
		random.nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

	private static String applicationName(RedisHaProperties properties, Environment environment) {
		if (properties.getApplicationName() != null) {
			return properties.getApplicationName();
		}
		return environment.getProperty("spring.application.name", "application");
	}

	private static List<GroupSettings> groupSettings(RedisHaProperties properties, @Nullable SslOptions tls) {
		return properties.getGroups()
			.entrySet()
			.stream()
			.map((entry) -> groupSettings(entry.getKey(), entry.getValue(),
					GossipSeal.of(properties.gossipSecrets(entry.getValue())), tls))
			.toList();
	}

	private static GroupSettings groupSettings(String name, GroupProperties group, GossipSeal gossipSeal,
			@Nullable SslOptions tls) {
		return new GroupSettings(group.groupConfig(name), group.getUsername(), group.getPassword(),
				group.getCommandTimeout(), gossipSeal, tls);
	}

}
