package io.redisha.embedded;

import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static io.redisha.embedded.PartitionableRedisGroupTest.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

class TcpProxyTest {

	@Test
	void cutBlackHolesAndRestoreForwardsAgain() {
		try (RedisServerProcess server = RedisServerProcess.start(); TcpProxy proxy = TcpProxy.to(server)) {
			RespClient throughProxy = new RespClient("127.0.0.1", proxy.port(), null, null, Duration.ofMillis(500));
			assertThat(throughProxy.call("PING")).isEqualTo("PONG");
			proxy.cut();
			assertThat(proxy.isCut()).isTrue();
			assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> throughProxy.call("PING"))
				.withMessageContaining("did not answer PING");
			assertThat(server.command("PING")).isEqualTo("PONG");
			proxy.restore();
			assertThat(throughProxy.call("PING")).isEqualTo("PONG");
		}
	}

	@Test
	void cutDropsOpenConnections() throws Exception {
		try (RedisServerProcess server = RedisServerProcess.start();
				TcpProxy proxy = TcpProxy.to(server);
				Socket socket = new Socket("127.0.0.1", proxy.port())) {
			socket.getOutputStream().write("PING\r\n".getBytes());
			byte[] pong = new byte[7];
			assertThat(socket.getInputStream().readNBytes(pong, 0, 7)).isEqualTo(7);
			assertThat(new String(pong)).isEqualTo("+PONG\r\n");
			proxy.cut();
			socket.setSoTimeout(2000);
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
	}

	@Test
	void holdDelaysTheCommandWithTheMarkerUntilReleased() throws Exception {
		try (RedisServerProcess server = RedisServerProcess.start(); TcpProxy proxy = TcpProxy.to(server)) {
			RespClient throughProxy = new RespClient("127.0.0.1", proxy.port(), null, null, Duration.ofSeconds(5));
			proxy.holdFrom("held-key");
			assertThat(throughProxy.call("SET", "other-key", "1")).isEqualTo("OK");
			CompletableFuture<Object> held = CompletableFuture
				.supplyAsync(() -> throughProxy.call("SET", "held-key", "1"));
			await().atMost(EVENTUALLY).until(proxy::isHolding);
			assertThat(server.command("EXISTS", "held-key")).isEqualTo(0L);
			proxy.release();
			assertThat(held.get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS)).isEqualTo("OK");
			assertThat(proxy.isHolding()).isFalse();
			assertThat(server.command("EXISTS", "held-key")).isEqualTo(1L);
		}
	}

}
