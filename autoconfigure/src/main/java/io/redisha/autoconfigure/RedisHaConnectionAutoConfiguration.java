package io.redisha.autoconfigure;

import java.util.Map;
import java.util.Objects;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.redisha.connection.MasterFollowingConnectionFactory;
import io.redisha.connection.MasterRoute;
import io.redisha.connection.RedisHaConnectionFactories;
import io.redisha.member.RedisHaMember;
import io.redisha.redis.LinkResources;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Auto-configuration of the application's {@link RedisConnectionFactory}: a
 * {@link MasterFollowingConnectionFactory} that follows the master of the primary group
 * ({@code redis-ha.primary-group}, or the only group). Runs before Spring Boot's Redis
 * auto-configuration, whose templates, listener container, cache and session support then
 * use it; backs off when the application defines its own factory. From
 * {@code spring.data.redis} it takes the database, timeouts, client name and Lettuce
 * shutdown timeout and the Lettuce customizer beans, and TLS ({@code ssl.enabled},
 * {@code ssl.bundle}, a {@code rediss://} URL) as Spring Boot reads it; the address and
 * credentials come from redis-ha, and setting them, or Sentinel or Cluster settings, in
 * {@code spring.data.redis} stops the start.
 * <p>
 * Every group's factory runs on the application's Lettuce {@link ClientResources}: the
 * application's own bean, or, as Spring Boot would define it (and then does not),
 * {@code lettuceClientResources} built with the {@link ClientResourcesBuilderCustomizer}
 * beans. The factories borrow its threads; the context closes them first. The member
 * keeps redis-ha's own threads ({@link LinkResources}).
 */
@AutoConfiguration(after = RedisHaAutoConfiguration.class,
		beforeName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ LettuceConnectionFactory.class, RedisClient.class })
@ConditionalOnBean(RedisHaMember.class)
@EnableConfigurationProperties({ RedisHaProperties.class, DataRedisProperties.class })
public final class RedisHaConnectionAutoConfiguration {

	/**
	 * Spring Boot's definition of the application's Lettuce resources, made here because
	 * this configuration runs first; Spring Boot's then backs off.
	 */
	@Bean(destroyMethod = "shutdown")
	@ConditionalOnMissingBean(ClientResources.class)
	DefaultClientResources lettuceClientResources(ObjectProvider<ClientResourcesBuilderCustomizer> customizers) {
		DefaultClientResources.Builder builder = DefaultClientResources.builder();
		customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		return builder.build();
	}

	@Bean
	@ConditionalOnMissingBean(RedisConnectionFactory.class)
	MasterFollowingConnectionFactory redisConnectionFactory(RedisHaMember member, RedisHaProperties properties,
			DataRedisProperties redis, ObjectProvider<SslBundles> sslBundles, ClientResources clientResources,
			ObjectProvider<LettuceClientOptionsBuilderCustomizer> optionsCustomizers,
			ObjectProvider<LettuceClientConfigurationBuilderCustomizer> clientCustomizers,
			ResourceLoader resourceLoader, Environment environment) {
		ConflictingRedisSettings.refuse(redis, environment);
		return new FactoryBuilder(member, properties, redis, RedisHaTls.sslOptions(redis, sslBundles.getIfAvailable()),
				clientResources, optionsCustomizers, clientCustomizers, resourceLoader.getClassLoader())
			.build(primaryGroup(properties));
	}

	@Bean
	@ConditionalOnMissingBean
	RedisHaConnectionFactories redisHaConnectionFactories(RedisHaMember member, RedisHaProperties properties,
			DataRedisProperties redis, ObjectProvider<SslBundles> sslBundles, ClientResources clientResources,
			ObjectProvider<LettuceClientOptionsBuilderCustomizer> optionsCustomizers,
			ObjectProvider<LettuceClientConfigurationBuilderCustomizer> clientCustomizers,
			ObjectProvider<MasterFollowingConnectionFactory> primary, ResourceLoader resourceLoader) {
		FactoryBuilder builder = new FactoryBuilder(member, properties, redis,
				RedisHaTls.sslOptions(redis, sslBundles.getIfAvailable()), clientResources, optionsCustomizers,
				clientCustomizers, resourceLoader.getClassLoader());
		return new RedisHaConnectionFactories(properties.getGroups().keySet(), primary.getIfUnique(), builder::build);
	}

	private static RedisStandaloneConfiguration server(DataRedisProperties redis, GroupProperties settings) {
		RedisStandaloneConfiguration server = new RedisStandaloneConfiguration();
		server.setDatabase(redis.getDatabase());
		if (settings.getPassword() != null) {
			server.setUsername(settings.getUsername());
			server.setPassword(settings.getPassword());
		}
		return server;
	}

	private static String primaryGroup(RedisHaProperties properties) {
		Map<String, GroupProperties> groups = properties.getGroups();
		if (properties.getPrimaryGroup() != null) {
			return properties.getPrimaryGroup();
		}
		if (groups.size() == 1) {
			return groups.keySet().iterator().next();
		}
		throw new InvalidConfigurationPropertyValueException(RedisHaProperties.PREFIX + ".primary-group", null,
				"With several groups " + groups.keySet()
						+ " redis-ha.primary-group must name the one the application's RedisConnectionFactory follows");
	}

	/**
	 * Builds a group's factory from redis-ha's and Spring Boot's settings and
	 * customizers, on the application's Lettuce resources.
	 */
	private record FactoryBuilder(RedisHaMember member, RedisHaProperties properties, DataRedisProperties redis,
			@Nullable SslOptions tls, ClientResources clientResources,
			ObjectProvider<LettuceClientOptionsBuilderCustomizer> optionsCustomizers,
			ObjectProvider<LettuceClientConfigurationBuilderCustomizer> clientCustomizers,
			@Nullable ClassLoader classLoader) {

		MasterFollowingConnectionFactory build(String group) {
			GroupProperties settings = Objects.requireNonNull(this.properties.getGroups().get(group), group);
			ReadFrom readFrom = readFrom(settings);
			MasterRoute route = new MasterRoute(this.member, group, settings.getFailoverWait(), readFrom != null);
			ClientOptions.Builder options = ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled());
			if (this.redis.getConnectTimeout() != null) {
				options.socketOptions(SocketOptions.builder().connectTimeout(this.redis.getConnectTimeout()).build());
			}
			if (this.tls != null) {
				options.sslOptions(this.tls);
			}
			this.optionsCustomizers.orderedStream().forEach((customizer) -> customizer.customize(options));
			LettuceClientConfiguration.LettuceClientConfigurationBuilder client = LettucePool
				.builder(this.redis.getLettuce().getPool(), this.classLoader);
			// Set before the customizers, as Spring Boot does: one may replace them, and
			// the factory keeps what it set. The factory borrows the resources' threads.
			client.clientResources(this.clientResources);
			client.clientOptions(options.build());
			if (this.tls != null) {
				// The certificate is verified against the master's address, as the route
				// resolves it.
				client.useSsl();
			}
			if (readFrom != null) {
				client.readFrom(readFrom);
			}
			if (this.redis.getTimeout() != null) {
				client.commandTimeout(this.redis.getTimeout());
			}
			if (this.redis.getClientName() != null) {
				client.clientName(this.redis.getClientName());
			}
			if (this.redis.getLettuce().getShutdownTimeout() != null) {
				client.shutdownTimeout(this.redis.getLettuce().getShutdownTimeout());
			}
			this.clientCustomizers.orderedStream().forEach((customizer) -> customizer.customize(client));
			// The resources to build when the configuration carries none: never, as a
			// customizer may replace them but not remove them.
			return new MasterFollowingConnectionFactory(route, server(this.redis, settings), client,
					DefaultClientResources.builder());
		}

		/**
		 * The group's read routing, else Spring Boot's
		 * {@code spring.data.redis.lettuce.read-from} read as Spring Boot reads it
		 * ({@code replica-preferred} is {@code replicaPreferred}).
		 */
		private @Nullable ReadFrom readFrom(GroupProperties settings) {
			if (settings.readFromSetting() != null) {
				return settings.readFromSetting();
			}
			String name = this.redis.getLettuce().getReadFrom();
			if (name == null) {
				return null;
			}
			try {
				return ReadFrom.valueOf(name.contains(":") ? name : name.replace("-", ""));
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidConfigurationPropertyValueException("spring.data.redis.lettuce.read-from", name,
						"Not one of Lettuce's ReadFrom names (master, replicaPreferred, replica, masterPreferred, any,"
								+ " nearest...)");
			}
		}

	}

}
