package io.redisha.connection;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.redisha.connection.ClientApp.EventRecorder;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.member.GroupSettings;
import io.redisha.member.RedisHaMember;
import io.redisha.member.TestGossip;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.PartitionMode;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The partition fence on the application's channels ({@link WriteFence}). A member that
 * has no picture of its group yet does not admit writes: the tests of refusals use one,
 * on Netty's embedded channel and on a Lettuce connection to a real redis-server.
 */
class WriteFenceTest {

	private static final String GROUP = "orders";

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(0).perClass();

	@ParameterizedTest(name = "{0}")
	@EnumSource(names = { "SET", "DEL", "INCR", "MULTI", "EXEC", "PUBLISH", "EVAL", "EVALSHA", "FCALL", "WATCH" })
	void aWriteIsRefusedAndNeverSent(CommandType type) {
		RedisHaMember member = memberWithoutPicture();
		EmbeddedChannel channel = new EmbeddedChannel(new WriteFence(member, GROUP));
		CompletableFuture<String> write = command(type);
		channel.writeOutbound(write);
		assertThat(channel.<Object>readOutbound()).isNull();
		assertThat(write).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(RedisHaFencedException.class)
			.withMessage("redis-ha group 'orders' refuses writes: this member has no picture of the group yet;"
					+ " this command was not sent and is safe to retry");
		assertThat(member.refusedWrites(GROUP)).isOne();
	}

	@ParameterizedTest(name = "{0}")
	@EnumSource(names = { "GET", "MGET", "EXISTS", "SCAN", "INFO", "EVAL_RO", "HELLO", "AUTH", "PING", "SELECT",
			"CLIENT", "SUBSCRIBE", "DISCARD" })
	void readsAndTheHandshakePass(CommandType type) {
		RedisHaMember member = memberWithoutPicture();
		EmbeddedChannel channel = new EmbeddedChannel(new WriteFence(member, GROUP));
		AsyncCommand<String, String, String> read = command(type);
		channel.writeOutbound(read);
		assertThat(channel.<Object>readOutbound()).isSameAs(read);
		assertThat(read).isNotDone();
		assertThat(member.refusedWrites(GROUP)).isZero();
	}

	@Test
	void aBatchLosesItsWritesAndKeepsItsOtherCommandsInOrder() {
		RedisHaMember member = memberWithoutPicture();
		EmbeddedChannel channel = new EmbeddedChannel(new WriteFence(member, GROUP));
		AsyncCommand<String, String, String> first = command(CommandType.GET);
		AsyncCommand<String, String, String> write = command(CommandType.SET);
		AsyncCommand<String, String, String> last = command(CommandType.PING);
		channel.writeOutbound(List.of(first, write, last));
		assertThat(channel.<Object>readOutbound()).isEqualTo(List.of(first, last));
		assertThat(write).isCompletedExceptionally();
		channel.writeOutbound(List.of(command(CommandType.SET), command(CommandType.DEL)));
		assertThat(channel.<Object>readOutbound()).isNull();
		assertThat(member.refusedWrites(GROUP)).isEqualTo(3);
	}

	@Test
	void aWriteRefusedWithinATransactionClosesTheConnectionSoThatRedisDiscardsIt() {
		try (RedisHaMember admitting = startedMember()) {
			await().atMost(EVENTUALLY).until(() -> admitting.admitsWrites(GROUP));
			WriteFence open = new WriteFence(admitting, GROUP);
			EmbeddedChannel channel = new EmbeddedChannel(open);
			channel.writeOutbound(command(CommandType.MULTI));
			assertThat(channel.<Object>readOutbound()).isNotNull();
			// The same channel, its transaction open, now behind a member that refuses
			// writes.
			channel.pipeline().replace(open, "fenced", new WriteFence(memberWithoutPicture(), GROUP));
			AsyncCommand<String, String, String> write = command(CommandType.SET);
			channel.writeOutbound(write);
			assertThat(write).isCompletedExceptionally();
			assertThat(channel.isOpen()).isFalse();
		}
	}

