package io.redisha.connection;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerOptions;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.NodeAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.core.StringRedisTemplate;

import static io.redisha.connection.MasterFollowingConnectionFactoryTest.address;
import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The application on a group whose nodes listen with TLS only (replicating over TLS),
 * trusting their certificate through a Spring Boot SSL bundle: its member and its
 * template work, and follow a failover; with TLS configured nothing is ever sent in plain
 * text.
 */
class TlsClientFailoverTest {

	private static final String PASSWORD = "tls-s3cret";

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(2).password(PASSWORD).tls();

	@Test
	void theTemplateWorksOverTlsAndFollowsAFailover() {
		LocalRedisGroup group = redis.group();
		RedisServerProcess oldMaster = group.master();
		tlsApp(ClientApp.runner(group, 1)).run((context) -> {
			assertThat(context).hasNotFailed();
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			await().atMost(EVENTUALLY)
				.ignoreExceptions()
				.untilAsserted(() -> template.opsForValue().set("before", "1"));
			assertThat(oldMaster.command("GET", "before")).isEqualTo("1");
			// Only a voter past its start-up quiet period elects: the member founds the
			// electorate over TLS too.
			RedisHaMember member = context.getBean(RedisHaMember.class);
			await().atMost(EVENTUALLY).until(() -> {
				GroupSnapshot snapshot = member.snapshot(ClientApp.GROUP);
				return !snapshot.startingUp() && snapshot.electorate() != null && snapshot.electorate().committed();
			});

			oldMaster.kill();
			await().atMost(EVENTUALLY).ignoreExceptions().untilAsserted(() -> template.opsForValue().set("after", "1"));

			NodeAddress newMaster = context.getBean(MasterFollowingConnectionFactory.class).getRoute().master();
			assertThat(newMaster).isNotEqualTo(address(oldMaster));
			RedisServerProcess promoted = group.nodeOnPort(newMaster.port());
			assertThat(promoted.role()).isEqualTo("master");
			assertThat(promoted.command("GET", "after")).isEqualTo("1");
			assertThat(promoted.command("GET", "before")).isEqualTo("1");
		});
	}

	@Test
	void withTlsConfiguredNothingIsSentInPlainText() throws IOException {
		try (PlainTextListener listener = new PlainTextListener()) {
			ApplicationContextRunner runner = ClientApp.runner(redis.group(), 1)
				.withPropertyValues("redis-ha.groups." + ClientApp.GROUP + ".nodes=127.0.0.1:" + listener.port(),
						"redis-ha.groups." + ClientApp.GROUP + ".failover-wait=500ms");
			tlsApp(runner).run((context) -> {
				StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
				assertThat(catchThrowable(() -> template.opsForValue().get("key"))).isNotNull();
				await().atMost(EVENTUALLY).until(() -> listener.received.size() >= 2);
			});
			assertThat(listener.received).allSatisfy((bytes) -> {
				// 0x16: a TLS handshake record (the ClientHello), never a RESP command.
				assertThat(bytes).isNotEmpty().startsWith((byte) 0x16);
				assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).doesNotContain(PASSWORD)
					.doesNotContain("AUTH")
					.doesNotContain("PING");
			});
		}
	}

	@Test
	void aClientCertificateFromTheBundleIsShownToNodesThatAskForOne() {
		RedisServerOptions asking = redis.options().withArgument("tls-auth-clients", "yes");
		try (LocalRedisGroup group = LocalRedisGroup.start(1, asking)) {
			Path certificates = redis.options().tls().certificate();
			tlsApp(ClientApp.runner(group, 1))
				.withPropertyValues("spring.ssl.bundle.pem.redis.keystore.certificate=file:" + certificates,
						"spring.ssl.bundle.pem.redis.keystore.private-key=file:" + redis.options().tls().privateKey())
				.run((context) -> {
					StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
					await().atMost(EVENTUALLY)
						.ignoreExceptions()
						.untilAsserted(() -> template.opsForValue().set("certified", "1"));
					assertThat(group.master().command("GET", "certified")).isEqualTo("1");
					await().atMost(EVENTUALLY)
						.untilAsserted(() -> assertThat(
								context.getBean(RedisHaMember.class).connectionProblems(ClientApp.GROUP))
							.isEmpty());
				});
		}
	}

	/**
	 * The application trusting the group's certificate through an SSL bundle, with the
	 * group's password.
	 */
	private static ApplicationContextRunner tlsApp(ApplicationContextRunner runner) {
		return runner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
			.withPropertyValues("redis-ha.groups." + ClientApp.GROUP + ".password=" + PASSWORD,
					"spring.data.redis.ssl.bundle=redis",
					"spring.ssl.bundle.pem.redis.truststore.certificate=file:" + redis.options().tls().certificate());
	}

	/**
	 * Accepts connections, answers nothing, and keeps what each connection sent in its
	 * first moments.
	 */
	private static final class PlainTextListener implements AutoCloseable {

		final List<byte[]> received = new CopyOnWriteArrayList<>();

		private final ServerSocket server;

		PlainTextListener() throws IOException {
			this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
			Thread acceptor = new Thread(this::accept, "plain-text-listener");
			acceptor.setDaemon(true);
			acceptor.start();
		}

		int port() {
			return this.server.getLocalPort();
		}

		private void accept() {
			while (!this.server.isClosed()) {
				try (Socket socket = this.server.accept()) {
					socket.setSoTimeout(300);
					this.received.add(readUntilQuiet(socket.getInputStream()));
				}
				catch (IOException ex) {
					// Closed.
				}
			}
		}

		private static byte[] readUntilQuiet(InputStream in) {
			ByteArrayOutputStream bytes = new ByteArrayOutputStream();
			byte[] buffer = new byte[4096];
			try {
				for (int read = in.read(buffer); read > 0; read = in.read(buffer)) {
					bytes.write(buffer, 0, read);
				}
			}
			catch (IOException ex) {
				// Quiet for a moment, or closed: enough to see what a client sends first.
			}
			return bytes.toByteArray();
		}

		@Override
		public void close() throws IOException {
			this.server.close();
		}

	}

}
