package io.redisha.autoconfigure;

import io.redisha.connection.MasterFollowingConnectionFactory;
import io.redisha.event.RedisHaEventPublisher;
import io.redisha.event.RedisNotifications;
import io.redisha.member.RedisHaMember;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration that turns the member's protocol events into Spring
 * {@link io.redisha.event.RedisHaEvent application events} and into notifications on the
 * Redis nodes in Sentinel's text format.
 */
@AutoConfiguration(after = { RedisHaAutoConfiguration.class, RedisHaConnectionAutoConfiguration.class })
@ConditionalOnBean(RedisHaMember.class)
public final class RedisHaEventAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	RedisHaEventPublisher redisHaEventPublisher(RedisHaMember member, ApplicationEventPublisher publisher,
			ObjectProvider<MasterFollowingConnectionFactory> connectionFactories) {
		// The factories' routes listen first: connections have moved when a
		// MasterSwitchedEvent is handed over.
		connectionFactories.orderedStream().toList();
		return new RedisHaEventPublisher(member, publisher);
	}

	@Bean
	@ConditionalOnMissingBean
	RedisNotifications redisHaNotifications(RedisHaMember member) {
		return new RedisNotifications(member);
	}

}
