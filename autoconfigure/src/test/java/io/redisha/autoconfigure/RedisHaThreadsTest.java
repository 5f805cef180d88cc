package io.redisha.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.lettuce.core.resource.ClientResources;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.member.RedisHaMember;
import io.redisha.member.TestGossip;
import io.redisha.protocol.GroupSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.convert.support.ConfigurableConversionService;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The threads one application instance adds, on a real group (master and two replicas):
 * redis-ha's own, 2 Lettuce I/O, 2 computation and 1 timer thread, one thread per group
 * and one for Spring events, as docs/operations.md says; the application's factory runs
 * on the application's Lettuce resources, one set of threads. Counted by name among the
 * threads the context started.
 */
class RedisHaThreadsTest {

	/**
	 * The Lettuce threads of redis-ha's {@code LinkResources}: 2 I/O, 2 computation, 1
	 * timer.
	 */
	static final int REDIS_HA_LETTUCE_THREADS = 5;

	private static final Pattern APPLICATION_LETTUCE = Pattern.compile("lettuce-(\\w+)-(\\d+)-\\d+");

	@RegisterExtension
	static final RedisGroupExtension redis = RedisGroupExtension.withReplicas(2).perClass();

	@Test
	void anInstanceAddsFiveLettuceThreadsAndOnePerGroupForRedisHaAndItsFactoryRunsOnTheApplicationsResources() {
		Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
		LocalRedisGroup group = redis.group();
		new ApplicationContextRunner()
			.withInitializer((context) -> context.getEnvironment()
				.setConversionService((ConfigurableConversionService) ApplicationConversionService.getSharedInstance()))
			.withConfiguration(
					AutoConfigurations.of(RedisHaAutoConfiguration.class, RedisHaConnectionAutoConfiguration.class,
							RedisHaEventAutoConfiguration.class, DataRedisAutoConfiguration.class))
			.withPropertyValues("redis-ha.gossip-secret=" + TestGossip.SECRET,
					"redis-ha.groups.orders.nodes="
							+ String.join(",", group.nodes().stream().map(RedisServerProcess::address).toList()),
					"redis-ha.groups.orders.quorum=1")
			.run((context) -> {
				RedisHaMember member = context.getBean(RedisHaMember.class);
				await().atMost(Duration.ofSeconds(20)).until(() -> followsWithReplicas(member, group));
				StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
				template.opsForValue().set("threads:key", "value");
				assertThat(template.opsForValue().get("threads:key")).isEqualTo("value");
				// Lettuce starts each thread when it first has work for it: every one has
				// by the time links to three nodes have connected, PINGed and timed
				// commands.
				await().atMost(Duration.ofSeconds(20))
					.untilAsserted(
							() -> assertThat(started(before, "redis-ha-lettuce-")).hasSize(REDIS_HA_LETTUCE_THREADS));
				// Besides: the group's thread, and the one Spring events are published
				// on.
				await().atMost(Duration.ofSeconds(20))
					.untilAsserted(() -> assertThat(started(before, "redis-ha-"))
						.filteredOn((name) -> !name.startsWith("redis-ha-lettuce-"))
						.containsExactly("redis-ha-events", "redis-ha-orders"));
				// The application's Lettuce threads: one pool of each kind, that of the
				// lettuceClientResources bean.
				List<String> application = started(before, "lettuce-");
				assertThat(application).isNotEmpty().allMatch((name) -> APPLICATION_LETTUCE.matcher(name).matches());
				assertThat(application.stream().map(RedisHaThreadsTest::pool).distinct().count())
					.isEqualTo(application.stream().map(RedisHaThreadsTest::kind).distinct().count());
				ClientResources shared = context.getBean(ClientResources.class);
				assertThat(application)
					.hasSizeLessThanOrEqualTo(shared.ioThreadPoolSize() + shared.computationThreadPoolSize() + 1);
			});
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(started(before, "redis-ha-")).isEmpty());
	}

	private static boolean followsWithReplicas(RedisHaMember member, LocalRedisGroup group) {
		GroupSnapshot snapshot = member.snapshot("orders");
		return snapshot != null && snapshot.master() != null
				&& snapshot.master().address().toString().equals(group.master().address())
				&& snapshot.replicas()
					.stream()
					.filter((replica) -> replica.status() == GroupSnapshot.NodeStatus.UP)
					.count() == 2;
	}

	/**
	 * The live threads started since {@code before} whose name starts with the prefix.
	 */
	private static List<String> started(Set<Thread> before, String prefix) {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && !before.contains(thread))
			.map(Thread::getName)
			.filter((name) -> name.startsWith(prefix))
			.sorted()
			.collect(Collectors.toList());
	}

	private static String kind(String name) {
		Matcher matcher = APPLICATION_LETTUCE.matcher(name);
		return matcher.matches() ? matcher.group(1) : name;
	}

	private static String pool(String name) {
		Matcher matcher = APPLICATION_LETTUCE.matcher(name);
		return matcher.matches() ? matcher.group(1) + "-" + matcher.group(2) : name;
	}

}
