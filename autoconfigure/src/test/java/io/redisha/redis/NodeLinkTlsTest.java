package io.redisha.redis;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.TrustManagerFactory;

import io.lettuce.core.SslOptions;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerOptions;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.embedded.TlsCertificates;
import io.redisha.protocol.Action;
import io.redisha.protocol.MinReplicas;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.Reply;
import io.redisha.protocol.StoredConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.redisha.redis.NodeLinkTest.address;
import static io.redisha.redis.NodeLinkTest.call;
import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Links to a node that listens with TLS only. */
class NodeLinkTlsTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	private static final String PASSWORD = "tls-s3cret";

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(0).password(PASSWORD).tls().perClass();

	private static LinkResources resources;

	private final List<NodeLink> links = new CopyOnWriteArrayList<>();

	@BeforeAll
	static void createResources() {
		resources = new LinkResources("node-link-tls-test");
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
	void aLinkTrustingTheNodesCertificateWorks() throws Exception {
		RedisServerProcess server = redis.group().master();
		NodeLink link = link(server.host(), trusting());
		await().atMost(EVENTUALLY).until(() -> call(link, new Action.QueryInfo(address(server))) instanceof Reply.Info);
		await().atMost(EVENTUALLY).until(link::isSubscribed);
	}

	@Test
	void aCertificateNotTrustedIsAClearProblem() {
		RedisServerProcess server = redis.group().master();
		NodeLink link = link(server.host(), SslOptions.create());
		Reply reply = call(link, new Action.Ping(address(server)));
		assertThat(reply).isInstanceOfSatisfying(Reply.Failed.class,
				(failed) -> assertThat(failed.reason()).contains("certification path"));
		assertThat(link.problem()).contains("certification path").doesNotContain(PASSWORD);
	}

	@Test
	void aTrustedCertificateIssuedForAnotherNameIsAClearProblem() throws Exception {
		TlsCertificates otherName = TlsCertificates.generate("dns:redis.example");
		try (RedisServerProcess server = RedisServerProcess
			.start(RedisServerOptions.defaults().withPassword(PASSWORD).withTls(otherName))) {
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(otherName.trustStore());
			NodeLink link = link(server, SslOptions.builder().trustManager(trust).build());
			Reply reply = call(link, new Action.Ping(address(server)));
			assertThat(reply).isInstanceOfSatisfying(Reply.Failed.class, (failed) -> assertThat(failed.reason())
				.contains("No subject alternative names matching IP address"));
			assertThat(link.problem()).contains("127.0.0.1").doesNotContain(PASSWORD);
		}
	}

	@Test
	void theClientsOfADemotedMasterAreDisconnectedOverTls() throws Exception {
		RedisServerProcess server = redis.group().master();
		NodeLink link = link(server.host(), trusting());
		try (Socket client = redis.options().tls().socketFactory().createSocket(server.host(), server.port())) {
			client.getOutputStream().write(("AUTH " + PASSWORD + "\r\n").getBytes(StandardCharsets.US_ASCII));
			InputStream in = client.getInputStream();
			assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("+OK\r\n");

			await().atMost(Duration.ofSeconds(10))
				.until(() -> call(link, new Action.DisconnectClients(address(server))) instanceof Reply.Text text
						&& !text.error() && Long.parseLong(text.text()) >= 1);

			client.setSoTimeout(10_000);
			assertThat(in.read()).as("the connection was closed by the server").isEqualTo(-1);
		}
		// The link's own command connection was skipped.
		assertThat(link.isConnected()).isTrue();
	}

	private static SslOptions trusting() throws Exception {
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(redis.options().tls().trustStore());
		return SslOptions.builder().trustManager(trust).build();
	}

	private NodeLink link(String host, SslOptions tls) {
		return link(redis.group().master(), host, tls);
	}

	private NodeLink link(RedisServerProcess server, SslOptions tls) {
		return link(server, server.host(), tls);
	}

	private NodeLink link(RedisServerProcess server, String host, SslOptions tls) {
		NodeLink link = new NodeLink(address(server),
				new LinkSettings(new NodeAddress(host, server.port()), null, PASSWORD, TIMEOUT, "tls-test", tls),
				resources.clientResources(), "__redis-ha__:test", NodeLinkTest.SEAL, MinReplicas.UNMANAGED,
				(message) -> {
				});
		this.links.add(link);
		return link;
	}

}
