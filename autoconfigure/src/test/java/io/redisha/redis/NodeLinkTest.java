package io.redisha.redis;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisErrorReplyException;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.Action;
import io.redisha.member.TestGossip;
import io.redisha.protocol.Configuration;
import io.redisha.protocol.GossipSeal;
import io.redisha.protocol.MinReplicas;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ReplicationInfo;
import io.redisha.protocol.RoleCommand;
import io.redisha.protocol.Reply;
import io.redisha.protocol.RoleInfo;
import io.redisha.protocol.StoredConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

class NodeLinkTest {

	private static final Duration TIMEOUT = Duration.ofMillis(500);

	private static final String CHANNEL = "__redis-ha__:test";

	static final ConfigurationSeal SEAL = new ConfigurationSeal("test", TestGossip.SEAL);

	private static final MinReplicas FENCE = new MinReplicas(1, Duration.ofSeconds(3));

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(2);

	private static LinkResources resources;

	private final List<NodeLink> links = new CopyOnWriteArrayList<>();

	private final List<String> gossip = new CopyOnWriteArrayList<>();

	@BeforeAll
	static void createResourcesAndLoadLettuce() {
		resources = new LinkResources("node-link-test");
		// The first connection of a JVM loads Netty and Lettuce, which may take longer
		// than TIMEOUT.
		try (RedisServerProcess server = RedisServerProcess.start();
				NodeLink link = new NodeLink(address(server),
						new LinkSettings(address(server), null, null, TIMEOUT, "warm-up", null),
						resources.clientResources(), CHANNEL, SEAL, MinReplicas.UNMANAGED, (message) -> {
						})) {
			await().atMost(EVENTUALLY).until(() -> call(link, new Action.Ping(address(server))) instanceof Reply.Text);
		}
	}

	@AfterAll
	static void shutdownResources() {
		resources.close();
	}

	@AfterEach
	void closeLinks() {
		this.links.forEach(NodeLink::close);
	}

	@Test
	void pingInfoAndRoleOfMasterAndReplica() {
		LocalRedisGroup group = redis.group();
		NodeLink master = link(group.master(), null, null);
		NodeLink replica = link(group.node(1), null, null);
		assertThat(call(master, new Action.Ping(address(group.master())))).isEqualTo(new Reply.Text("PONG", false));
		ReplicationInfo masterInfo = info(call(master, new Action.QueryInfo(address(group.master()))));
		assertThat(masterInfo.role()).isEqualTo(ReplicationInfo.Role.MASTER);
		assertThat(masterInfo.replicas()).extracting(ReplicationInfo.ReplicaEntry::address)
			.containsExactlyInAnyOrder(address(group.node(1)), address(group.node(2)));
		assertThat(masterInfo.runId()).hasSize(40);
		ReplicationInfo replicaInfo = info(call(replica, new Action.QueryInfo(address(group.node(1)))));
		assertThat(replicaInfo.role()).isEqualTo(ReplicationInfo.Role.REPLICA);
		assertThat(replicaInfo.master()).isEqualTo(address(group.master()));
		assertThat(replicaInfo.masterLinkUp()).isTrue();
		assertThat(call(master, new Action.QueryRole(address(group.master())))).isInstanceOfSatisfying(Reply.Role.class,
				(role) -> assertThat(role.role().master()).isTrue());
		assertThat(call(replica, new Action.QueryRole(address(group.node(1))))).isInstanceOfSatisfying(Reply.Role.class,
				(role) -> assertThat(role.role().following()).isEqualTo(address(group.master())));
		assertThat(master.isConnected()).isTrue();
		await().atMost(EVENTUALLY).until(master::isSubscribed);
	}

