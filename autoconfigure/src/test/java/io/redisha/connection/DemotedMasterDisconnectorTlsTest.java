package io.redisha.connection;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.TrustManagerFactory;

import io.lettuce.core.SslOptions;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.member.GroupSettings;
import io.redisha.member.RedisHaMember;
import io.redisha.member.TestGossip;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.redisha.connection.MasterFollowingConnectionFactoryTest.address;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The clients of a demoted master are disconnected over TLS when the nodes listen with
 * TLS only.
 */
class DemotedMasterDisconnectorTlsTest {

	private static final String PASSWORD = "tls-s3cret";

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(0).password(PASSWORD).tls();

	@Test
	void theOldMastersClientsAreDisconnectedOverTls() throws Exception {
		RedisServerProcess oldMaster = redis.group().master();
		GroupConfig config = new GroupConfig("orders", List.of(address(oldMaster)), 1, Duration.ofSeconds(1),
				Duration.ofSeconds(10), 1, GroupConfig.Timing.defaults());
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(redis.options().tls().trustStore());
		SslOptions tls = SslOptions.builder().trustManager(trust).build();
		try (RedisHaMember member = new RedisHaMember(new MemberIdentity("disconnector", "test"),
				List.of(new GroupSettings(config, null, PASSWORD, Duration.ofSeconds(1), TestGossip.SEAL, tls)));
				DemotedMasterDisconnector disconnector = new DemotedMasterDisconnector(member,
						Map.of("orders",
								new DemotedMasterDisconnector.Access(null, PASSWORD, Duration.ofSeconds(2),
										Duration.ofSeconds(10), tls)));
				Socket client = redis.options()
					.tls()
					.socketFactory()
					.createSocket(oldMaster.host(), oldMaster.port())) {
			client.getOutputStream().write("AUTH tls-s3cret\r\n".getBytes(StandardCharsets.US_ASCII));
			InputStream in = client.getInputStream();
			assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("+OK\r\n");

			disconnector.accept(new ProtocolEvent(ProtocolEvent.Type.PROMOTED_REPLICA, "orders", 2,
					new NodeAddress("127.0.0.1", 1), address(oldMaster), null));

			client.setSoTimeout(10_000);
			assertThat(in.read()).as("the connection was closed by the server").isEqualTo(-1);
		}
	}

}
