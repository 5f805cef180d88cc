package io.redisha.connection;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.resource.DefaultClientResources;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.member.GroupSettings;
import io.redisha.member.RedisHaMember;
import io.redisha.member.TestGossip;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The application's connections when the master switches at a moment the test chooses:
 * the route follows the events the test gives it, from a group's master (kept running and
 * still a master, as after a partition) to another redis-server. Nothing sent after the
 * switch is known reaches the old master, and nothing a transaction, a WATCH, a pipeline
 * or a blocking command holds is split between the two.
 */
class ConnectionsAcrossASwitchTest {

	private static final String GROUP = "switching";

	private static final String CLIENT_NAME = "switching-app";

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(0);

	private final List<Consumer<ProtocolEvent>> routeListeners = new CopyOnWriteArrayList<>();

	private RedisServerProcess oldMaster;

	private RedisServerProcess newMaster;

	private RedisHaMember member;

	private MasterFollowingConnectionFactory factory;

	private StringRedisTemplate template;

	@BeforeEach
	void start() {
		this.oldMaster = redis.group().master();
		this.newMaster = RedisServerProcess.start();
		GroupConfig config = new GroupConfig(GROUP, List.of(address(this.oldMaster)), 1, Duration.ofSeconds(1),
				Duration.ofMinutes(3), 1, GroupConfig.Timing.defaults());
		this.member = new RedisHaMember(new MemberIdentity("switch-test", "test"),
				List.of(new GroupSettings(config, null, null, Duration.ofMillis(500), TestGossip.SEAL)));
		this.member.start();
		await().atMost(EVENTUALLY)
			.until(() -> this.member.admitsWrites(GROUP) && this.member.snapshot(GROUP).master() != null);
		MasterRoute route = new MasterRoute(this.member, GROUP, Duration.ofSeconds(2), false, this.routeListeners::add);
		this.factory = new MasterFollowingConnectionFactory(route, new RedisStandaloneConfiguration(),
				LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(5)).clientName(CLIENT_NAME),
				DefaultClientResources.builder(), ClientOptions.builder());
		this.factory.afterPropertiesSet();
		this.factory.start();
		this.template = new StringRedisTemplate(this.factory);
		this.template.opsForValue().set("before", "1");
		assertThat(this.oldMaster.command("GET", "before")).isEqualTo("1");
	}

	@AfterEach
	void stop() {
		this.factory.destroy();
		this.member.stop();
		this.newMaster.close();
	}

	@Test
	void aWriteOnAChannelOfTheOldMasterAfterTheSwitchIsKnownIsNotSent() throws Exception {
		CountDownLatch holding = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		RedisFuture<String> write;
		try (RedisConnection connection = this.factory.getConnection()) {
			@SuppressWarnings("unchecked")
			RedisClusterAsyncCommands<byte[], byte[]> shared = (RedisClusterAsyncCommands<byte[], byte[]>) connection
				.getNativeConnection();
			// Lettuce completes a command on its channel's event loop: the reply to a pop
			// that waits 100 ms holds that loop, and with it the channel.
			shared.blpop(0.1, bytes("nothing")).thenRun(() -> {
				holding.countDown();
				awaitQuietly(release);
			});
			assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
			// Handed to the event loop before the switch: it reaches the channel after
			// the route moved, and before the cut the switch queues behind it.
			write = shared.set(bytes("interleaved"), bytes("1"));
			switchMaster();
		}
		finally {
			release.countDown();
		}
		assertThat(write.toCompletableFuture()).failsWithin(Duration.ofSeconds(5))
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(RedisMasterSwitchedException.class)
			.withMessageContaining("before this command was written; it was not sent");
		assertThat(this.oldMaster.command("GET", "interleaved")).isNull();
		assertThat(this.oldMaster.role()).isEqualTo("master");
		this.template.opsForValue().set("after", "1");
		assertThat(this.newMaster.command("GET", "after")).isEqualTo("1");
	}

	@Test
	void aTransactionCutBetweenItsCommandsFailsWholeAndTheNextGoesToTheNewMaster() {
		Throwable failure = catchThrowable(() -> this.template.execute(session((operations) -> {
			operations.multi();
			operations.opsForValue().set("tx:a", "1");
			switchMasterAndAwaitTheCut();
			operations.opsForValue().set("tx:b", "1");
			return operations.exec();
		})));
		assertSwitchedAndNotSent(failure);
		assertThat(this.oldMaster.command("EXISTS", "tx:a", "tx:b")).isEqualTo(0L);
		assertThat(this.newMaster.command("EXISTS", "tx:a", "tx:b")).isEqualTo(0L);

		List<Object> committed = this.template.execute(session((operations) -> {
			operations.multi();
			operations.opsForValue().set("tx:a", "2");
			operations.opsForValue().set("tx:b", "2");
			return operations.exec();
		}));
		assertThat(committed).hasSize(2);
		assertThat(this.newMaster.command("MGET", "tx:a", "tx:b")).isEqualTo(List.of("2", "2"));
	}

	@Test
	void aWatchOnTheOldMasterIsNotFollowedByATransactionOnTheNewOne() {
		Throwable failure = catchThrowable(() -> this.template.execute(session((operations) -> {
			operations.watch("before");
			switchMasterAndAwaitTheCut();
			operations.multi();
			operations.opsForValue().set("before", "2");
			return operations.exec();
		})));
		assertSwitchedAndNotSent(failure);
		assertThat(this.oldMaster.command("GET", "before")).isEqualTo("1");
		assertThat(this.newMaster.command("EXISTS", "before")).isEqualTo(0L);
	}

	@Test
	void aPipelineCutInTheMiddleSendsNothingMoreAnywhere() {
		Throwable failure = catchThrowable(
				() -> this.template.executePipelined((RedisCallback<Object>) (connection) -> {
					connection.stringCommands().set(bytes("pipe:1"), bytes("1"));
					switchMasterAndAwaitTheCut();
					connection.stringCommands().set(bytes("pipe:2"), bytes("1"));
					connection.stringCommands().set(bytes("pipe:3"), bytes("1"));
					return null;
				}));
		assertThat(failure).isInstanceOf(DataAccessException.class);
		assertThat(this.oldMaster.command("EXISTS", "pipe:2", "pipe:3")).isEqualTo(0L);
		assertThat(this.newMaster.command("EXISTS", "pipe:1", "pipe:2", "pipe:3")).isEqualTo(0L);
	}

	@Test
	void aBlockingCommandCutByTheSwitchFailsAndSoDoTheLaterOnesOnItsConnection() {
		CompletableFuture<Void> switched = CompletableFuture.runAsync(() -> {
			await().atMost(EVENTUALLY)
				.until(() -> String.valueOf(this.oldMaster.command("CLIENT", "LIST")).contains("cmd=blpop"));
			switchMaster();
		});
		List<Throwable> failures = this.template.execute((RedisCallback<List<Throwable>>) (connection) -> {
			Throwable inFlight = catchThrowable(() -> connection.listCommands().bLPop(30, bytes("jobs")));
			Throwable later = catchThrowable(() -> connection.listCommands().bLPop(30, bytes("jobs")));
			return List.of(inFlight, later);
		});
		assertThat(switched).succeedsWithin(EVENTUALLY);
		assertThat(NestedExceptionUtils.getMostSpecificCause(failures.get(0)))
			.isInstanceOf(RedisMasterSwitchedException.class)
			.hasMessageContaining("while this command was in flight");
		assertSwitchedAndNotSent(failures.get(1));
		assertThat(String.valueOf(this.newMaster.command("CLIENT", "LIST"))).doesNotContain("cmd=blpop");
		this.newMaster.command("RPUSH", "jobs", "job-1");
		assertThat(this.newMaster.command("LLEN", "jobs")).isEqualTo(1L);
	}

	@Test
	void aRedisTransactionBoundToASpringTransactionIsNotSplitBetweenTheMasters() {
		StringRedisTemplate transactional = new StringRedisTemplate(this.factory);
		transactional.setEnableTransactionSupport(true);
		TransactionTemplate transactions = new TransactionTemplate(new NoResourceTransactionManager());
		Throwable failure = catchThrowable(() -> transactions.executeWithoutResult((status) -> {
			transactional.opsForValue().set("spring:a", "1");
			switchMasterAndAwaitTheCut();
			transactional.opsForValue().set("spring:b", "1");
		}));
		// Spring Data sends EXEC after the commit, where a failure is logged rather than
		// thrown.
		assertThat(failure).isNull();
		assertThat(this.oldMaster.command("EXISTS", "spring:a", "spring:b")).isEqualTo(0L);
		assertThat(this.newMaster.command("EXISTS", "spring:a", "spring:b")).isEqualTo(0L);

		transactions.executeWithoutResult((status) -> {
			transactional.opsForValue().set("spring:a", "2");
			transactional.opsForValue().set("spring:b", "2");
		});
		assertThat(this.newMaster.command("MGET", "spring:a", "spring:b")).isEqualTo(List.of("2", "2"));
	}

	private void switchMaster() {
		ProtocolEvent event = new ProtocolEvent(ProtocolEvent.Type.SWITCH_MASTER, GROUP, 2, address(this.oldMaster),
				address(this.newMaster), null);
		this.routeListeners.forEach((listener) -> listener.accept(event));
	}

	/**
	 * Switches, then waits until the old master has no connection of the application's
	 * left.
	 */
	private void switchMasterAndAwaitTheCut() {
		switchMaster();
		await().atMost(EVENTUALLY)
			.until(() -> !String.valueOf(this.oldMaster.command("CLIENT", "LIST")).contains("name=" + CLIENT_NAME));
	}

	/**
	 * Refused on the new master's channel, or on the old master's when it was written
	 * before the cut closed that channel: not sent either way.
	 */
	private void assertSwitchedAndNotSent(Throwable failure) {
		assertThat(NestedExceptionUtils.getMostSpecificCause(failure)).isInstanceOf(RedisMasterSwitchedException.class)
			.hasMessageContaining("master moved from " + address(this.oldMaster) + " to " + address(this.newMaster))
			.hasMessageMatching("(?s).*(it|this command) was not sent.*");
	}

	@SuppressWarnings("unchecked")
	private static <T> SessionCallback<T> session(
			java.util.function.Function<RedisOperations<String, String>, T> body) {
		return new SessionCallback<>() {

			@Override
			public <K, V> T execute(RedisOperations<K, V> operations) {
				return body.apply((RedisOperations<String, String>) operations);
			}

		};
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static NodeAddress address(RedisServerProcess server) {
		return new NodeAddress(server.host(), server.port());
	}

	/**
	 * A transaction manager with no resource of its own: Spring's transaction around
	 * Redis commands only.
	 */
	private static final class NoResourceTransactionManager extends AbstractPlatformTransactionManager {

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
		}

	}

}
