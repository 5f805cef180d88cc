package io.redisha.connection;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.DefaultClientResources;
import io.redisha.connection.ClientApp.EventRecorder;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.embedded.TcpProxy;
import io.redisha.event.MasterSwitchedEvent;
import io.redisha.event.NodeDownEvent;
import io.redisha.event.NodeUpEvent;
import io.redisha.event.RedisNotifications;
import io.redisha.member.GroupSettings;
import io.redisha.member.RedisHaMember;
import io.redisha.member.TestGossip;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;

import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The application's Redis connections through the master-following factory, its Spring
 * events and Redis notifications, against a healthy group of real redis-server processes.
 */
class MasterFollowingConnectionFactoryTest {

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(2);

	@Test
	void springBootsTemplateWritesToTheMasterTheMemberFollows() {
		LocalRedisGroup group = redis.group();
		ClientApp.runner(group, 1).run((context) -> {
			assertThat(context.getBean(RedisConnectionFactory.class))
				.isInstanceOf(MasterFollowingConnectionFactory.class);
			awaitFirstMaster(context.getBean(EventRecorder.class));
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			template.opsForValue().set("greeting", "hello");
			assertThat(group.master().command("GET", "greeting")).isEqualTo("hello");
			assertThat(template.opsForValue().get("greeting")).isEqualTo("hello");
			ReactiveStringRedisTemplate reactive = new ReactiveStringRedisTemplate(
					context.getBean(ReactiveRedisConnectionFactory.class));
			assertThat(reactive.opsForValue().set("reactive", "yes").block(Duration.ofSeconds(5))).isTrue();
			assertThat(group.master().command("GET", "reactive")).isEqualTo("yes");
			MasterRoute route = context.getBean(MasterFollowingConnectionFactory.class).getRoute();
			assertThat(route.master()).isEqualTo(address(group.master()));
			assertThat(route.isWaitingForMaster()).isFalse();
			assertThat((String) group.master().command("CLIENT", "LIST")).contains("name=" + ClientApp.CLIENT_NAME);
		});
	}

	@Test
	void theFirstMasterArrivesAsAnEventOnTheEventThread() {
		LocalRedisGroup group = redis.group();
		ClientApp.runner(group, 1).run((context) -> {
			EventRecorder recorder = awaitFirstMaster(context.getBean(EventRecorder.class));
			MasterSwitchedEvent first = recorder.events(MasterSwitchedEvent.class).get(0);
			assertThat(first.getOldMaster()).isNull();
			assertThat(first.getNewMaster()).isEqualTo(address(group.master()));
			assertThat(first.getGroup()).isEqualTo(ClientApp.GROUP);
			assertThat(first.getType()).isEqualTo(ProtocolEvent.Type.SWITCH_MASTER);
			assertThat(recorder.threads).containsOnly("redis-ha-events");
		});
	}

