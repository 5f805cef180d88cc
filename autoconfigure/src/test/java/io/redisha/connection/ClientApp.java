package io.redisha.connection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.redisha.autoconfigure.RedisHaAutoConfiguration;
import io.redisha.autoconfigure.RedisHaConnectionAutoConfiguration;
import io.redisha.autoconfigure.RedisHaEventAutoConfiguration;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.event.RedisHaEvent;
import io.redisha.member.GroupSettings;
import io.redisha.member.RedisHaMember;
import io.redisha.member.TestGossip;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.event.EventListener;
import org.springframework.core.convert.support.ConfigurableConversionService;

/**
 * An application as a user writes it: Spring Boot's Redis auto-configuration plus
 * redis-ha, one member of group {@value #GROUP} with short timers (down-after 1 s), and a
 * bean that records every {@link RedisHaEvent} it receives through
 * {@code @EventListener}. Also starts plain members with the same timers, as the other
 * application instances.
 */
final class ClientApp {

	static final String GROUP = "clients";

	/**
	 * The client name of the application's own connections, to find them in CLIENT LIST.
	 */
	static final String CLIENT_NAME = "client-app";

	private static final String PREFIX = "redis-ha.groups." + GROUP + ".";

	private ClientApp() {
	}

	/** The application, with {@code quorum} and a seed for every node of the group. */
	static ApplicationContextRunner runner(LocalRedisGroup group, int quorum) {
		return new ApplicationContextRunner()
			.withInitializer((context) -> context.getEnvironment()
				.setConversionService((ConfigurableConversionService) ApplicationConversionService.getSharedInstance()))
			.withConfiguration(
					AutoConfigurations.of(RedisHaAutoConfiguration.class, RedisHaConnectionAutoConfiguration.class,
							RedisHaEventAutoConfiguration.class, DataRedisAutoConfiguration.class))
			.withBean(EventRecorder.class)
			.withPropertyValues("spring.application.name=client-app", "spring.data.redis.client-name=" + CLIENT_NAME,
					"redis-ha.gossip-secret=" + TestGossip.SECRET, "spring.data.redis.timeout=5s",
					PREFIX + "nodes=" + String.join(",", group.addresses()), PREFIX + "quorum=" + quorum,
					PREFIX + "down-after=1s", PREFIX + "ping-period=250ms", PREFIX + "info-period=1s",
					PREFIX + "hello-period=1s", PREFIX + "startup-quiet-period=1s", PREFIX + "failover-timeout=10s",
					PREFIX + "command-timeout=500ms",
					// The old master stays a stale master long enough to be checked after
					// it resumes.
					PREFIX + "demote-after=20s");
	}

	/** Another application instance: a started member with the same settings. */
	static RedisHaMember otherInstance(LocalRedisGroup group, int quorum) {
		List<NodeAddress> seeds = group.addresses().stream().map(NodeAddress::parse).toList();
		GroupConfig.Timing defaults = GroupConfig.Timing.defaults();
		GroupConfig.Timing timing = new GroupConfig.Timing(Duration.ofMillis(250), Duration.ofSeconds(1),
				Duration.ofSeconds(1), defaults.opinionValidity(), defaults.memberExpiry(), Duration.ofSeconds(1),
				defaults.tiltThreshold(), defaults.tiltDuration(), Duration.ofSeconds(20));
		GroupConfig config = new GroupConfig(GROUP, seeds, quorum, Duration.ofSeconds(1), Duration.ofSeconds(10), 1,
				timing);
		RedisHaMember member = new RedisHaMember(
				new MemberIdentity("other-" + UUID.randomUUID().toString().substring(0, 8), "client-app"),
				List.of(new GroupSettings(config, null, null, Duration.ofMillis(500), TestGossip.SEAL)));
		member.start();
		return member;
	}

	/**
	 * Records the events in the order the application receives them, and on which thread,
	 * and the member's own protocol events in the order the member emitted them.
	 */
	static class EventRecorder {

		final List<RedisHaEvent> events = new CopyOnWriteArrayList<>();

		final List<String> threads = new CopyOnWriteArrayList<>();

		final List<ProtocolEvent> emitted = new CopyOnWriteArrayList<>();

		EventRecorder(RedisHaMember member) {
			member.addEventListener(this.emitted::add);
		}

		@EventListener
		void on(RedisHaEvent event) {
			this.events.add(event);
			this.threads.add(Thread.currentThread().getName());
		}

		<T extends RedisHaEvent> List<T> events(Class<T> type) {
			List<T> matching = new ArrayList<>();
			this.events.stream().filter(type::isInstance).map(type::cast).forEach(matching::add);
			return matching;
		}

	}

}
