package io.redisha.embedded;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.redisha.embedded.PartitionableRedisGroupTest.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

class LocalRedisGroupTest {

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicaPriorities(10, 0);

	@Test
	void startsMasterAndReplicasWithLinksUp() {
		LocalRedisGroup group = redis.group();
		assertThat(group.master().role()).isEqualTo("master");
		assertThat(group.replicas()).hasSize(2).allSatisfy((replica) -> {
			assertThat(replica.role()).isEqualTo("slave");
			assertThat(replica.info("replication")).containsEntry("master_link_status", "up")
				.containsEntry("master_port", Integer.toString(group.master().port()));
		});
		assertThat(group.node(1).info("replication")).containsEntry("slave_priority", "10");
		assertThat(group.node(2).info("replication")).containsEntry("slave_priority", "0");
		assertThat(group.addresses()).containsExactly(group.master().address(), group.node(1).address(),
				group.node(2).address());
		assertThat(group.master().command("SET", "k", "v")).isEqualTo("OK");
		await().atMost(EVENTUALLY).untilAsserted(() -> assertThat(group.node(1).command("GET", "k")).isEqualTo("v"));
	}

	@Test
	void killedMasterRestartsOnSamePortAsAMasterThatStillThinksItIsOne() {
		RedisServerProcess master = redis.group().master();
		int port = master.port();
		long pid = master.pid();
		master.kill();
		assertThat(master.isAlive()).isFalse();
		assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> master.command("PING"));
		master.restart();
		assertThat(master.port()).isEqualTo(port);
		assertThat(master.pid()).isNotEqualTo(pid);
		assertThat(master.command("PING")).isEqualTo("PONG");
		assertThat(master.role()).isEqualTo("master");
		redis.group().awaitReplicationLinks();
	}

	@Test
	void pausedNodeAnswersNothingUntilResumed() {
		RedisServerProcess replica = redis.group().node(1);
		replica.pause();
		assertThat(replica.isPaused()).isTrue();
		RespClient impatient = new RespClient(replica.host(), replica.port(), null, null, Duration.ofMillis(300));
		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> impatient.call("PING"))
			.withMessageContaining("did not answer PING");
		replica.resume();
		assertThat(impatient.call("PING")).isEqualTo("PONG");
	}

	@Test
	void stoppedReplicaRestartsAsReplicaOfAnotherNode() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess replica = group.node(2);
		replica.stop();
		assertThat(replica.isAlive()).isFalse();
		replica.restartAsReplicaOf(group.node(1).address());
		assertThat(replica.role()).isEqualTo("slave");
		await().atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(replica.info("replication")).containsEntry("master_link_status", "up")
				.containsEntry("master_port", Integer.toString(group.node(1).port())));
	}

	@Test
	void replicaPriorityAndRoleChangeAtRuntime() {
		LocalRedisGroup group = redis.group();
		group.node(1).setReplicaPriority(42);
		assertThat(group.node(1).info("replication")).containsEntry("slave_priority", "42");
		group.node(1).replicaOfNoOne();
		assertThat(group.node(1).role()).isEqualTo("master");
		group.node(2).replicaOf(group.node(1).address());
		await().atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(group.node(2).info("replication"))
				.containsEntry("master_port", Integer.toString(group.node(1).port()))
				.containsEntry("master_link_status", "up"));
		assertThat(group.nodeOnPort(group.node(1).port())).isSameAs(group.node(1));
	}

	@Test
	void addsAReplicaAtRuntime() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess added = group.addReplica();
		assertThat(group.replicas()).hasSize(3).contains(added);
		await().atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(group.master().info("replication")).containsEntry("connected_slaves", "3"));
	}

	@Test
	void loadingNodeAnswersLoadingUntilLoaded() {
		RedisServerProcess replica = redis.group().node(1);
		replica.replicaOfNoOne();
		CompletableFuture<Void> loaded = replica.loadSlowly(Duration.ofSeconds(1));
		await().atMost(EVENTUALLY)
			.untilAsserted(() -> assertThatExceptionOfType(RedisErrorReplyException.class)
				.isThrownBy(() -> replica.command("PING"))
				.withMessageStartingWith("LOADING"));
		loaded.orTimeout(EVENTUALLY.toSeconds(), TimeUnit.SECONDS).join();
		assertThat(replica.command("PING")).isEqualTo("PONG");
		assertThat(replica.command("EXISTS", "loading:1")).isEqualTo(1L);
	}

}
