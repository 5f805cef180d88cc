package io.redisha.sentinel;

import java.time.Duration;

import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.TlsCertificates;
import io.redisha.protocol.NodeAddress;
import io.redisha.testing.Members;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import static io.redisha.testing.Members.EVENTUALLY;
import static io.redisha.testing.Members.GROUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An endpoint with its certificate from a Spring Boot SSL bundle: a client that trusts
 * the certificate asks it for the master over TLS; a plain-text client gets no answer.
 */
class SentinelEndpointTlsTest {

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(1);

	@Test
	void answersOverTlsOnly() {
		TlsCertificates certificates = TlsCertificates.generate();
		try (Members members = Members.startApplications(redis.group(), 1, "redis-ha.sentinel.ssl-bundle=endpoint",
				"spring.ssl.bundle.pem.endpoint.keystore.certificate=file:" + certificates.certificate(),
				"spring.ssl.bundle.pem.endpoint.keystore.private-key=file:" + certificates.privateKey());
				Jedis client = new Jedis(new HostAndPort("127.0.0.1", members.port(0)),
						DefaultJedisClientConfig.builder()
							.ssl(true)
							.sslSocketFactory(certificates.socketFactory())
							.build())) {
			NodeAddress master = NodeAddress.parse(redis.group().master().address());
			await("the master over TLS").atMost(EVENTUALLY)
				.untilAsserted(() -> assertThat(client.sentinelGetMasterAddrByName(GROUP))
					.containsExactly(master.host(), Integer.toString(master.port())));
			try (Wire plain = new Wire(members.port(0))) {
				plain.send("PING");
				assertThat(plain.rest(Duration.ofSeconds(5))).doesNotContain("PONG");
			}
		}
	}

}
