package io.redisha.embedded;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class TlsRedisGroupTest {

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(1).password("s3cret").tls().perClass();

	@Test
	void nodesListenWithTlsOnlyAndReplicateOverTls() {
		LocalRedisGroup group = redis.group();
		assertThat(group.replicas().get(0).info("replication")).containsEntry("master_link_status", "up");
		assertThat(group.master().config("tls-replication")).isEqualTo("yes");
		assertThat(group.master().config("port")).isEqualTo("0");
		group.master().command("SET", "over", "tls");
		assertThat(group.master().client(null, "s3cret").call("GET", "over")).isEqualTo("tls");
	}

	@Test
	void plainTextClientsAreNotAnswered() {
		RedisServerProcess master = redis.group().master();
		RespClient plain = new RespClient(master.host(), master.port(), null, null, Duration.ofMillis(500));
		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> plain.call("PING"));
	}

}
