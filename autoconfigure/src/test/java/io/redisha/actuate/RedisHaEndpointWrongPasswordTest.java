package io.redisha.actuate;

import java.time.Duration;
import java.util.List;

import io.redisha.embedded.RedisGroupExtension;
import io.redisha.member.GroupSettings;
import io.redisha.member.RedisHaMember;
import io.redisha.member.TestGossip;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.health.contributor.Status;

import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A member configured with the wrong password: the endpoint names the node it cannot use
 * and why, health is DOWN, and the configured password appears nowhere.
 */
class RedisHaEndpointWrongPasswordTest {

	private static final String WRONG_PASSWORD = "not-the-Pa55w0rd";

	@RegisterExtension
	final RedisGroupExtension redis = RedisGroupExtension.withReplicas(0).password("the-real-Pa55w0rd");

	@Test
	void showsTheConnectionProblemWithoutThePassword() {
		String master = this.redis.group().master().address();
		GroupConfig config = new GroupConfig("orders", List.of(NodeAddress.parse(master)), 1, Duration.ofSeconds(1),
				Duration.ofMinutes(3), 1, GroupConfig.Timing.defaults());
		try (RedisHaMember member = new RedisHaMember(new MemberIdentity("wrong-password", "test"),
				List.of(new GroupSettings(config, null, WRONG_PASSWORD, Duration.ofMillis(500), TestGossip.SEAL)))) {
			member.start();
			RedisHaEndpoint endpoint = new RedisHaEndpoint(member);
			await().atMost(EVENTUALLY)
				.untilAsserted(() -> assertThat(endpoint.group("orders").connectionProblems()).containsKey(master));
			assertThat(endpoint.redisHa().toString()).doesNotContain(WRONG_PASSWORD);
			assertThat(new RedisHaHealthIndicator(member).health().getStatus()).isEqualTo(Status.DOWN);
		}
	}

}
