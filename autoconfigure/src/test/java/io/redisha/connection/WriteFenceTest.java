package io.redisha.connection;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

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
import io.redisha.embedded.PartitionableRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerOptions;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.embedded.TcpProxy;
import io.redisha.member.GroupSettings;
import io.redisha.member.RedisHaMember;
import io.redisha.member.TestGossip;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.PartitionMode;
import io.redisha.testing.Members;
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

	/** The fence-after of {@link #startedConsistentMember}. */
	private static final Duration FENCE_AFTER = Duration.ofMillis(600);

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
			CompletableFuture<Void> write = heldUpWrite(template, master, "late-key", "late-write");
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

	/**
	 * The lease runs out on the clock while a write is held up on its way, the member
	 * running all along and naming the same master: cut off from the master (its only
	 * voter's evidence, there being no replica), it hears no reply that would renew its
	 * lease. The reply that comes afterwards is not an acknowledgement.
	 */
	@Test
	void aWriteInFlightWhenTheLeaseRunsOutWithTheMasterUnchangedFailsAsUnconfirmed() {
		String group = "lapsed-lease";
		RedisServerProcess master = redis.group().master();
		NodeAddress masterAddress = NodeAddress.parse(master.address());
		TcpProxy memberLink = redis.proxyTo(master);
		NodeAddress viaProxy = NodeAddress.parse(memberLink.address());
		RedisHaMember member = startedConsistentMember(group, (node) -> node.equals(masterAddress) ? viaProxy : node);
		try (FencedClient lateWriter = FencedClient.of(member, group, "lapsed-lease", master)) {
			StringRedisTemplate template = lateWriter.template();
			awaitFiniteLease(member, group);
			template.opsForValue().set("lapsed-key", "before");
			CompletableFuture<Void> write = heldUpWrite(template, master, "lapsed-key", "lapsed-lease");
			// The pause holds up none of the member's PINGs and INFO reads (its hellos go
			// out on a connection of their own), which keep its lease: the cut ends it.
			memberLink.cut();
			await("the lease runs out").atMost(EVENTUALLY).until(() -> !member.admitsWrites(group));
			// Neither stopped nor moved to another master: only the lease ended.
			assertThat(member.isRunning()).isTrue();
			GroupSnapshot lapsed = member.snapshot(group);
			assertThat(lapsed.master()).isNotNull();
			assertThat(lapsed.master().address()).isEqualTo(masterAddress);
			assertThat(write).isNotDone();
			assertUnconfirmedOnceReleased(write, master, group, masterAddress);
			assertThat(master.command("GET", "lapsed-key")).as("carried out all the same").isEqualTo("after");
			assertThat(member.unconfirmedWrites(group)).isOne();
			assertThat(member.refusedWrites(group)).isZero();
		}
		finally {
			master.command("CLIENT", "UNPAUSE");
			// Its goodbye reaches the master.
			memberLink.restore();
			member.close();
		}
	}

	/**
	 * A write held up on its way to the master while the member fails that master over:
	 * cut off from it, with the replica cut off from it too, the member promotes the
	 * replica and admits writes there. The old master, still a master, then carries the
	 * write out and replies: an acknowledgement would be of a write the group's master
	 * never had.
	 */
	@Test
	void aWriteWhoseReplyComesAfterTheMemberMovedToAnotherMasterFailsAsUnconfirmed() {
		try (PartitionableRedisGroup nodes = PartitionableRedisGroup.start(1, RedisServerOptions.defaults());
				Members members = Members.startSteady(
						new Members.Nodes(nodes::nodes, (node) -> NodeAddress.parse(nodes.address(node))),
						Members.Settings.quorum(1), NodeAddress.parse(nodes.address("N0")),
						Map.of("m", route(nodes.addClient("m"))))) {
			RedisHaMember member = members.member("m").runtime();
			String group = Members.GROUP;
			RedisServerProcess oldMaster = nodes.node("N0");
			RedisServerProcess replica = nodes.node("N1");
			NodeAddress oldAddress = NodeAddress.parse(nodes.address("N0"));
			NodeAddress newAddress = NodeAddress.parse(nodes.address("N1"));
			try (FencedClient lateWriter = FencedClient.of(member, group, "switched", oldMaster)) {
				StringRedisTemplate template = lateWriter.template();
				awaitWritableMaster(member, group, oldAddress);
				template.opsForValue().set("switched-key", "before");
				await("the replica has the first write").atMost(EVENTUALLY)
					.until(() -> "before".equals(replica.command("GET", "switched-key")));
				CompletableFuture<Void> write = heldUpWrite(template, oldMaster, "switched-key", "switched");
				nodes.partition(Set.of("m", "N1"), Set.of("N0"));
				awaitWritableMaster(member, group, newAddress);
				assertThat(write).isNotDone();
				assertUnconfirmedOnceReleased(write, oldMaster, group, oldAddress);
				assertThat(oldMaster.command("GET", "switched-key")).as("carried out by the old master")
					.isEqualTo("after");
				assertThat(replica.command("GET", "switched-key")).as("not in the new master's history")
					.isEqualTo("before");
				assertThat(member.unconfirmedWrites(group)).isOne();
				assertThat(member.refusedWrites(group)).isZero();
			}
			finally {
				oldMaster.command("CLIENT", "UNPAUSE");
			}
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
			return of(member, group, clientName, redis.group().master());
		}

		/** A client of {@code node}, straight to it: outside any partition. */
		static FencedClient of(RedisHaMember member, String group, String clientName, RedisServerProcess node) {
			ClientResources resources = ClientResources.builder().nettyCustomizer(new NettyCustomizer() {

				@Override
				public void afterChannelInitialized(Channel channel) {
					channel.pipeline().addLast(new WriteFence(member, group));
				}

			}).build();
			LettuceConnectionFactory factory = new LettuceConnectionFactory(
					new RedisStandaloneConfiguration(node.host(), node.port()),
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
		return startedConsistentMember(group, UnaryOperator.identity());
	}

	/** The same, reaching the nodes through {@code connectVia}. */
	private static RedisHaMember startedConsistentMember(String group, UnaryOperator<NodeAddress> connectVia) {
		RedisHaMember member = member(group, NodeAddress.parse(redis.group().master().address()),
				new GroupConfig.Fencing(PartitionMode.CONSISTENT, FENCE_AFTER), connectVia);
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

	/**
	 * Until the member admits writes to {@code master}, on a lease that runs out.
	 */
	private static void awaitWritableMaster(RedisHaMember member, String group, NodeAddress master) {
		await("the member admits writes to " + master).atMost(EVENTUALLY).until(() -> {
			GroupSnapshot writable = member.writableSnapshot(group);
			return writable != null && writable.master() != null && writable.master().address().equals(master)
					&& writable.fence().leaseUntilMs() != Long.MAX_VALUE;
		});
	}

	/** Until the client of this name waits on {@code node} (its writes paused). */
	/**
	 * Writes {@code key} through the template while {@code node} holds every write
	 * ({@code CLIENT PAUSE WRITE}), once the write waits there: its reply comes only
	 * after {@code CLIENT UNPAUSE}.
	 */
	private static CompletableFuture<Void> heldUpWrite(StringRedisTemplate template, RedisServerProcess node,
			String key, String clientName) {
		node.command("CLIENT", "PAUSE", "60000", "WRITE");
		CompletableFuture<Void> write = CompletableFuture.runAsync(() -> template.opsForValue().set(key, "after"));
		awaitBlocked(node, clientName);
		return write;
	}

	private static void awaitBlocked(RedisServerProcess node, String clientName) {
		await(clientName + " waits on " + node.address()).atMost(EVENTUALLY)
			.until(() -> String.valueOf(node.command("CLIENT", "LIST"))
				.lines()
				.anyMatch((client) -> client.contains("name=" + clientName + " ") && client.contains("flags=b")));
	}

	/**
	 * Lets {@code node} carry out the held-up write, whose reply must fail it as
	 * unconfirmed, naming {@code master}.
	 */
	private static void assertUnconfirmedOnceReleased(CompletableFuture<Void> write, RedisServerProcess node,
			String group, NodeAddress master) {
		node.command("CLIENT", "UNPAUSE");
		assertThat(write).failsWithin(EVENTUALLY)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(RedisHaUnconfirmedWriteException.class)
			.withMessage(unconfirmed(group, master));
	}

	private static String unconfirmed(String group, NodeAddress master) {
		return "redis-ha group '" + group + "': the reply of " + master
				+ " came after this instance stopped admitting writes to it; the write may or may not be kept"
				+ " (the group may have promoted a replica meanwhile)";
	}

	private static UnaryOperator<NodeAddress> route(UnaryOperator<String> route) {
		return (node) -> NodeAddress.parse(route.apply(node.toString()));
	}

	private static RedisHaMember member(NodeAddress seed) {
		return member(GROUP, seed, null, UnaryOperator.identity());
	}

	private static RedisHaMember member(String group, NodeAddress seed, GroupConfig.@Nullable Fencing fencing,
			UnaryOperator<NodeAddress> connectVia) {
		GroupConfig config = new GroupConfig(group, List.of(seed), 1, Duration.ofSeconds(1), Duration.ofMinutes(3), 1,
				timing());
		return new RedisHaMember(new MemberIdentity("fence-test", "test"),
				List.of(new GroupSettings((fencing != null) ? config.withFencing(fencing) : config, null, null,
						Duration.ofMillis(500), TestGossip.SEAL)),
				connectVia);
	}

	/**
	 * The default timings, but TILT lasts 3 s rather than 30: on a busy machine a timer
	 * gap puts a member in TILT, and the tests wait for it to admit writes.
	 */
	private static GroupConfig.Timing timing() {
		GroupConfig.Timing defaults = GroupConfig.Timing.defaults();
		return new GroupConfig.Timing(defaults.pingPeriod(), defaults.infoPeriod(), defaults.helloPeriod(),
				defaults.opinionValidity(), defaults.memberExpiry(), defaults.startupQuietPeriod(),
				defaults.tiltThreshold(), Duration.ofSeconds(3), defaults.demoteAfter(),
				defaults.masterRebootDownAfter());
	}

	private static AsyncCommand<String, String, String> command(CommandType type) {
		return new AsyncCommand<>(new Command<>(type, new StatusOutput<>(StringCodec.UTF8),
				new CommandArgs<>(StringCodec.UTF8).addKey("key")));
	}

}