	@Test
	void aLettuceConnectionOfAFencedInstanceReadsButItsWritesFailAndNeverReachRedis() {
		RedisHaMember member = memberWithoutPicture();
		RedisServerProcess master = redis.group().master();
		try (FencedClient client = FencedClient.of(member, GROUP, "fenced")) {
			StringRedisTemplate template = client.template();
			master.command("SET", "fenced-key", "before");
			assertThat(template.opsForValue().get("fenced-key")).isEqualTo("before");
			assertThatExceptionOfType(RedisHaFencedException.class)
				.isThrownBy(() -> template.opsForValue().set("fenced-key", "after"))
				.withMessageContaining("redis-ha group 'orders' refuses writes")
				.satisfies((ex) -> assertThat(ex.getGroup()).isEqualTo(GROUP));
			assertThat(master.command("GET", "fenced-key")).isEqualTo("before");
			assertThat(template.opsForValue().get("fenced-key")).isEqualTo("before");
			assertThat(member.refusedWrites(GROUP)).isOne();
		}
	}

	@Test
	void anAdmittedWriteIsAcknowledgedOnlyIfItsReplyComesWhileTheMemberStillAdmitsWrites() {
		String group = "late-reply";
		try (RedisHaMember member = startedConsistentMember(group)) {
			awaitFiniteLease(member, group);
			EmbeddedChannel channel = new EmbeddedChannel(new WriteFence(member, group));
			AsyncCommand<String, String, String> early = command(CommandType.SET);
			AsyncCommand<String, String, String> late = command(CommandType.SET);
			channel.writeOutbound(List.of(early, late));
			List<RedisCommand<String, String, String>> sent = channel.readOutbound();
			assertThat(sent).hasSize(2);
			sent.get(0).getOutput().set(StandardCharsets.UTF_8.encode("OK"));
			sent.get(0).complete();
			assertThat(early).succeedsWithin(Duration.ZERO).isEqualTo("OK");
			member.stop();
			await().atMost(EVENTUALLY).until(() -> !member.admitsWrites(group));
			sent.get(1).getOutput().set(StandardCharsets.UTF_8.encode("OK"));
			sent.get(1).complete();
			assertThat(late).failsWithin(Duration.ZERO)
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(RedisHaUnconfirmedWriteException.class)
				.withMessageContaining("came after this instance stopped admitting writes to it");
			assertThat(member.unconfirmedWrites(group)).isOne();
		}
	}

	/**
	 * A write held up on its way (here the master pauses writes; a GC pause of this
	 * process or a slow socket does the same) is carried out after the member stopped
	 * admitting writes: the application is told it may have been carried out, not that it
	 * was acknowledged.
	 */
	@Test
	void aWriteWhoseReplyComesAfterTheLeaseEndedFailsAsUnconfirmed() {
		String group = "late-write";
		RedisHaMember member = startedConsistentMember(group);
		RedisServerProcess master = redis.group().master();
		try (FencedClient lateWriter = FencedClient.of(member, group, "late-write")) {
			StringRedisTemplate template = lateWriter.template();
			awaitFiniteLease(member, group);
			template.opsForValue().set("late-key", "before");
			master.command("CLIENT", "PAUSE", "60000", "WRITE");
			CompletableFuture<Void> write = CompletableFuture
				.runAsync(() -> template.opsForValue().set("late-key", "after"));
			await().atMost(EVENTUALLY)
				.until(() -> String.valueOf(master.command("CLIENT", "LIST"))
					.lines()
					.anyMatch((client) -> client.contains("name=late-write") && client.contains("flags=b")));
			member.stop();
			await().atMost(EVENTUALLY).until(() -> !member.admitsWrites(group));
			master.command("CLIENT", "UNPAUSE");
			assertThat(write).failsWithin(EVENTUALLY)
				.withThrowableThat()
				.havingRootCause()
				.isInstanceOf(RedisHaUnconfirmedWriteException.class);
			assertThat(master.command("GET", "late-key")).as("carried out all the same").isEqualTo("after");
			assertThat(member.unconfirmedWrites(group)).isOne();
		}
		finally {
			master.command("CLIENT", "UNPAUSE");
			member.close();
		}
	}

