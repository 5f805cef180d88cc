package io.redisha.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.core.env.Environment;
import org.springframework.lang.Contract;

/**
 * Spring Boot's Redis settings that ask for another kind of connection than the
 * master-following one: Sentinel, Cluster, a static master/replica set, Jedis; and the
 * address and credentials, which come from the group. Ignoring them would leave the
 * application believing it runs as configured; they stop the start instead, naming the
 * property (never a password's value).
 */
final class ConflictingRedisSettings {

	private ConflictingRedisSettings() {
	}

	/**
	 * Set explicitly, they would be ignored: the group's nodes and credentials are used
	 * instead.
	 */
	private static final List<String> FROM_THE_GROUP = List.of("host", "port", "username", "password");

	/**
	 * @throws InvalidConfigurationPropertyValueException naming the first conflicting
	 * property
	 */
	static void refuse(DataRedisProperties redis, Environment environment) {
		for (String setting : FROM_THE_GROUP) {
			String property = "spring.data.redis." + setting;
			if (environment.containsProperty(property)) {
				String value = setting.equals("password") ? "******" : environment.getProperty(property);
				throw conflict(property, value, "the application's connections go to the group's master, found from "
						+ "redis-ha.groups.<group>.nodes, with redis-ha.groups.<group>.username and password");
			}
		}
		DataRedisProperties.Sentinel sentinel = redis.getSentinel();
		if (sentinel != null && sentinel.getMaster() != null) {
			throw conflict("spring.data.redis.sentinel.master", sentinel.getMaster(),
					"the application's instances do Sentinel's job here, for the groups of redis-ha.groups");
		}
		if (sentinel != null && isSet(sentinel.getNodes())) {
			throw conflict("spring.data.redis.sentinel.nodes", String.join(",", sentinel.getNodes()),
					"the application's instances do Sentinel's job here, for the groups of redis-ha.groups");
		}
		if (redis.getCluster() != null && isSet(redis.getCluster().getNodes())) {
			throw conflict("spring.data.redis.cluster.nodes", String.join(",", redis.getCluster().getNodes()),
					"a redis-ha group is a master with replicas, not a Redis Cluster");
		}
		if (redis.getMasterreplica() != null && isSet(redis.getMasterreplica().getNodes())) {
			throw conflict("spring.data.redis.masterreplica.nodes",
					String.join(",", redis.getMasterreplica().getNodes()),
					"the nodes come from redis-ha.groups.<group>.nodes, and reads from a replica from read-from");
		}
		if (redis.getClientType() == DataRedisProperties.ClientType.JEDIS) {
			throw conflict("spring.data.redis.client-type", "jedis",
					"the master-following connection factory is a Lettuce one");
		}
	}

	@Contract("null -> false")
	private static boolean isSet(@Nullable List<String> nodes) {
		return nodes != null && !nodes.isEmpty();
	}

	private static InvalidConfigurationPropertyValueException conflict(String property, @Nullable String value,
			String why) {
		return new InvalidConfigurationPropertyValueException(property, value,
				"With redis-ha enabled, " + why + ": remove " + property
						+ ", or set redis-ha.enabled=false to use Spring Boot's own connection factory");
	}

}