	@Test
	void receivesGossipAndPublishes() {
		LocalRedisGroup group = redis.group();
		NodeLink master = link(group.master(), null, null);
		NodeLink replica = link(group.node(1), null, null);
		await().atMost(EVENTUALLY).until(() -> master.isSubscribed() && replica.isSubscribed());
		group.master().command("PUBLISH", CHANNEL, "from the fixture");
		// A PUBLISH on a master reaches the subscribers of its replicas too.
		await().atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(this.gossip).containsExactly("from the fixture", "from the fixture"));
		this.gossip.clear();
		master.publish(CHANNEL, "from a link").join();
		await().atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(this.gossip).containsExactly("from a link", "from a link"));
	}

	@Test
	void nodeDownAtStartIsReachedOnceItRuns() {
		RedisServerProcess server = redis.startServer(redis.options());
		NodeAddress address = address(server);
		server.kill();
		NodeLink link = link(server, null, null);
		assertThat(call(link, new Action.Ping(address))).isInstanceOfSatisfying(Reply.Failed.class,
				(failed) -> assertThat(failed.reason()).startsWith("cannot connect to " + address));
		assertThat(link.isConnected()).isFalse();
		server.restart();
		assertThat(call(link, new Action.Ping(address))).isEqualTo(new Reply.Text("PONG", false));
		await().atMost(EVENTUALLY).until(link::isSubscribed);
	}

	@Test
	void killedAndRestartedNodeIsReconnected() {
		RedisServerProcess replica = redis.group().node(2);
		NodeLink link = link(replica, null, null);
		assertThat(call(link, new Action.Ping(address(replica)))).isEqualTo(new Reply.Text("PONG", false));
		replica.kill();
		assertThat(call(link, new Action.Ping(address(replica)))).isInstanceOf(Reply.Failed.class);
		replica.restart();
		await().atMost(EVENTUALLY)
			.until(() -> call(link, new Action.Ping(address(replica))).equals(new Reply.Text("PONG", false)));
		await().atMost(EVENTUALLY).until(link::isSubscribed);
	}

	@Test
	void pausedNodeTimesOut() {
		RedisServerProcess replica = redis.group().node(1);
		NodeLink link = link(replica, null, null);
		assertThat(call(link, new Action.Ping(address(replica)))).isEqualTo(new Reply.Text("PONG", false));
		replica.pause();
		assertThat(call(link, new Action.Ping(address(replica))))
			.isEqualTo(new Reply.Failed("no reply from " + address(replica) + " within " + TIMEOUT.toMillis() + " ms"));
		replica.resume();
		await().atMost(EVENTUALLY)
			.until(() -> call(link, new Action.Ping(address(replica))).equals(new Reply.Text("PONG", false)));
	}

	@Test
	void loadingNodeAnswersPingWithAnErrorText() {
		RedisServerProcess server = redis.startServer(redis.options());
		NodeLink link = link(server, null, null);
		CompletableFuture<Void> loaded = server.loadSlowly(Duration.ofSeconds(2));
		await().atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(call(link, new Action.Ping(address(server))))
				.isInstanceOfSatisfying(Reply.Text.class, (text) -> {
					assertThat(text.error()).isTrue();
					assertThat(text.text()).startsWith("LOADING");
				}));
		loaded.orTimeout(EVENTUALLY.toSeconds(), TimeUnit.SECONDS).join();
		assertThat(call(link, new Action.Ping(address(server)))).isEqualTo(new Reply.Text("PONG", false));
	}

	@Test
	void aPromotionThatRefusesStreamingLeavesAReplicaOfALiveMasterAlone() {
		LocalRedisGroup group = redis.group();
		NodeAddress replica = address(group.node(1));
		NodeLink link = link(group.node(1), null, null);
		group.awaitReplicationLinks();
		// the members publish on the master every hello period: a live link carries
		// something every second
		group.master().command("PUBLISH", CHANNEL, "traffic");
		Action.Promote late = new Action.Promote(replica, 1, MinReplicas.UNMANAGED, RoleCommand.REPLICAOF, 3);
		assertThat(call(link, late)).isInstanceOfSatisfying(Reply.Text.class, (text) -> {
			assertThat(text.error()).isTrue();
			assertThat(text.text()).startsWith(Action.Promote.STREAMING).contains(replica.toString());
		});
		assertThat(group.node(1).role()).isEqualTo("slave");
		group.master().kill();
		await().atMost(EVENTUALLY)
			.untilAsserted(
					() -> assertThat(group.node(1).info("replication")).containsEntry("master_link_status", "down"));
		assertThat(info(call(link, late)).role()).as("its master gone, the same promotion goes ahead")
			.isEqualTo(ReplicationInfo.Role.MASTER);
	}

	@Test
	void promoteAndReplicateSurviveTheirOwnClientKill() {
		LocalRedisGroup group = redis.group();
		NodeAddress master = address(group.master());
		NodeAddress replica = address(group.node(1));
		NodeLink link = link(group.node(1), null, null);
		await().atMost(EVENTUALLY).until(link::isSubscribed);
		assertThat(info(call(link, new Action.Promote(replica, 1))).role()).isEqualTo(ReplicationInfo.Role.MASTER);
		// Confirmed at once, on the same connection: CLIENT KILL skipped the caller.
		assertThat(call(link, new Action.QueryRole(replica)))
			.isEqualTo(new Reply.Role(new RoleInfo(true, roleOffset(link, replica), null)));
		assertThat(group.node(1).role()).isEqualTo("master");
		// CLIENT KILL TYPE pubsub dropped the subscription: it is opened again at once.
		await().atMost(EVENTUALLY).untilAsserted(() -> {
			group.node(1).command("PUBLISH", CHANNEL, "after the promotion");
			assertThat(this.gossip).contains("after the promotion");
		});
		ReplicationInfo replicating = info(call(link, new Action.Replicate(replica, master, 1)));
		assertThat(replicating.role()).isEqualTo(ReplicationInfo.Role.REPLICA);
		assertThat(replicating.master()).isEqualTo(master);
		assertThat(group.node(1).role()).isEqualTo("slave");
		group.awaitReplicationLinks();
	}

	@Test
	void aMasterReplicatingItselfStopsTakingWritesAndItsBlockReportsItsFinalOffset() {
		RedisServerProcess master = redis.startServer(redis.options());
		NodeAddress address = address(master);
		NodeLink link = link(master, null, null);
		master.command("SET", "before", "the demotion");
		long offset = Long.parseLong(master.info("replication").get("master_repl_offset"));
		ReplicationInfo demoted = info(call(link, new Action.Replicate(address, address, 1)));
		assertThat(demoted.role()).isEqualTo(ReplicationInfo.Role.REPLICA);
		assertThat(demoted.master()).isEqualTo(address);
		assertThat(demoted.offset()).isEqualTo(offset);
		assertThatExceptionOfType(RedisErrorReplyException.class).isThrownBy(() -> master.command("SET", "after", "1"))
			.withMessageStartingWith("READONLY");
		// It never syncs from itself (NOMASTERLINK): its data and offset stay as they
		// were.
		await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
			assertThat(master.info("replication")).containsEntry("master_link_status", "down")
				.containsEntry("master_repl_offset", Long.toString(offset));
			assertThat(master.command("GET", "before")).isEqualTo("the demotion");
		});
		assertThat(info(call(link, new Action.Promote(address, 1))).role()).isEqualTo(ReplicationInfo.Role.MASTER);
		assertThat(master.command("SET", "after", "1")).isEqualTo("OK");
	}

	@Test
	void pausedWritesWaitUntilResumedWhileReadsCommandsAndGossipGoOn() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess master = group.master();
		NodeLink link = link(master, null, null);
		await().atMost(EVENTUALLY).until(link::isSubscribed);
		master.command("SET", "before", "1");
		ReplicationInfo paused = info(call(link, new Action.PauseWrites(address(master), 10_000, 1)));
		assertThat(paused.role()).isEqualTo(ReplicationInfo.Role.MASTER);
		assertThat(paused.offset()).isPositive();
		CompletableFuture<Object> write = CompletableFuture.supplyAsync(() -> master.command("SET", "during", "1"));
		// The held-back PUBLISH of our own gossip must not hold back the commands behind
		// it.
		CompletableFuture<Void> published = link.publish(CHANNEL, "while paused");
		assertThat(call(link, new Action.Ping(address(master)))).isEqualTo(new Reply.Text("PONG", false));
		assertThat(master.command("GET", "before")).isEqualTo("1");
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !write.isDone());

		assertThat(call(link, new Action.ResumeWrites(address(master)))).isEqualTo(new Reply.Text("OK", false));
		assertThat(write.orTimeout(EVENTUALLY.toSeconds(), TimeUnit.SECONDS).join()).isEqualTo("OK");
		published.orTimeout(EVENTUALLY.toSeconds(), TimeUnit.SECONDS).join();
		await().atMost(EVENTUALLY).untilAsserted(() -> assertThat(this.gossip).contains("while paused"));
	}

	@Test
	void aRoleChangeOfAnOlderConfigurationThanTheNodeStoresChangesNothing() {
		RedisServerProcess master = redis.startServer(redis.options());
		RedisServerProcess replica = redis.startServer(redis.options().withReplicaOf(master.address()));
		NodeAddress masterAddress = address(master);
		NodeAddress replicaAddress = address(replica);
		storeSealed(master, "7", "0", masterAddress.toString(), "m1");
		await().atMost(EVENTUALLY).until(() -> "7".equals(replica.command("HGET", SEAL.key(), "epoch")));
		NodeLink toMaster = link(master, null, null);
		NodeLink toReplica = link(replica, null, null);

		// Decided in epoch 6, before the group stored epoch 7 (a frozen member, a held
		// connection).
		assertThat(call(toMaster, new Action.Replicate(masterAddress, replicaAddress, 6)))
			.isEqualTo(new Reply.Text(StoredConfiguration.newerEpochError(7, 6), true));
		assertThat(call(toReplica, new Action.Promote(replicaAddress, 6)))
			.isEqualTo(new Reply.Text(StoredConfiguration.newerEpochError(7, 6), true));
		assertThat(master.role()).isEqualTo("master");
		assertThat(replica.role()).isEqualTo("slave");
		// The link goes on working, its WATCH undone; the configuration's own epoch
		// changes roles.
		assertThat(call(toMaster, new Action.Ping(masterAddress))).isEqualTo(new Reply.Text("PONG", false));
		assertThat(info(call(toReplica, new Action.Promote(replicaAddress, 7))).role())
			.isEqualTo(ReplicationInfo.Role.MASTER);
		assertThat(info(call(toMaster, new Action.Replicate(masterAddress, replicaAddress, 8))).role())
			.isEqualTo(ReplicationInfo.Role.REPLICA);
	}

	@Test
	void aConfigurationHashThatDoesNotParseCountsAsNoneForTheRoleChangeAsForTheMembers() {
		RedisServerProcess master = redis.startServer(redis.options());
		NodeAddress address = address(master);
		storeSealed(master, "9", "0", "not an address", "m1");
		NodeLink link = link(master, null, null);
		assertThat(info(call(link, new Action.Replicate(address, address, 8))).role())
			.isEqualTo(ReplicationInfo.Role.REPLICA);
	}

	@Test
	void aRoleChangeWhoseEpochCannotBeReadInTimeIsNeverSent() {
		RedisServerProcess master = redis.startServer(redis.options());
		NodeAddress address = address(master);
		NodeLink link = link(master, null, null);
		assertThat(call(link, new Action.Ping(address))).isEqualTo(new Reply.Text("PONG", false));
		// The WATCH and its read wait in the paused node beyond the command timeout (a
		// held connection).
		master.command("CLIENT", "PAUSE", "2000", "ALL");
		Reply reply = call(link, new Action.Replicate(address, address, 8));
		assertThat(reply).isInstanceOf(Reply.Failed.class);
		assertThat(((Reply.Failed) reply).reason()).contains("could not be read before the role change");
		// When the node wakes it finds the read, and no block behind it: it stays master.
		await().during(Duration.ofMillis(2500))
			.atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(master.role()).isEqualTo("master"));
		assertThat(call(link, new Action.Ping(address))).isEqualTo(new Reply.Text("PONG", false));
	}

	@Test
	void promotionWorksOnServersThatRenamedConfig() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess replica = redis.startServer(
				redis.options().withReplicaOf(group.master().address()).withArgument("rename-command", "CONFIG", ""));
		NodeAddress address = address(replica);
		NodeLink link = link(replica, null, null);
		assertThat(info(call(link, new Action.Promote(address, 1))).role()).isEqualTo(ReplicationInfo.Role.MASTER);
		assertThat(replica.role()).isEqualTo("master");
		assertThat(info(call(link, new Action.Replicate(address, address(group.master()), 1))).role())
			.isEqualTo(ReplicationInfo.Role.REPLICA);
		assertThat(replica.role()).isEqualTo("slave");
	}

	@Test
	void aRoleCommandTheNodeDoesNotKnowIsAnsweredWithItsOwnErrorAndTheOtherOneWorks() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess replica = redis.startServer(redis.options()
			.withReplicaOf(group.master().address())
			.withArgument("rename-command", "REPLICAOF", ""));
		NodeAddress address = address(replica);
		NodeLink link = link(replica, null, null);
		Reply refused = call(link, new Action.Promote(address, 1, FENCE, RoleCommand.REPLICAOF, -1));
		assertThat(refused).isInstanceOfSatisfying(Reply.Failed.class,
				// Redis 7 quotes the command 'replicaof', Redis 6 `REPLICAOF`
				(failed) -> assertThat(failed.reason()).containsIgnoringCase("unknown command")
					.containsIgnoringCase("replicaof"));
		assertThat(replica.role()).isEqualTo("slave");
		assertThat(info(call(link, new Action.Promote(address, 1, FENCE, RoleCommand.SLAVEOF, -1))).role())
			.isEqualTo(ReplicationInfo.Role.MASTER);
		assertThat(replica.command("CONFIG", "GET", "min-replicas-to-write"))
			.isEqualTo(List.of("min-replicas-to-write", "1"));
		assertThat(
				info(call(link, new Action.Replicate(address, address(group.master()), 1, FENCE, RoleCommand.SLAVEOF)))
					.role())
			.isEqualTo(ReplicationInfo.Role.REPLICA);
		assertThat(replica.role()).isEqualTo("slave");
	}

	@Test
	void disconnectClientsCutsTheNodesNormalClientsButNotTheLink() throws Exception {
		RedisServerProcess master = redis.group().master();
		NodeAddress address = address(master);
		NodeLink link = link(master, null, null);
		await().atMost(EVENTUALLY).until(link::isSubscribed);
		try (Socket outsider = new Socket(master.host(), master.port())) {
			outsider.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			InputStream in = outsider.getInputStream();
			assertThat(new String(in.readNBytes(7), StandardCharsets.US_ASCII)).isEqualTo("+PONG\r\n");
			Reply reply = call(link, new Action.DisconnectClients(address));
			assertThat(reply).isInstanceOfSatisfying(Reply.Text.class, (text) -> {
				assertThat(text.error()).isFalse();
				assertThat(Long.parseLong(text.text())).isPositive();
			});
			outsider.setSoTimeout(10_000);
			assertThat(in.read()).as("the connection was closed by the server").isEqualTo(-1);
		}
		// Its own connection was skipped, and its subscription (pub/sub) stays.
		assertThat(call(link, new Action.Ping(address))).isEqualTo(new Reply.Text("PONG", false));
		assertThat(link.isSubscribed()).isTrue();
	}

	@Test
	void aPromotionFencesTheNodeWithItsRoleAndARepointingClearsTheFence() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess node = group.node(1);
		NodeAddress address = address(node);
		NodeLink link = link(node, null, null);
		assertThat(info(call(link, new Action.Promote(address, 1, FENCE))).role())
			.isEqualTo(ReplicationInfo.Role.MASTER);
		assertThat(node.config("min-replicas-to-write")).isEqualTo("1");
		assertThat(node.config("min-replicas-max-lag")).isEqualTo("3");
		// No replica follows it: it refuses every client's writes.
		assertThatExceptionOfType(RedisErrorReplyException.class).isThrownBy(() -> node.command("SET", "k", "v"))
			.withMessageStartingWith("NOREPLICAS");
		ReplicationInfo replicating = info(
				call(link, new Action.Replicate(address, address(group.master()), 1, FENCE)));
		assertThat(replicating.role()).isEqualTo(ReplicationInfo.Role.REPLICA);
		assertThat(node.config("min-replicas-to-write")).isEqualTo("0");
		group.awaitReplicationLinks();
	}

	@Test
	void fencingTheMasterSetsItsSettingsOnlyWhenTheyDiffer() {
		RedisServerProcess master = redis.startServer(redis.options());
		NodeLink link = link(master, null, null);
		Action.FenceMaster fence = new Action.FenceMaster(address(master), FENCE);
		assertThat(call(link, fence)).isEqualTo(new Reply.Text("1", false));
		assertThat(master.config("min-replicas-to-write")).isEqualTo("1");
		assertThat(master.config("min-replicas-max-lag")).isEqualTo("3");
		assertThat(call(link, fence)).isEqualTo(new Reply.Text("0", false));
		master.command("CONFIG", "SET", "min-replicas-max-lag", "10");
		assertThat(call(link, fence)).isEqualTo(new Reply.Text("1", false));
		assertThat(master.config("min-replicas-max-lag")).isEqualTo("3");
	}

	/**
	 * The configuration's store, and a voter's departure recorded again by a member that
	 * heard its goodbye, pass the fence. A departure refused there left voters that
	 * missed the goodbye without a majority, unable to repair a stray master that was the
	 * master's only possible replica (strict seed 29086584).
	 */
	@Test
	void theGroupsConfigurationAndDeparturesPassAManagedFenceThatClientsWritesDoNot() {
		RedisServerProcess master = redis.startServer(redis.options());
		NodeAddress address = address(master);
		NodeLink link = link(master, null, null, FENCE);
		assertThat(call(link, new Action.FenceMaster(address, FENCE))).isEqualTo(new Reply.Text("1", false));
		Configuration config = new Configuration(7, 0, address, List.of("m1", "m2", "m3"));
		assertThat(call(link, new Action.StoreConfiguration(address, config))).isEqualTo(new Reply.Text("1", false));
		Configuration.Departure departure = StoredConfiguration
			.parse(Map.of("epoch", "7", "version", "0", "master", address.toString(), "voters", "m1,m2,m3",
					"departed:m2", "7.0.8"))
			.departed()
			.get("m2");
		assertThat(call(link, new Action.RecordDeparture(address, "m2", departure)))
			.isEqualTo(new Reply.Text("1", false));
		assertThat(master.config("min-replicas-to-write")).isEqualTo("1");
		assertThatExceptionOfType(RedisErrorReplyException.class).isThrownBy(() -> master.command("SET", "k", "v"))
			.withMessageStartingWith("NOREPLICAS");
		Reply.Info info = (Reply.Info) call(link, new Action.QueryInfo(address));
		assertThat(info.stored().config()).isEqualTo(config);
		assertThat(info.stored().departed()).containsEntry("m2", departure);
	}

	/**
	 * An operator's replacement of the voters writes only over the configuration its
	 * member holds, or an older one: a master that recorded a later configuration
	 * (another replacement, through a member with a later view) refuses it, and keeps
	 * what it holds.
	 */
	@Test
	void aReplacementIsStoredOnlyOverTheConfigurationItReplacesOrAnOlderOne() {
		RedisServerProcess master = redis.startServer(redis.options());
		NodeAddress address = address(master);
		NodeLink link = link(master, null, null);
		Configuration held = new Configuration(7, 1, address, List.of("m1", "m2", "m3"));
		Configuration later = new Configuration(3_600_007, 0, address, List.of("m4"));
		Configuration replacement = new Configuration(3_600_100, 0, address, List.of("m5"));
		assertThat(call(link, new Action.StoreConfiguration(address, later))).isEqualTo(new Reply.Text("1", false));
		assertThat(
				call(link, new Action.StoreConfiguration(address, replacement, Action.StoreCondition.NOT_NEWER, held)))
			.isEqualTo(new Reply.Text("0", false));
		assertThat(((Reply.Info) call(link, new Action.QueryInfo(address))).stored().config()).isEqualTo(later);
		assertThat(
				call(link, new Action.StoreConfiguration(address, replacement, Action.StoreCondition.NOT_NEWER, later)))
			.isEqualTo(new Reply.Text("1", false));
		assertThat(((Reply.Info) call(link, new Action.QueryInfo(address))).stored().config()).isEqualTo(replacement);
	}

	@Test
	void aFailoversStoreTakesOnlyInTheProcessItWasMeantFor() {
		RedisServerProcess master = redis.startServer(redis.options());
		NodeAddress address = address(master);
		NodeLink link = link(master, null, null, FENCE);
		Reply.Info before = (Reply.Info) call(link, new Action.QueryInfo(address));
		Configuration config = new Configuration(7, 0, address, List.of("m1"));
		// A node restarted in between runs as another process, maybe without its data.
		assertThat(call(link, new Action.StoreConfiguration(address, config, "0".repeat(40))))
			.isEqualTo(new Reply.Text("-1", false));
		assertThat(((Reply.Info) call(link, new Action.QueryInfo(address))).stored().config()).isNull();
		assertThat(call(link, new Action.StoreConfiguration(address, config, before.info().runId())))
			.isEqualTo(new Reply.Text("1", false));
		assertThat(((Reply.Info) call(link, new Action.QueryInfo(address))).stored().config()).isEqualTo(config);
	}

	@Test
	void aUserWithoutConfigStillPromotesAndTheFenceIsRefusedWithAReason() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess replica = redis.startServer(redis.options()
			.withReplicaOf(group.master().address())
			.withArgument("user", "watcher", "on", ">pw", "~*", "&*", "+@all", "-config"));
		NodeAddress address = address(replica);
		NodeLink link = link(replica, "watcher", "pw");
		assertThat(info(call(link, new Action.Promote(address, 1, FENCE))).role())
			.isEqualTo(ReplicationInfo.Role.MASTER);
		assertThat(replica.role()).isEqualTo("master");
		assertThat(replica.config("min-replicas-to-write")).isEqualTo("0");
		assertThat(call(link, new Action.FenceMaster(address, FENCE))).isInstanceOfSatisfying(Reply.Failed.class,
				(failed) -> assertThat(failed.reason())
					.startsWith("min-replicas-to-write cannot be set on " + address + ": NOPERM"));
		// The configuration's write cannot pass the fence without CONFIG: it goes alone.
		Configuration config = new Configuration(7, 0, address, List.of("m1"));
		NodeLink fenced = link(replica, "watcher", "pw", FENCE);
		assertThat(call(fenced, new Action.StoreConfiguration(address, config))).isEqualTo(new Reply.Text("1", false));
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void gossipRefusedByTheAclIsReported(CapturedOutput output) {
		RedisServerProcess server = redis
			.startServer(redis.options().withArgument("user", "watcher", "on", ">pw", "~*", "resetchannels", "+@all"));
		NodeLink link = link(server, "watcher", "pw");
		assertThat(call(link, new Action.Ping(address(server)))).isEqualTo(new Reply.Text("PONG", false));
		await().atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(link.problem())
				.startsWith("SUBSCRIBE " + CHANNEL + " on " + address(server) + " refused: NOPERM"));
		assertThat(link.isSubscribed()).isFalse();
		link.publish(CHANNEL, "hello").join();
		assertThat(output.getOut()).contains("PUBLISH " + CHANNEL + " on " + address(server) + " refused: NOPERM");
	}

	@Test
	void clientKilledFromOutsideIsReconnectedByTheNextCommand() {
		RedisServerProcess master = redis.group().master();
		NodeLink link = link(master, null, null);
		assertThat(call(link, new Action.Ping(address(master)))).isEqualTo(new Reply.Text("PONG", false));
		master.command("CLIENT", "KILL", "TYPE", "normal");
		await().atMost(EVENTUALLY)
			.until(() -> call(link, new Action.Ping(address(master))).equals(new Reply.Text("PONG", false)));
	}

	@Test
	void everyCommandIsAnsweredExactlyOnceEvenWhenTheNodeDies() {
		RedisServerProcess replica = redis.group().node(2);
		NodeLink link = link(replica, null, null);
		AtomicInteger replies = new AtomicInteger();
		AtomicInteger commands = new AtomicInteger();
		for (int i = 0; i < 50; i++) {
			commands.incrementAndGet();
			link.execute(new Action.Ping(address(replica)), (reply) -> replies.incrementAndGet());
			if (i == 25) {
				replica.kill();
			}
		}
		await().atMost(EVENTUALLY).untilAtomic(replies, equalTo(commands.get()));
		link.close();
		assertThat(call(link, new Action.Ping(address(replica))))
			.isEqualTo(new Reply.Failed("link to " + address(replica) + " is closed"));
	}

	/**
	 * A switchover promotes the process that showed the master's final offset: the node
	 * restarted since (here, from its config file, as a replica again) is another
	 * process, maybe from an older RDB file, and refuses the promotion.
	 */
	@Test
	void aPromotionNamingTheRunIdOfAProcessThatNoLongerRunsIsRefused() {
		RedisServerProcess master = redis.startServer(redis.options());
		RedisServerProcess replica = redis.startServer(redis.options().withReplicaOf(master.address()));
		NodeAddress address = address(replica);
		String caughtUp = replica.info("server").get("run_id");
		replica.restart();
		NodeLink link = link(replica, null, null);
		String running = replica.info("server").get("run_id");
		assertThat(running).isNotEqualTo(caughtUp);
		Action.Promote promote = new Action.Promote(address, 1, MinReplicas.UNMANAGED, RoleCommand.REPLICAOF, -1,
				caughtUp);
		assertThat(call(link, promote))
			.isEqualTo(new Reply.Text(Action.Promote.restartedError(address, caughtUp, running), true));
		assertThat(replica.role()).isEqualTo("slave");
		assertThat(info(
				call(link, new Action.Promote(address, 1, MinReplicas.UNMANAGED, RoleCommand.REPLICAOF, -1, running)))
			.role()).isEqualTo(ReplicationInfo.Role.MASTER);
	}

	/**
	 * Whoever may write keys but lacks the gossip secret cannot steer the group through
	 * its configuration hash: one HSET of a higher epoch, another master and one voter
	 * made every member follow that master and wait for that voter.
	 */
	@Test
	void aConfigurationWrittenWithoutTheSecretIsNeitherAdoptedNorInTheWayOfTheGroup() {
		RedisServerProcess master = redis.startServer(redis.options());
		NodeAddress address = address(master);
		NodeLink link = link(master, null, null);
		master.command("HSET", SEAL.key(), "epoch", "9000000000000", "version", "1", "master", "127.0.0.1:1", "voters",
				"intruder", "departed:m9", "7.0.8");
		Reply.Info info = (Reply.Info) call(link, new Action.QueryInfo(address));
		assertThat(info.stored()).isEqualTo(StoredConfiguration.NONE);
		assertThat(link.untrustedConfiguration()).contains("configuration (epoch 9000000000000, master 127.0.0.1:1)")
			.contains("1 departure record(s)")
			.contains("that no gossip secret of this instance sealed");
		// A copy of a genuine seal over other values is no better.
		master.command("HSET", SEAL.key(), "seal",
				SEAL.seal(Map.of("epoch", "7", "version", "0", "master", address.toString(), "voters", "m1,m2,m3")));
		assertThat(((Reply.Info) call(link, new Action.QueryInfo(address))).stored())
			.isEqualTo(StoredConfiguration.NONE);
		// It guards no role change, and a member that holds a configuration stores over
		// it.
		assertThat(info(call(link, new Action.Replicate(address, address, 8))).role())
			.isEqualTo(ReplicationInfo.Role.REPLICA);
		assertThat(info(call(link, new Action.Promote(address, 8))).role()).isEqualTo(ReplicationInfo.Role.MASTER);
		Configuration config = new Configuration(8, 0, address, List.of("m1", "m2", "m3"));
		assertThat(call(link, new Action.StoreConfiguration(address, config))).isEqualTo(new Reply.Text("1", false));
		assertThat(((Reply.Info) call(link, new Action.QueryInfo(address))).stored().config()).isEqualTo(config);
		assertThat(link.untrustedConfiguration()).isNull();
	}

	/**
	 * A byte that is not UTF-8 reaches the member changed: the store compares the hash
	 * with its read by a digest made on the server, or that one byte would keep every
	 * store (a failover's record among them) from ever landing.
	 */
	@Test
	void aValueThatIsNotUtf8DoesNotKeepTheGroupFromStoringItsConfiguration() {
		RedisServerProcess master = redis.startServer(redis.options());
		NodeAddress address = address(master);
		NodeLink link = link(master, null, null);
		master.command("EVAL", "redis.call('HSET', KEYS[1], 'epoch', '9000000000000', 'seal', string.char(255))", "1",
				SEAL.key());
		Configuration config = new Configuration(8, 0, address, List.of("m1", "m2", "m3"));
		assertThat(call(link, new Action.StoreConfiguration(address, config))).isEqualTo(new Reply.Text("1", false));
		assertThat(((Reply.Info) call(link, new Action.QueryInfo(address))).stored().config()).isEqualTo(config);
	}

	/**
	 * A member that holds no configuration founds one only where the hash holds none:
	 * with another secret it trusts nothing the group stored, and must not replace it.
	 */
	@Test
	void aMemberWithAnotherSecretNeitherTrustsNorReplacesTheGroupsConfiguration() {
		RedisServerProcess master = redis.startServer(redis.options());
		NodeAddress address = address(master);
		Configuration config = new Configuration(7, 0, address, List.of("m1", "m2", "m3"));
		assertThat(call(link(master, null, null), new Action.StoreConfiguration(address, config)))
			.isEqualTo(new Reply.Text("1", false));
		NodeLink stranger = link(master,
				new ConfigurationSeal("test", GossipSeal.of(List.of("another secret of at least 32 characters"))));
		assertThat(((Reply.Info) call(stranger, new Action.QueryInfo(address))).stored())
			.isEqualTo(StoredConfiguration.NONE);
		Configuration founding = new Configuration(8, 0, address, List.of("stranger"));
		assertThat(call(stranger, new Action.StoreConfiguration(address, founding, Action.StoreCondition.ABSENT, null)))
			.isEqualTo(new Reply.Text("0", false));
		assertThat(master.command("HGET", SEAL.key(), "voters")).isEqualTo("m1,m2,m3");
	}

	/**
	 * A rotation of the gossip secret: a member with the new secret and the previous one
	 * seals the master's hash again, so that members left with the new secret alone still
	 * trust it, departure records included.
	 */
	@Test
	void aRotationOfTheSecretSealsTheMastersHashAgain() {
		RedisServerProcess master = redis.startServer(redis.options());
		RedisServerProcess replica = redis.startServer(redis.options().withReplicaOf(master.address()));
		NodeAddress address = address(master);
		NodeLink old = link(master, null, null);
		Configuration config = new Configuration(7, 0, address, List.of("m1", "m2", "m3"));
		assertThat(call(old, new Action.StoreConfiguration(address, config))).isEqualTo(new Reply.Text("1", false));
		Configuration.Departure departure = new Configuration.Departure(7, 0, 8);
		assertThat(call(old, new Action.RecordDeparture(address, "m2", departure)))
			.isEqualTo(new Reply.Text("1", false));
		String newSecret = "the new secret, at least 32 characters long";
		NodeLink onlyNew = link(replica, new ConfigurationSeal("test", GossipSeal.of(List.of(newSecret))));
		await().atMost(EVENTUALLY).until(() -> "7".equals(replica.command("HGET", SEAL.key(), "epoch")));
		assertThat(((Reply.Info) call(onlyNew, new Action.QueryInfo(address(replica)))).stored())
			.isEqualTo(StoredConfiguration.NONE);

		NodeLink rotating = link(master,
				new ConfigurationSeal("test", GossipSeal.of(List.of(newSecret, TestGossip.SECRET))));
		assertThat(((Reply.Info) call(rotating, new Action.QueryInfo(address))).stored().config()).isEqualTo(config);
		await().atMost(EVENTUALLY).untilAsserted(() -> {
			StoredConfiguration stored = ((Reply.Info) call(onlyNew, new Action.QueryInfo(address(replica)))).stored();
			assertThat(stored.config()).isEqualTo(config);
			assertThat(stored.departed()).containsEntry("m2", departure);
		});
		// Members not rotated yet still trust it.
		StoredConfiguration stored = ((Reply.Info) call(old, new Action.QueryInfo(address))).stored();
		assertThat(stored.config()).isEqualTo(config);
		assertThat(stored.departed()).containsEntry("m2", departure);
	}

	/** HSET of a sealed configuration, as a member stores it. */
	private static void storeSealed(RedisServerProcess node, String epoch, String version, String master,
			String voters) {
		String seal = SEAL.seal(Map.of("epoch", epoch, "version", version, "master", master, "voters", voters));
		node.command("HSET", SEAL.key(), "epoch", epoch, "version", version, "master", master, "voters", voters, "seal",
				seal);
	}

	private long roleOffset(NodeLink link, NodeAddress node) {
		return ((Reply.Role) call(link, new Action.QueryRole(node))).role().offset();
	}

	NodeLink link(RedisServerProcess server, String username, String password) {
		return link(server, username, password, MinReplicas.UNMANAGED);
	}

	NodeLink link(RedisServerProcess server, String username, String password, MinReplicas minReplicas) {
		return link(server, username, password, minReplicas, SEAL);
	}

	private NodeLink link(RedisServerProcess server, ConfigurationSeal seal) {
		return link(server, null, null, MinReplicas.UNMANAGED, seal);
	}

	private NodeLink link(RedisServerProcess server, String username, String password, MinReplicas minReplicas,
			ConfigurationSeal seal) {
		NodeLink link = new NodeLink(address(server),
				new LinkSettings(address(server), username, password, TIMEOUT, "redis-ha-test", null),
				resources.clientResources(), CHANNEL, seal, minReplicas, this.gossip::add);
		this.links.add(link);
		link.connect();
		return link;
	}

	static Reply call(NodeLink link, Action.NodeCommand command) {
		CompletableFuture<Reply> reply = new CompletableFuture<>();
		link.execute(command, reply::complete);
		return reply.orTimeout(EVENTUALLY.toSeconds(), TimeUnit.SECONDS).join();
	}

	static ReplicationInfo info(Reply reply) {
		assertThat(reply).isInstanceOf(Reply.Info.class);
		return ((Reply.Info) reply).info();
	}

	static NodeAddress address(RedisServerProcess server) {
		return new NodeAddress(server.host(), server.port());
	}

}
