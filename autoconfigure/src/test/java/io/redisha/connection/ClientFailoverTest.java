package io.redisha.connection;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.lettuce.core.resource.SocketAddressResolver;
import io.netty.channel.Channel;
import io.redisha.connection.ClientApp.EventRecorder;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.event.MasterSwitchedEvent;
import io.redisha.event.NodeDownEvent;
import io.redisha.event.RedisHaEvent;
import io.redisha.event.RedisNotifications;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.CommandOutcome;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettucePoolingClientConfiguration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

import static io.redisha.connection.MasterFollowingConnectionFactoryTest.address;
import static io.redisha.connection.MasterFollowingConnectionFactoryTest.awaitFirstMaster;
import static io.redisha.connection.MasterFollowingConnectionFactoryTest.getCalls;
import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The application across a real failover: its member and two other instances (quorum 2,
 * down-after 1 s) fail the master over; Spring Boot's template, a listener container, the
 * Spring events and the Redis notifications follow without restart or manual step.
 */
class ClientFailoverTest {

	private static final String NEWS = "news";

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(2);

	private final List<RedisHaMember> others = new ArrayList<>();

	@AfterEach
	void stopOtherInstances() {
		this.others.forEach(RedisHaMember::stop);
	}

	@Test
	void afterTheMasterIsKilledEverythingFollowsTheNewMaster() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess oldMaster = group.master();
		try (ChannelRecorder first = new ChannelRecorder(group.node(1), switchMasterChannel());
				ChannelRecorder second = new ChannelRecorder(group.node(2), switchMasterChannel())) {
			app(group).run((context) -> {
				startOthers(context);
				List<ProtocolEvent> reannounced = new CopyOnWriteArrayList<>();
				context.getBean(RedisHaMember.class).addReannouncementListener(reannounced::add);
				StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
				List<String> news = subscribe(context);
				template.convertAndSend(NEWS, "before");
				await().atMost(EVENTUALLY).until(() -> news.contains("before"));
				template.opsForValue().set("before", "1");

				oldMaster.kill();
				await().atMost(EVENTUALLY)
					.ignoreExceptions()
					.untilAsserted(() -> template.opsForValue().set("after", "1"));

				MasterRoute route = context.getBean(MasterFollowingConnectionFactory.class).getRoute();
				NodeAddress newMaster = route.master();
				assertThat(newMaster).isNotEqualTo(address(oldMaster));
				RedisServerProcess promoted = group.nodeOnPort(newMaster.port());
				assertThat(promoted.role()).isEqualTo("master");
				assertThat(promoted.command("GET", "after")).isEqualTo("1");
				assertThat(promoted.command("GET", "before")).isEqualTo("1");
				ReactiveStringRedisTemplate reactive = new ReactiveStringRedisTemplate(
						context.getBean(ReactiveRedisConnectionFactory.class));
				assertThat(reactive.opsForValue().set("reactive-after", "1").block(Duration.ofSeconds(5))).isTrue();
				assertThat(promoted.command("GET", "reactive-after")).isEqualTo("1");

				// Published on the new master after the failover (by a publisher that
				// keeps publishing, as the subscription may still be coming back): the
				// container re-subscribed there.
				await().atMost(EVENTUALLY).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
					promoted.command("PUBLISH", NEWS, "after");
					assertThat(news).contains("after");
				});
				assertThat(promoted.command("PUBSUB", "NUMSUB", NEWS)).isEqualTo(List.of(NEWS, 1L));

				EventRecorder recorder = context.getBean(EventRecorder.class);
				await().atMost(EVENTUALLY).until(() -> recorder.events(MasterSwitchedEvent.class).size() == 2);
				MasterSwitchedEvent switched = recorder.events(MasterSwitchedEvent.class).get(1);
				assertThat(switched.getOldMaster()).isEqualTo(address(oldMaster));
				assertThat(switched.getNewMaster()).isEqualTo(newMaster);
				assertThat(switched.getEpoch()).isPositive();
				assertThat(recorder.events)
					.filteredOn((event) -> event instanceof NodeDownEvent || event instanceof MasterSwitchedEvent)
					.map(ClientFailoverTest::describe)
					.containsSubsequence("MasterSwitchedEvent null->" + address(oldMaster),
							"NodeDownEvent " + address(oldMaster),
							"MasterSwitchedEvent " + address(oldMaster) + "->" + newMaster);

				// Every event the member emitted, in its order, as Spring events.
				await().atMost(EVENTUALLY)
					.untilAsserted(() -> assertThat(recorder.events).map(RedisHaEvent::getProtocolEvent)
						.containsExactlyElementsOf(recorder.emitted));

				// The member's coordinator asked for the switch's notifications once
				// more.
				await().atMost(Duration.ofSeconds(5))
					.untilAsserted(() -> assertThat(reannounced).extracting(ProtocolEvent::master).contains(newMaster));

				String expected = switchMasterChannel() + " -> " + ClientApp.GROUP + " " + oldMaster.host() + " "
						+ oldMaster.port() + " " + newMaster.host() + " " + newMaster.port();
				await().atMost(EVENTUALLY)
					.untilAsserted(() -> assertThat(List.of(first, second))
						.allSatisfy((subscriber) -> assertThat(subscriber.messages).contains(expected)));
			});
		}
	}

	@Test
	void aResumedOldMasterReceivesNothingFromTheApplication() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess oldMaster = group.master();
		app(group).run((context) -> {
			startOthers(context);
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			template.opsForValue().set("before", "1");
			// A client outside the application, connected to the master before it pauses.
			ForeignClient foreign = new ForeignClient(oldMaster);

			oldMaster.pause();
			long pausedAt = System.nanoTime();
			// In flight on the paused master: failed when the group sees it objectively
			// down, never replayed.
			Throwable inFlight = catchThrowable(() -> template.opsForValue().set("in-flight", "1"));
			assertThat(inFlight).isInstanceOfAny(RedisMasterUnavailableException.class,
					RedisMasterSwitchedException.class);
			assertThat(Duration.ofNanos(System.nanoTime() - pausedAt)).isLessThan(Duration.ofSeconds(5));
			await().atMost(EVENTUALLY)
				.ignoreExceptions()
				.untilAsserted(() -> template.opsForValue().set("after-switch", "1"));
			NodeAddress newMaster = context.getBean(MasterFollowingConnectionFactory.class).getRoute().master();
			assertThat(newMaster).isNotEqualTo(address(oldMaster));

			oldMaster.resume();
			// Still a master with its old data until it is demoted (demote-after 20 s
			// here).
			assertThat(oldMaster.role()).isEqualTo("master");
			for (int i = 0; i < 50; i++) {
				template.opsForValue().set("after-resume:" + i, "1");
			}
			assertThat(group.nodeOnPort(newMaster.port()).command("GET", "after-resume:49")).isEqualTo("1");
			assertThat(oldMaster.command("EXISTS", "after-switch", "after-resume:0", "after-resume:49")).isEqualTo(0L);
			// The connection it had before the pause is gone and no new one was opened.
			await().atMost(EVENTUALLY)
				.untilAsserted(() -> assertThat(clientNames(oldMaster)).doesNotContain(ClientApp.CLIENT_NAME));
			// The other client was disconnected (CLIENT KILL TYPE normal) as soon as the
			// old master answered.
			await().atMost(EVENTUALLY).until(() -> !foreign.isConnected());
			foreign.close();
			assertThat(oldMaster.role()).isEqualTo("master");
		});
	}

	@Test
	void withReadRoutingReadsGoToAReplicaOfTheCurrentMasterNeverToAResumedOldMaster() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess oldMaster = group.master();
		app(group).withPropertyValues("redis-ha.groups." + ClientApp.GROUP + ".read-from=replica").run((context) -> {
			startOthers(context);
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			oldMaster.pause();
			await().atMost(EVENTUALLY)
				.ignoreExceptions()
				.untilAsserted(() -> template.opsForValue().set("read", "new"));
			NodeAddress newMaster = context.getBean(MasterFollowingConnectionFactory.class).getRoute().master();
			assertThat(newMaster).isNotEqualTo(address(oldMaster));
			oldMaster.resume();
			// Still a master (demote-after 20 s here), with a value of its own. The
			// leader's CLIENT KILL TYPE normal, written on its link while the node was
			// paused, runs as it resumes and may cut this connection too.
			await().atMost(Duration.ofSeconds(5))
				.ignoreExceptions()
				.until(() -> "OK".equals(oldMaster.command("SET", "read", "stale")));
			// Once the member's INFO shows the other replica following the new master
			// with its link
			// up again after the resync: up to an INFO period.
			await().atMost(EVENTUALLY).ignoreExceptions().until(() -> "new".equals(template.opsForValue().get("read")));
			long oldMasterReads = getCalls(oldMaster);
			long newMasterReads = getCalls(group.nodeOnPort(newMaster.port()));
			for (int i = 0; i < 50; i++) {
				assertThat(template.opsForValue().get("read")).isEqualTo("new");
			}
			assertThat(getCalls(oldMaster)).isEqualTo(oldMasterReads);
			assertThat(getCalls(group.nodeOnPort(newMaster.port()))).isEqualTo(newMasterReads);
			assertThat(oldMaster.role()).isEqualTo("master");
		});
	}

	@Test
	void withReadRoutingReadsAndWritesContinueAfterTheFailover() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess oldMaster = group.master();
		app(group).withPropertyValues("redis-ha.groups." + ClientApp.GROUP + ".read-from=replicaPreferred")
			.run((context) -> {
				startOthers(context);
				StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
				template.opsForValue().set("before", "1");
				await().atMost(EVENTUALLY).until(() -> "1".equals(template.opsForValue().get("before")));

				oldMaster.kill();
				await().atMost(EVENTUALLY)
					.ignoreExceptions()
					.untilAsserted(() -> template.opsForValue().set("after", "2"));
				NodeAddress newMaster = context.getBean(MasterFollowingConnectionFactory.class).getRoute().master();
				assertThat(group.nodeOnPort(newMaster.port()).command("GET", "after")).isEqualTo("2");
				// Replication is asynchronous: the remaining replica (or the master)
				// answers once it has it.
				await().atMost(EVENTUALLY)
					.ignoreExceptions()
					.until(() -> "2".equals(template.opsForValue().get("after")));
				assertThat(template.opsForValue().get("before")).isEqualTo("1");
			});
	}

	@Test
	void aForcedFailoverOfAHealthyMasterFailsWhatIsInFlightOnItAndDisconnectsItsOtherClients() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess oldMaster = group.master();
		// Consistent mode refuses to fail over to replicas still streaming from a live
		// master.
		app(group).withPropertyValues("redis-ha.groups." + ClientApp.GROUP + ".partition-mode=available")
			.run((context) -> {
				startOthers(context);
				StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
				template.opsForValue().set("before", "1");
				ForeignClient foreign = new ForeignClient(oldMaster);
				// A blocking pop waits on the old master when the master changes under
				// it.
				CompletableFuture<String> blocked = CompletableFuture
					.supplyAsync(() -> template.opsForList().leftPop("queue", Duration.ofSeconds(20)));
				await().atMost(EVENTUALLY)
					.until(() -> String.valueOf(oldMaster.command("CLIENT", "LIST")).contains("cmd=blpop"));

				RedisHaMember member = context.getBean(RedisHaMember.class);
				long forcedAt = System.nanoTime();
				RedisHaMember.CommandResult forced = started(
						() -> member.failover(ClientApp.GROUP, Duration.ofSeconds(5)));
				NodeAddress newMaster = forced.finished().get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS).newMaster();
				assertThat(newMaster).isNotEqualTo(address(oldMaster));

				Throwable inFlight = catchThrowable(() -> blocked.get(10, TimeUnit.SECONDS));
				assertThat(Duration.ofNanos(System.nanoTime() - forcedAt)).isLessThan(Duration.ofSeconds(10));
				// The member cuts the connection when it switches; the old master's
				// demotion disconnects it too: whichever comes first, the pop fails and
				// is not replayed.
				Throwable cause = NestedExceptionUtils.getRootCause(inFlight);
				assertThat(cause).isInstanceOfAny(RedisMasterSwitchedException.class,
						RedisConnectionLostException.class);
				if (cause instanceof RedisMasterSwitchedException switched) {
					assertThat(switched.getOldMaster()).isEqualTo(address(oldMaster));
					assertThat(switched.getNewMaster()).isEqualTo(newMaster);
				}
				else {
					assertThat(cause).hasMessageContaining(oldMaster.address());
				}
				await().atMost(EVENTUALLY).until(() -> !foreign.isConnected());
				foreign.close();

				template.opsForValue().set("after", "1");
				RedisServerProcess promoted = group.nodeOnPort(newMaster.port());
				assertThat(promoted.command("GET", "after")).isEqualTo("1");
				assertThat(String.valueOf(promoted.command("CLIENT", "LIST"))).doesNotContain("cmd=blpop");
				assertThat(clientNames(oldMaster)).doesNotContain(ClientApp.CLIENT_NAME);
			});
	}

	@Test
	void aCommandInFlightWhenTheMasterDiesFailsAndIsNotReplayedOnTheNewMaster() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess oldMaster = group.master();
		app(group).run((context) -> {
			startOthers(context);
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			CompletableFuture<String> blocked = CompletableFuture
				.supplyAsync(() -> template.opsForList().leftPop("jobs", Duration.ofSeconds(30)));
			await().atMost(EVENTUALLY)
				.until(() -> String.valueOf(oldMaster.command("CLIENT", "LIST")).contains("cmd=blpop"));

			oldMaster.kill();
			Throwable inFlight = catchThrowable(() -> blocked.get(10, TimeUnit.SECONDS));
			assertThat(inFlight).rootCause()
				.isInstanceOf(RedisConnectionLostException.class)
				.hasMessageContaining("closed while this command was in flight");

			await().atMost(EVENTUALLY)
				.ignoreExceptions()
				.untilAsserted(() -> template.opsForList().rightPush("jobs", "job-1"));
			RedisServerProcess promoted = group
				.nodeOnPort(context.getBean(MasterFollowingConnectionFactory.class).getRoute().master().port());
			// Replayed on the new master, the pop would have taken the job from whoever
			// pushes it.
			await().during(Duration.ofMillis(500))
				.atMost(Duration.ofSeconds(2))
				.until(() -> Long.valueOf(1).equals(promoted.command("LLEN", "jobs")));
			assertThat(String.valueOf(promoted.command("CLIENT", "LIST"))).doesNotContain("cmd=blpop");
		});
	}

	@Test
	void whileTheMasterIsObjectivelyDownAWriteWaitsAtMostTheFailoverWaitThenWritesGoToTheNewMaster() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess oldMaster = group.master();
		// No replica may be promoted yet: the group stays objectively down.
		group.replicas().forEach((replica) -> replica.setReplicaPriority(0));
		app(group).run((context) -> {
			startOthers(context);
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			MasterRoute route = context.getBean(MasterFollowingConnectionFactory.class).getRoute();
			template.opsForValue().set("before", "1");

			oldMaster.kill();
			await().atMost(EVENTUALLY).until(route::isWaitingForMaster);
			long writeAt = System.nanoTime();
			Throwable unavailable = catchThrowable(() -> template.opsForValue().set("during", "1"));
			Duration waited = Duration.ofNanos(System.nanoTime() - writeAt);
			assertThat(unavailable).isInstanceOf(RedisMasterUnavailableException.class)
				.hasMessageContaining(address(oldMaster) + " is objectively down")
				.hasMessageContaining("waited 2000 ms (redis-ha.groups.clients.failover-wait)");
			// failover-wait is 2 s by default: the write waited for a new master, then
			// gave up.
			assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(1900));

			group.replicas().get(0).setReplicaPriority(100);
			await().atMost(EVENTUALLY).ignoreExceptions().untilAsserted(() -> template.opsForValue().set("after", "1"));
			RedisServerProcess promoted = group.nodeOnPort(route.master().port());
			assertThat(promoted).isSameAs(group.replicas().get(0));
			assertThat(promoted.command("GET", "after")).isEqualTo("1");
			assertThat(promoted.command("GET", "during")).isNull();
		});
	}

	@Test
	void aSwitchoverUnderTheApplicationsWritesLosesNoAcknowledgedWrite() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess oldMaster = group.master();
		app(group).run((context) -> {
			startOthers(context);
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			List<String> acknowledged = new CopyOnWriteArrayList<>();
			AtomicBoolean writing = new AtomicBoolean(true);
			Thread writer = new Thread(() -> {
				for (int i = 0; writing.get(); i++) {
					try {
						template.opsForValue().set("sw:" + i, "1");
						acknowledged.add("sw:" + i);
					}
					catch (RuntimeException ex) {
						// Cut short by the switch (never carried out, or answered
						// READONLY): not acknowledged.
					}
				}
			});
			writer.start();
			try {
				await().atMost(EVENTUALLY).until(() -> acknowledged.size() > 200);
				RedisHaMember member = context.getBean(RedisHaMember.class);
				GroupSnapshot.FailoverSnapshot switchover = started(
						() -> member.switchover(ClientApp.GROUP, null, Duration.ofSeconds(5), Duration.ofSeconds(5)))
					.finished()
					.get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS);
				assertThat(switchover.succeeded()).as(switchover.result()).isTrue();
				int before = acknowledged.size();
				await().atMost(EVENTUALLY).until(() -> acknowledged.size() > before + 200);
			}
			finally {
				writing.set(false);
				writer.join();
			}
			MasterRoute route = context.getBean(MasterFollowingConnectionFactory.class).getRoute();
			RedisServerProcess promoted = group.nodeOnPort(route.master().port());
			assertThat(promoted).isNotSameAs(oldMaster);
			assertThat(promoted.role()).isEqualTo("master");
			long lost = acknowledged.stream().filter((key) -> promoted.command("GET", key) == null).count();
			assertThat(lost).as("acknowledged writes missing on the new master, of " + acknowledged.size()).isZero();
		});
	}

	@ParameterizedTest(name = "pooled: {0}")
	@ValueSource(booleans = { false, true })
	void transactionsAcrossASwitchoverCommitWholeOnOneMasterOrFailWhole(boolean pooled) {
		LocalRedisGroup group = redis.group();
		RedisServerProcess oldMaster = group.master();
		pooledOrNot(app(group), pooled).run((context) -> {
			assertPooled(context, pooled);
			startOthers(context);
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			RedisHaMember member = context.getBean(RedisHaMember.class);
			try (Transactions transactions = new Transactions(template, 3)) {
				await().atMost(EVENTUALLY).until(() -> transactions.committed.size() > 100);
				GroupSnapshot.FailoverSnapshot switchover = started(
						() -> member.switchover(ClientApp.GROUP, null, Duration.ofSeconds(5), Duration.ofSeconds(5)))
					.finished()
					.get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS);
				assertThat(switchover.succeeded()).as(switchover.result()).isTrue();
				transactions.awaitMoreCommitted(100);
				RedisServerProcess promoted = transactions.wholeOrNothingOnTheMaster(context, group);
				assertThat(promoted).isNotSameAs(oldMaster);
				// A switchover waits for the replicas to catch up: every committed
				// transaction is there.
				assertThat(transactions.committed).allSatisfy((id) -> assertThat(
						promoted.command("EXISTS", Transactions.key(id, "a"), Transactions.key(id, "b")))
					.isEqualTo(2L));
			}
		});
	}

	@ParameterizedTest(name = "pooled: {0}")
	@ValueSource(booleans = { false, true })
	void transactionsAcrossAForcedFailoverCommitWholeOnOneMasterOrFailWhole(boolean pooled) {
		LocalRedisGroup group = redis.group();
		RedisServerProcess oldMaster = group.master();
		// Consistent mode refuses to fail over to replicas still streaming from a live
		// master.
		pooledOrNot(app(group), pooled)
			.withPropertyValues("redis-ha.groups." + ClientApp.GROUP + ".partition-mode=available")
			.run((context) -> {
				assertPooled(context, pooled);
				startOthers(context);
				StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
				RedisHaMember member = context.getBean(RedisHaMember.class);
				try (Transactions transactions = new Transactions(template, 3)) {
					await().atMost(EVENTUALLY).until(() -> transactions.committed.size() > 100);
					RedisHaMember.CommandResult forced = started(
							() -> member.failover(ClientApp.GROUP, Duration.ofSeconds(5)));
					assertThat(forced.finished().get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS).newMaster())
						.isNotEqualTo(address(oldMaster));
					transactions.awaitMoreCommitted(100);
					// Replication is asynchronous: a transaction the old master committed
					// last may be lost, never split.
					assertThat(transactions.wholeOrNothingOnTheMaster(context, group)).isNotSameAs(oldMaster);
				}
			});
	}

	@ParameterizedTest(name = "pooled: {0}")
	@ValueSource(booleans = { false, true })
	void transactionsAcrossTheFailoverOfAKilledMasterCommitWholeOnOneMasterOrFailWhole(boolean pooled) {
		LocalRedisGroup group = redis.group();
		RedisServerProcess oldMaster = group.master();
		pooledOrNot(app(group), pooled).run((context) -> {
			assertPooled(context, pooled);
			startOthers(context);
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			try (Transactions transactions = new Transactions(template, 3)) {
				await().atMost(EVENTUALLY).until(() -> transactions.committed.size() > 100);
				oldMaster.kill();
				transactions.awaitMoreCommitted(100);
				// Replication is asynchronous: a transaction the dead master committed
				// last may be lost, never split.
				assertThat(transactions.wholeOrNothingOnTheMaster(context, group)).isNotSameAs(oldMaster);
			}
		});
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "on the resources builder", "on the client configuration" })
	void theApplicationsLettuceCustomizersWorkAlongsideTheRouteAcrossASwitchover(String where) {
		LocalRedisGroup group = redis.group();
		RedisServerProcess oldMaster = group.master();
		ApplicationHooks hooks = new ApplicationHooks();
		ClientResources own = DefaultClientResources.builder()
			.nettyCustomizer(hooks)
			.socketAddressResolver(hooks)
			.build();
		ClientOptions options = ClientOptions.builder().requestQueueSize(ApplicationHooks.QUEUE_SIZE).build();
		ApplicationContextRunner runner = app(group)
			.withPropertyValues("redis-ha.groups." + ClientApp.GROUP + ".read-from=replicaPreferred");
		if (where.equals("on the resources builder")) {
			runner = runner
				.withBean(ClientResourcesBuilderCustomizer.class,
						() -> (builder) -> builder.nettyCustomizer(hooks).socketAddressResolver(hooks))
				.withBean(LettuceClientConfigurationBuilderCustomizer.class,
						() -> (builder) -> builder.clientOptions(options));
		}
		else {
			runner = runner.withBean(LettuceClientConfigurationBuilderCustomizer.class,
					() -> (builder) -> builder.clientResources(own).clientOptions(options));
		}
		try {
			runner.run((context) -> {
				startOthers(context);
				MasterFollowingConnectionFactory factory = context.getBean(MasterFollowingConnectionFactory.class);
				ClientOptions used = factory.getClientConfiguration().getClientOptions().orElseThrow();
				assertThat(used.getRequestQueueSize()).isEqualTo(ApplicationHooks.QUEUE_SIZE);
				assertThat(used.isAutoReconnect()).isTrue();
				StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
				template.opsForValue().set("customized", "1");
				await().atMost(EVENTUALLY)
					.until(() -> group.replicas()
						.stream()
						.allMatch((replica) -> "1".equals(replica.command("GET", "customized"))));
				assertThat(template.opsForValue().get("customized")).isEqualTo("1");
				// The application's resolver found the replicas read routing reads from;
				// the route kept the master.
				assertThat(hooks.resolved)
					.containsAnyElementsOf(group.replicas().stream().map(RedisServerProcess::port).toList())
					.doesNotContain(oldMaster.port());
				RedisHaMember member = context.getBean(RedisHaMember.class);
				GroupSnapshot.FailoverSnapshot switchover = started(
						() -> member.switchover(ClientApp.GROUP, null, Duration.ofSeconds(5), Duration.ofSeconds(5)))
					.finished()
					.get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS);
				assertThat(switchover.succeeded()).as(switchover.result()).isTrue();
				RedisServerProcess promoted = group.nodeOnPort(factory.getRoute().master().port());
				await().atMost(EVENTUALLY).ignoreExceptions().untilAsserted(() -> {
					template.opsForValue().set("after", "2");
					assertThat(promoted.command("GET", "after")).isEqualTo("2");
				});
				// The application's customizer saw the channels, the route fenced them:
				// none is open to the old master.
				assertThat(hooks.openChannelPorts()).contains(promoted.port()).doesNotContain(oldMaster.port());
			});
			// The application's own resources are the application's to shut down, not the
			// factory's.
			assertThat(own.eventExecutorGroup().isShuttingDown()).isFalse();
		}
		finally {
			own.shutdown();
		}
	}

	/**
	 * The application's pool setting: the transactions' dedicated connections pooled or
	 * not.
	 */
	private static ApplicationContextRunner pooledOrNot(ApplicationContextRunner app, boolean pooled) {
		return app.withPropertyValues("spring.data.redis.lettuce.pool.enabled=" + pooled,
				"spring.data.redis.lettuce.pool.max-active=4");
	}

	private static void assertPooled(AssertableApplicationContext context, boolean pooled) {
		boolean pooling = context.getBean(MasterFollowingConnectionFactory.class)
			.getClientConfiguration() instanceof LettucePoolingClientConfiguration;
		assertThat(pooling).as("the dedicated connections are pooled").isEqualTo(pooled);
	}

	/**
	 * Asks until the member takes the command: it refuses while it still learns the
	 * replicas' state after its start. The bound is generous: on a busy machine the
	 * members' first INFO rounds come late.
	 */
	private static RedisHaMember.CommandResult started(Supplier<RedisHaMember.CommandResult> command) {
		AtomicReference<RedisHaMember.CommandResult> started = new AtomicReference<>();
		await().atMost(EVENTUALLY).pollInterval(Duration.ofMillis(200)).until(() -> {
			started.set(command.get());
			return started.get().outcome().status() == CommandOutcome.Status.STARTED;
		});
		return started.get();
	}

	/**
	 * The application with a listener container; {@link #startOthers} adds the other
	 * instances.
	 */
	private static ApplicationContextRunner app(LocalRedisGroup group) {
		return ClientApp.runner(group, 2).withUserConfiguration(ListenerContainer.class);
	}

	/**
	 * Starts two other instances and waits until the application's member knows them and
	 * the master, and every member is past its start-up quiet period.
	 */
	private void startOthers(AssertableApplicationContext context) {
		LocalRedisGroup group = redis.group();
		for (int i = 0; i < 2; i++) {
			RedisHaMember other = ClientApp.otherInstance(group, 2);
			this.others.add(other);
		}
		awaitFirstMaster(context.getBean(EventRecorder.class));
		RedisHaMember member = context.getBean(RedisHaMember.class);
		// On a busy machine a timer gap puts a member in TILT (30 s) at start, and it
		// admits no voter meanwhile.
		await().atMost(EVENTUALLY).until(() -> {
			GroupSnapshot snapshot = member.snapshot(ClientApp.GROUP);
			return snapshot != null && snapshot.members().size() == 3;
		});
		// Members vote only past their start-up quiet period: an operator's election
		// needs them.
		List<RedisHaMember> all = new ArrayList<>(this.others);
		all.add(member);
		await().atMost(EVENTUALLY)
			.until(() -> all.stream().noneMatch((each) -> each.snapshot(ClientApp.GROUP).startingUp()));
		// ... and only voters elect: wait until every member is one.
		await().atMost(EVENTUALLY).until(() -> all.stream().allMatch((each) -> {
			GroupSnapshot.ElectorateSnapshot electorate = each.snapshot(ClientApp.GROUP).electorate();
			return electorate != null && electorate.committed() && electorate.voters().size() == all.size();
		}));
	}

	private static List<String> subscribe(AssertableApplicationContext context) {
		List<String> received = new CopyOnWriteArrayList<>();
		context.getBean(RedisMessageListenerContainer.class)
			.addMessageListener(
					(message, pattern) -> received.add(new String(message.getBody(), StandardCharsets.UTF_8)),
					new ChannelTopic(NEWS));
		return received;
	}

	private static String switchMasterChannel() {
		return RedisNotifications.channel(ProtocolEvent.Type.SWITCH_MASTER);
	}

	private static String describe(Object event) {
		if (event instanceof MasterSwitchedEvent switched) {
			return "MasterSwitchedEvent " + switched.getOldMaster() + "->" + switched.getNewMaster();
		}
		return event.getClass().getSimpleName() + " " + ((NodeDownEvent) event).getNode();
	}

	private static String clientNames(RedisServerProcess node) {
		return (String) node.command("CLIENT", "LIST");
	}

	/**
	 * Threads that each run one transaction after another: {@code WATCH} of a key of
	 * their own, {@code MULTI}, two {@code SET}s, {@code EXEC}, through a
	 * {@code SessionCallback}.
	 */
	private static final class Transactions implements AutoCloseable {

		final List<Integer> attempted = new CopyOnWriteArrayList<>();

		final List<Integer> committed = new CopyOnWriteArrayList<>();

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final AtomicInteger ids = new AtomicInteger();

		private final List<Thread> threads = new ArrayList<>();

		Transactions(StringRedisTemplate template, int threads) {
			for (int i = 0; i < threads; i++) {
				String watched = "tx:watched:" + i;
				Thread thread = new Thread(() -> {
					while (this.running.get()) {
						run(template, watched, this.ids.incrementAndGet());
					}
				}, "transactions-" + i);
				thread.start();
				this.threads.add(thread);
			}
		}

		static String key(int id, String part) {
			return "tx:" + id + ":" + part;
		}

		private void run(StringRedisTemplate template, String watched, int id) {
			this.attempted.add(id);
			try {
				List<Object> results = template.execute(new SessionCallback<List<Object>>() {

					@Override
					@SuppressWarnings("unchecked")
					public <K, V> List<Object> execute(RedisOperations<K, V> operations) {
						RedisOperations<String, String> strings = (RedisOperations<String, String>) operations;
						strings.watch(watched);
						strings.multi();
						strings.opsForValue().set(key(id, "a"), "1");
						strings.opsForValue().set(watched, String.valueOf(id));
						strings.opsForValue().set(key(id, "b"), "1");
						return strings.exec();
					}

				});
				if (results != null && results.size() == 3) {
					this.committed.add(id);
				}
			}
			catch (RuntimeException ex) {
				// Not committed, or not known to be: it may have been applied, but never
				// in part.
			}
		}

		void awaitMoreCommitted(int more) {
			int before = this.committed.size();
			await().atMost(EVENTUALLY).until(() -> this.committed.size() >= before + more);
		}

		/**
		 * Stops, then checks every transaction attempted on the master the application
		 * follows; returns it.
		 */
		RedisServerProcess wholeOrNothingOnTheMaster(AssertableApplicationContext context, LocalRedisGroup group) {
			close();
			MasterRoute route = context.getBean(MasterFollowingConnectionFactory.class).getRoute();
			RedisServerProcess master = group.nodeOnPort(route.master().port());
			assertThat(master.role()).isEqualTo("master");
			for (int id : this.attempted) {
				assertThat(master.command("EXISTS", key(id, "a"), key(id, "b"))).as("transaction " + id).isIn(0L, 2L);
			}
			return master;
		}

		@Override
		public void close() {
			this.running.set(false);
			for (Thread thread : this.threads) {
				try {
					thread.join(30_000);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}

	}

	/**
	 * What an application may hook into Lettuce: a resolver (recording the ports it
	 * resolved) and a Netty customizer (keeping the channels it saw).
	 */
	static final class ApplicationHooks extends SocketAddressResolver implements NettyCustomizer {

		static final int QUEUE_SIZE = 100_000;

		final List<Integer> resolved = new CopyOnWriteArrayList<>();

		private final List<Channel> channels = new CopyOnWriteArrayList<>();

		@Override
		public SocketAddress resolve(RedisURI redisURI) {
			this.resolved.add(redisURI.getPort());
			return super.resolve(redisURI);
		}

		@Override
		public void afterChannelInitialized(Channel channel) {
			this.channels.add(channel);
		}

		List<Integer> openChannelPorts() {
			return this.channels.stream()
				.filter(Channel::isActive)
				.map((channel) -> ((InetSocketAddress) channel.remoteAddress()).getPort())
				.toList();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ListenerContainer {

		@Bean
		RedisMessageListenerContainer redisMessageListenerContainer(RedisConnectionFactory connectionFactory) {
			RedisMessageListenerContainer container = new RedisMessageListenerContainer();
			container.setConnectionFactory(connectionFactory);
			return container;
		}

	}

}
