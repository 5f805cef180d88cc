package io.redisha.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

class RedisServerProcessTest {

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(1).password("s3cret").perClass();

	@Test
	void passwordIsRequiredOnEveryNodeAndReplicationAuthenticates() {
		LocalRedisGroup group = redis.group();
		assertThat(group.replicas().get(0).info("replication")).containsEntry("master_link_status", "up");
		RespClient anonymous = new RespClient(group.master().host(), group.master().port(), null, null,
				Duration.ofSeconds(2));
		assertThatExceptionOfType(RedisErrorReplyException.class).isThrownBy(() -> anonymous.call("PING"))
			.withMessageStartingWith("NOAUTH");
		RespClient wrong = new RespClient(group.master().host(), group.master().port(), null, "wrong",
				Duration.ofSeconds(2));
		assertThatExceptionOfType(RedisErrorReplyException.class).isThrownBy(() -> wrong.call("PING"))
			.withMessageContaining("WRONGPASS");
	}

	@Test
	void aclUserAuthenticatesClientsAndReplication() {
		try (LocalRedisGroup group = LocalRedisGroup.start(1, RedisServerOptions.defaults().withUser("app", "pa55"))) {
			assertThat(group.master().command("ACL", "WHOAMI")).isEqualTo("app");
			assertThat(group.replicas().get(0).info("replication")).containsEntry("master_link_status", "up");
		}
	}

	@Test
	void extraServerIsPidFiledAndCleanedUp() {
		RedisServerProcess server = redis.startServer(RedisServerOptions.defaults());
		Path pidFile = ProcessRegistry.pidFile(server.pid());
		assertThat(pidFile).exists();
		assertThat(server.command("PING")).isEqualTo("PONG");
		server.close();
		assertThat(pidFile).doesNotExist();
		assertThat(server.isAlive()).isFalse();
	}

	@Test
	void reapsServersWhoseOwnerJvmIsGone() throws Exception {
		RedisServerProcess orphan = redis.startServer(RedisServerOptions.defaults());
		Path pidFile = ProcessRegistry.pidFile(orphan.pid());
		String content = Files.readString(pidFile);
		// Pretend the server belongs to a JVM that died: a pid that is not alive.
		Files.writeString(pidFile, content.replaceFirst("owner=\\d+", "owner=" + deadPid())
			.replaceFirst("ownerStart=\\S+", "ownerStart=" + Instant.EPOCH));
		assertThat(ProcessRegistry.reapOrphans()).isEqualTo(1);
		assertThat(pidFile).doesNotExist();
		await().until(() -> !orphan.isAlive());
	}

	@Test
	void reapingLeavesServersOfLiveJvmsAlone() {
		RedisServerProcess mine = redis.startServer(RedisServerOptions.defaults());
		assertThat(ProcessRegistry.reapOrphans()).isZero();
		assertThat(mine.command("PING")).isEqualTo("PONG");
	}

	@Test
	void failedStartSaysWhy() {
		assertThatExceptionOfType(RedisServerException.class).isThrownBy(
				() -> RedisServerProcess.start(RedisServerOptions.defaults().withArgument("no-such-directive", "1")))
			.withMessageContaining("exited with code");
	}

	@Test
	void binaryIsResolvedWithItsVersion() {
		RedisServerBinary binary = RedisServerBinary.get();
		assertThat(binary.path()).isExecutable();
		assertThat(binary.version()).matches("\\d+\\.\\d+\\.\\d+.*");
	}

	private static long deadPid() {
		long pid = 4_000_000;
		while (ProcessHandle.of(pid).isPresent()) {
			pid--;
		}
		return pid;
	}

}