	@ParameterizedTest(name = "partition-mode={0}")
	@ValueSource(strings = { "consistent", "available" })
	void theApplicationWritesToTheMasterWhileItsMemberAdmitsWrites(String mode) {
		LocalRedisGroup group = redis.group();
		ClientApp.runner(group, 1)
			.withPropertyValues("redis-ha.groups." + ClientApp.GROUP + ".partition-mode=" + mode)
			.run((context) -> {
				MasterFollowingConnectionFactoryTest.awaitFirstMaster(context.getBean(EventRecorder.class));
				RedisHaMember member = context.getBean(RedisHaMember.class);
				// In consistent mode, once the one instance's electorate holds a majority
				// that reaches the master.
				await().atMost(EVENTUALLY).until(() -> member.admitsWrites(ClientApp.GROUP));
				StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
				template.opsForValue().set("fence-" + mode, "open");
				assertThat(group.master().command("GET", "fence-" + mode)).isEqualTo("open");
				assertThat(template.opsForValue().get("fence-" + mode)).isEqualTo("open");
				assertThat(member.refusedWrites(ClientApp.GROUP)).isZero();
			});
	}

	/**
	 * A Spring Data Redis client of the master whose channels pass {@code member}'s write
	 * fence; closing it closes its connections and Lettuce's threads.
	 */
	private record FencedClient(LettuceConnectionFactory factory, ClientResources resources) implements AutoCloseable {

		static FencedClient of(RedisHaMember member, String group, String clientName) {
			ClientResources resources = ClientResources.builder().nettyCustomizer(new NettyCustomizer() {

				@Override
				public void afterChannelInitialized(Channel channel) {
					channel.pipeline().addLast(new WriteFence(member, group));
				}

			}).build();
			RedisServerProcess master = redis.group().master();
			LettuceConnectionFactory factory = new LettuceConnectionFactory(
					new RedisStandaloneConfiguration(master.host(), master.port()),
					LettuceClientConfiguration.builder().clientResources(resources).clientName(clientName).build());
			factory.afterPropertiesSet();
			factory.start();
			return new FencedClient(factory, resources);
		}

		StringRedisTemplate template() {
			return new StringRedisTemplate(this.factory);
		}

		@Override
		public void close() {
			this.factory.destroy();
			this.resources.shutdown();
		}

	}

	/**
	 * A member that was never started: it has no picture of its group, so it admits no
	 * write.
	 */
	private static RedisHaMember memberWithoutPicture() {
		return member(new NodeAddress("127.0.0.1", 1));
	}

	private static RedisHaMember startedMember() {
		RedisHaMember member = member(NodeAddress.parse(redis.group().master().address()));
		member.start();
		return member;
	}

	/**
	 * A member in consistent partition mode: once stopped, its write lease runs out
	 * within fence-after.
	 */
	private static RedisHaMember startedConsistentMember(String group) {
		RedisHaMember member = member(group, NodeAddress.parse(redis.group().master().address()),
				new GroupConfig.Fencing(PartitionMode.CONSISTENT, Duration.ofMillis(600)));
		member.start();
		return member;
	}

	/**
	 * Until the member admits writes on a lease that runs out (its electorate is
	 * founded).
	 */
	private static void awaitFiniteLease(RedisHaMember member, String group) {
		await().atMost(EVENTUALLY)
			.until(() -> member.admitsWrites(group) && member.snapshot(group).fence().leaseUntilMs() != Long.MAX_VALUE);
	}

	private static RedisHaMember member(NodeAddress seed) {
		return member(GROUP, seed, null);
	}

	private static RedisHaMember member(String group, NodeAddress seed, GroupConfig.@Nullable Fencing fencing) {
		GroupConfig config = new GroupConfig(group, List.of(seed), 1, Duration.ofSeconds(1), Duration.ofMinutes(3), 1,
				GroupConfig.Timing.defaults());
		return new RedisHaMember(new MemberIdentity("fence-test", "test"),
				List.of(new GroupSettings((fencing != null) ? config.withFencing(fencing) : config, null, null,
						Duration.ofMillis(500), TestGossip.SEAL)));
	}

	private static AsyncCommand<String, String, String> command(CommandType type) {
		return new AsyncCommand<>(new Command<>(type, new StatusOutput<>(StringCodec.UTF8),
				new CommandArgs<>(StringCodec.UTF8).addKey("key")));
	}

}