	@Test
	void theMasterGoingDownAndUpIsAnnouncedAsEventsAndOnTheNotificationChannelsOfTheReplicas() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess master = group.master();
		NodeAddress down = address(master);
		String sdown = "+sdown master " + ClientApp.GROUP + " " + down.host() + " " + down.port();
		try (ChannelRecorder subscriber = new ChannelRecorder(group.node(1), RedisNotifications.ALL_EVENTS_CHANNEL,
				RedisNotifications.channel(ProtocolEvent.Type.SDOWN))) {
			// Quorum 2 with one member: the master is seen down, but never failed over.
			ClientApp.runner(group, 2).run((context) -> {
				EventRecorder recorder = awaitFirstMaster(context.getBean(EventRecorder.class));
				master.kill();
				await().atMost(EVENTUALLY)
					.untilAsserted(() -> assertThat(recorder.events(NodeDownEvent.class))
						.anySatisfy((event) -> assertThat(event.getNode()).isEqualTo(down)));
				long configEpoch = context.getBean(RedisHaMember.class).snapshot(ClientApp.GROUP).configEpoch();
				await().atMost(EVENTUALLY)
					.untilAsserted(() -> assertThat(subscriber.messages).contains(
							RedisNotifications.ALL_EVENTS_CHANNEL + " -> " + sdown + " #epoch " + configEpoch,
							"__redis-ha__:+sdown -> " + sdown.substring("+sdown ".length())));
				master.restart();
				await().atMost(EVENTUALLY)
					.untilAsserted(() -> assertThat(recorder.events(NodeUpEvent.class))
						.anySatisfy((event) -> assertThat(event.getNode()).isEqualTo(down)));
				assertThat(recorder.events).map(Object::getClass)
					.containsSubsequence(MasterSwitchedEvent.class, NodeDownEvent.class, NodeUpEvent.class);
				StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
				await().atMost(EVENTUALLY)
					.ignoreExceptions()
					.untilAsserted(() -> template.opsForValue().set("after-restart", "yes"));
				assertThat(master.command("GET", "after-restart")).isEqualTo("yes");
			});
		}
	}

	@Test
	void aSwitchMasterIsPublishedOnceAsAnEventAndAgainWhenTheCoordinatorAsks() {
		LocalRedisGroup group = redis.group();
		NodeAddress master = address(group.master());
		ProtocolEvent switched = new ProtocolEvent(ProtocolEvent.Type.SWITCH_MASTER, ClientApp.GROUP, 4, master,
				address(group.node(2)), null);
		// On the master: each publication arrives once (a replica would also get the
		// master's, replicated).
		try (ChannelRecorder subscriber = new ChannelRecorder(group.master(),
				RedisNotifications.channel(ProtocolEvent.Type.SWITCH_MASTER));
				ChannelRecorder everyEvent = new ChannelRecorder(group.master(),
						RedisNotifications.ALL_EVENTS_CHANNEL)) {
			ClientApp.runner(group, 1).run((context) -> {
				awaitFirstMaster(context.getBean(EventRecorder.class));
				RedisNotifications notifications = context.getBean(RedisNotifications.class);
				notifications.accept(switched);
				// The repetition is the coordinator's to decide: none of the event's own.
				await().during(Duration.ofMillis(2500))
					.atMost(Duration.ofSeconds(5))
					.until(() -> published(subscriber, address(group.node(2))) == 1);
				notifications.reannounce(switched);
				await().atMost(EVENTUALLY).until(() -> published(subscriber, address(group.node(2))) == 2);
				// The events channel's line ends with the config epoch of the switch.
				assertThat(everyEvent.messages).contains(RedisNotifications.ALL_EVENTS_CHANNEL + " -> +switch-master "
						+ ClientApp.GROUP + " " + master.host() + " " + master.port() + " " + group.node(2).host() + " "
						+ group.node(2).port() + " #epoch 4");
			});
		}
	}

	/** How many {@code +switch-master} messages named this new master. */
	private static long published(ChannelRecorder subscriber, NodeAddress newMaster) {
		return subscriber.messages.stream()
			.filter((message) -> message.endsWith(" " + newMaster.host() + " " + newMaster.port()))
			.count();
	}

	@Test
	void readFromReplicaPreferredReadsFromTheReplicasAndWritesToTheMaster() {
		LocalRedisGroup group = redis.group();
		ClientApp.runner(group, 1)
			.withPropertyValues("redis-ha.groups.clients.read-from=replicaPreferred")
			.run((context) -> {
				awaitFirstMaster(context.getBean(EventRecorder.class));
				awaitBothReplicas(context.getBean(RedisHaMember.class));
				StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
				template.opsForValue().set("shared", "value");
				assertThat(group.master().command("GET", "shared")).isEqualTo("value");
				await().atMost(EVENTUALLY)
					.until(() -> group.replicas()
						.stream()
						.allMatch((replica) -> "value".equals(replica.command("GET", "shared"))));
				long replicaReadsBefore = getCalls(group.node(1)) + getCalls(group.node(2));
				long masterReadsBefore = getCalls(group.master());
				for (int i = 0; i < 20; i++) {
					assertThat(template.opsForValue().get("shared")).isEqualTo("value");
				}
				assertThat(getCalls(group.node(1)) + getCalls(group.node(2)) - replicaReadsBefore).isEqualTo(20);
				assertThat(getCalls(group.master())).isEqualTo(masterReadsBefore);
			});
	}

	@Test
	void readRoutingStopsReadingFromAReplicaThatLeftItsMaster() {
		LocalRedisGroup group = redis.group();
		ClientApp.runner(group, 1).withPropertyValues("redis-ha.groups.clients.read-from=replica").run((context) -> {
			awaitFirstMaster(context.getBean(EventRecorder.class));
			awaitBothReplicas(context.getBean(RedisHaMember.class));
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			template.opsForValue().set("read", "master's");
			await().atMost(EVENTUALLY)
				.until(() -> group.replicas()
					.stream()
					.allMatch((replica) -> "master's".equals(replica.command("GET", "read"))));
			for (int i = 0; i < 20; i++) {
				template.opsForValue().get("read");
			}
			RedisServerProcess left = group.node(2);
			assertThat(getCalls(left)).as("reads from the replica about to leave").isPositive();

			left.command("REPLICAOF", "NO", "ONE");
			left.command("SET", "read", "its own");
			// Once the member's INFO and the factory's check have seen it leave, it is
			// read from no more.
			await().atMost(EVENTUALLY).ignoreExceptions().untilAsserted(() -> {
				long before = getCalls(left);
				for (int i = 0; i < 20; i++) {
					assertThat(template.opsForValue().get("read")).isEqualTo("master's");
				}
				assertThat(getCalls(left)).isEqualTo(before);
			});
		});
	}

	/** How many GET commands the node has run. */
	static long getCalls(RedisServerProcess node) {
		String stats = node.info("commandstats").get("cmdstat_get");
		if (stats == null) {
			return 0;
		}
		return Long.parseLong(stats.substring("calls=".length(), stats.indexOf(',')));
	}

	@Test
	void anotherGroupHasAMasterFollowingFactoryOfItsOwn() {
		try (LocalRedisGroup second = LocalRedisGroup.start(1)) {
			ClientApp.runner(redis.group(), 1)
				.withPropertyValues("redis-ha.primary-group=" + ClientApp.GROUP,
						"redis-ha.groups.second.nodes=" + String.join(",", second.addresses()),
						"redis-ha.groups.second.quorum=1")
				.run((context) -> {
					StringRedisTemplate template = new StringRedisTemplate(
							context.getBean(RedisHaConnectionFactories.class).get("second"));
					await().atMost(EVENTUALLY)
						.ignoreExceptions()
						.untilAsserted(() -> template.opsForValue().set("where", "second"));
					assertThat(second.master().command("GET", "where")).isEqualTo("second");
					assertThat(redis.group().master().command("GET", "where")).isNull();
				});
		}
	}

	@Test
	void withoutAMasterCommandsFailAfterTheFailoverWaitNamingIt() {
		ClientApp.runner(redis.group(), 1)
			.withPropertyValues("redis-ha.groups.clients.nodes=127.0.0.1:1",
					"redis-ha.groups.clients.failover-wait=300ms")
			.run((context) -> {
				StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
				long start = System.nanoTime();
				assertThatExceptionOfType(RedisMasterUnavailableException.class)
					.isThrownBy(() -> template.opsForValue().set("k", "v"))
					.withMessageContaining("redis-ha group 'clients' has no usable master: no master is known yet")
					.withMessageContaining("waited 300 ms (redis-ha.groups.clients.failover-wait)");
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
			});
	}

	/**
	 * The member's first picture takes a moment on a cold JVM; the application waits for
	 * it as a readiness probe would.
	 */
	@Test
	void connectionsReachTheMasterTheWayTheMemberDoes() {
		RedisServerProcess master = redis.group().master();
		try (TcpProxy proxy = TcpProxy.to(master)) {
			NodeAddress seed = address(master);
			GroupConfig config = new GroupConfig(ClientApp.GROUP, List.of(seed), 2, Duration.ofSeconds(1),
					Duration.ofSeconds(10), 1, GroupConfig.Timing.defaults());
			RedisHaMember member = new RedisHaMember(new MemberIdentity("via-proxy", "client-app"),
					List.of(new GroupSettings(config, null, null, Duration.ofMillis(500), TestGossip.SEAL)),
					(node) -> node.equals(seed) ? NodeAddress.parse(proxy.address()) : node);
			member.start();
			MasterFollowingConnectionFactory factory = null;
			try {
				await().atMost(EVENTUALLY).until(() -> member.snapshot(ClientApp.GROUP).master() != null);
				factory = new MasterFollowingConnectionFactory(
						new MasterRoute(member, ClientApp.GROUP, Duration.ofSeconds(2), false),
						new RedisStandaloneConfiguration(),
						LettuceClientConfiguration.builder().commandTimeout(Duration.ofMillis(500)),
						DefaultClientResources.builder(), ClientOptions.builder());
				factory.afterPropertiesSet();
				factory.start();
				StringRedisTemplate template = new StringRedisTemplate(factory);
				template.opsForValue().set("via", "proxy");

				proxy.cut();

				// The master itself is fine (one member, quorum 2: no failover); only the
				// proxy is cut.
				assertThatExceptionOfType(RuntimeException.class)
					.isThrownBy(() -> template.opsForValue().set("cut", "off"));
				proxy.restore();
				await().atMost(EVENTUALLY)
					.ignoreExceptions()
					.untilAsserted(() -> template.opsForValue().set("after", "restore"));
				assertThat(master.command("GET", "after")).isEqualTo("restore");
			}
			finally {
				if (factory != null) {
					factory.destroy();
				}
				member.stop();
			}
		}
	}

	/**
	 * A group's factory may be created after the Spring event publisher and the
	 * notifications (every group but the primary one is created at first use): its route
	 * still hears of a switch before them.
	 */
	@Test
	void aRouteAddedAfterTheOtherListenersHasMovedWhenTheyHearOfTheSwitch() {
		RedisServerProcess master = redis.group().master();
		GroupConfig config = new GroupConfig(ClientApp.GROUP, List.of(address(master)), 1, Duration.ofSeconds(1),
				Duration.ofSeconds(10), 1, GroupConfig.Timing.defaults());
		RedisHaMember member = new RedisHaMember(new MemberIdentity("late-route", "client-app"),
				List.of(new GroupSettings(config, null, null, Duration.ofMillis(500), TestGossip.SEAL)));
		List<NodeAddress> routeMasterWhenHeard = new CopyOnWriteArrayList<>();
		AtomicReference<MasterRoute> route = new AtomicReference<>();
		member.addEventListener((event) -> {
			if (event.type() == ProtocolEvent.Type.SWITCH_MASTER) {
				routeMasterWhenHeard.add(route.get().master());
			}
		});
		route.set(new MasterRoute(member, ClientApp.GROUP, Duration.ofSeconds(2), false));
		member.start();
		try {
			await().atMost(EVENTUALLY).until(() -> !routeMasterWhenHeard.isEmpty());
			assertThat(routeMasterWhenHeard).containsExactly(address(master));
		}
		finally {
			member.stop();
		}
	}

	static EventRecorder awaitFirstMaster(EventRecorder recorder) {
		await().atMost(EVENTUALLY).until(() -> !recorder.events(MasterSwitchedEvent.class).isEmpty());
		return recorder;
	}

	static NodeAddress address(RedisServerProcess server) {
		return new NodeAddress(server.host(), server.port());
	}

	/** Read routing discovers the replicas the member sees: wait until it sees both. */
	private static void awaitBothReplicas(RedisHaMember member) {
		await().atMost(EVENTUALLY)
			.until(() -> member.snapshot(ClientApp.GROUP)
				.replicas()
				.stream()
				.filter((replica) -> "replica".equals(replica.role()))
				.count() == 2);
	}

}
