package io.redisha.failover;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.NodeAddress;
import io.redisha.testing.Members;

import static io.redisha.testing.Members.EVENTUALLY;
import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.awaitFollowing;
import static io.redisha.testing.Members.awaitRole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No empty node is ever adopted or promoted. Replicas pointed at the master at runtime
 * (no config file, as in containers) come back from a crash as empty masters; one that
 * was a replica of the master that died with it must not be taken for a replica promoted
 * by an earlier leader: the group would follow it and the other replica would resync from
 * it, empty.
 */
class EmptyNodeTest {

	private static final int KEYS = 200;

	@RegisterExtension
	static final FailoverScenario scenario = FailoverScenario.withReplicasPointedAtRuntime(2);

	@Test
	void replicaRestartedEmptyAsAMasterIsNotAdoptedTheReplicaWithTheDataIsPromoted() throws Exception {
		LocalRedisGroup group = scenario.group();
		RedisServerProcess master = group.master();
		RedisServerProcess survivor = group.replicas().get(0);
		RedisServerProcess emptied = group.replicas().get(1);
		Members members = scenario.startMembers(3, 2);
		writeKeys(master);
		awaitKeys(survivor);
		awaitKeys(emptied);

		master.kill();
		emptied.kill();
		CompletableFuture<Void> restart = CompletableFuture.runAsync(emptied::restartAsMaster,
				CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));
		restart.get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS);
		assertThat(emptied.command("DBSIZE")).as("keys on the restarted node").isEqualTo(0L);

		NodeAddress newMaster = members.awaitNewMaster(address(master));
		assertThat(newMaster).as("the master every member follows").isEqualTo(address(survivor));
		awaitRole(survivor, "master");
		awaitFollowing(emptied, newMaster);
		awaitKeys(survivor);
		awaitKeys(emptied);
	}

	private static void writeKeys(RedisServerProcess master) {
		List<String> command = new ArrayList<>(List.of("MSET"));
		for (int i = 0; i < KEYS; i++) {
			command.add("key:" + i);
			command.add("value:" + i);
		}
		master.command(command.toArray(String[]::new));
	}

	/**
	 * Every key written, with its value (the group's own configuration hash is there too,
	 * so no DBSIZE).
	 */
	private static void awaitKeys(RedisServerProcess node) {
		List<String> keys = new ArrayList<>(List.of("MGET"));
		List<String> values = new ArrayList<>();
		for (int i = 0; i < KEYS; i++) {
			keys.add("key:" + i);
			values.add("value:" + i);
		}
		await(node.address() + " holds all " + KEYS + " keys").atMost(EVENTUALLY)
			.pollInterval(Duration.ofMillis(50))
			.ignoreExceptionsInstanceOf(UncheckedIOException.class)
			.untilAsserted(() -> assertThat(node.command(keys.toArray(String[]::new))).isEqualTo(values));
	}

}
