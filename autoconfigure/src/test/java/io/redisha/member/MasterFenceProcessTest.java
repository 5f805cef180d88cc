package io.redisha.member;

import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.MinReplicas;
import io.redisha.testing.Members;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The master-side fence on real processes: a plain client, outside any application,
 * writing straight to the master is refused ({@code NOREPLICAS}) once the master's
 * replicas stopped acknowledging for min-replicas-max-lag, and writes again once one is
 * back.
 */
class MasterFenceProcessTest {

	private static final MinReplicas FENCE = new MinReplicas(1, Duration.ofSeconds(1));

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(2);

	private final Members members = new Members();

	@AfterEach
	void stopMembers() {
		this.members.close();
	}

	@Test
	void aMasterCutOffFromItsReplicasRefusesEveryClientsWritesUntilAReplicaIsBack() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess master = group.master();
		RedisHaMember member = this.members.start(FENCE, master);
		await("the member fences the master").atMost(Members.EVENTUALLY).untilAsserted(() -> {
			assertThat(master.config("min-replicas-to-write")).isEqualTo("1");
			assertThat(master.config("min-replicas-max-lag")).isEqualTo("1");
		});
		RedisClient client = RedisClient.create(RedisURI.create(master.host(), master.port()));
		client.setOptions(ClientOptions.builder().autoReconnect(false).build());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			RedisCommands<String, String> commands = connection.sync();
			assertThat(commands.set("before", "1")).isEqualTo("OK");
			// Frozen, like replicas behind a partition: connected, but no acknowledgement
			// any more.
			group.replicas().forEach(RedisServerProcess::pause);
			// Redis counts the lag in whole seconds and recounts once a second.
			await("NOREPLICAS").atMost(Members.EVENTUALLY)
				.untilAsserted(() -> assertThatExceptionOfType(RedisCommandExecutionException.class)
					.isThrownBy(() -> commands.set("during", "1"))
					.withMessageStartingWith("NOREPLICAS"));
			assertThatExceptionOfType(RedisCommandExecutionException.class)
				.isThrownBy(() -> commands.set("refused", "1"))
				.withMessageStartingWith("NOREPLICAS");
			assertThat(commands.get("refused")).isNull();
			group.node(1).resume();
			await("writes again").atMost(Members.EVENTUALLY)
				.ignoreExceptionsInstanceOf(RedisCommandExecutionException.class)
				.untilAsserted(() -> assertThat(commands.set("after", "1")).isEqualTo("OK"));
			assertThat(snapshot(member).master().address()).isEqualTo(address(master));
		}
		finally {
			client.shutdown();
			group.replicas().stream().filter(RedisServerProcess::isPaused).forEach(RedisServerProcess::resume);
		}
	}

}
