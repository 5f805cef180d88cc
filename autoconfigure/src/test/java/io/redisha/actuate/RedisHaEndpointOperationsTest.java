package io.redisha.actuate;

import java.util.List;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.member.TestGossip;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;

import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The endpoint's write operations over HTTP with unrestricted access, against a real
 * master with two replicas and this application as the only member (quorum 1).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=health,redis-ha",
				"management.endpoint.redis-ha.access=unrestricted", "management.endpoint.health.show-details=always",
				"redis-ha.groups.orders.quorum=1", "redis-ha.groups.orders.down-after=1s",
				"redis-ha.groups.orders.startup-quiet-period=1s", "redis-ha.gossip-secret=" + TestGossip.SECRET })
@AutoConfigureRestTestClient
class RedisHaEndpointOperationsTest {

	@RegisterExtension
	static final RedisGroupExtension redis = RedisGroupExtension.withReplicas(2).perClass();

	@Autowired
	private RestTestClient client;

	@DynamicPropertySource
	static void redisProperties(DynamicPropertyRegistry registry) {
		registry.add("redis-ha.groups.orders.nodes", () -> redis.group().master().address());
	}

	@Test
	void pauseShowsWhoPausedAndResumeEndsIt() {
		awaitSettled();
		DocumentContext paused = post("/actuator/redis-ha/orders/pause", "{}", 200);
		assertThat(paused.read("$.result", String.class)).isEqualTo("done");
		DocumentContext group = JsonPath.parse(get("/actuator/redis-ha/orders"));
		assertThat(group.read("$.state", String.class)).isEqualTo("PAUSED");
		assertThat(group.read("$.pause.by", String.class)).isEqualTo(group.read("$.members[0].id", String.class));
		assertThat(group.read("$.pause.since", String.class)).isNotBlank();
		post("/actuator/redis-ha/orders/resume", "{}", 200);
		assertThat(JsonPath.parse(get("/actuator/redis-ha/orders")).read("$.state", String.class)).isEqualTo("OK");
	}

	@Test
	void switchoverMovesTheMasterAndTheHistoryShowsIt() {
		awaitSettled();
		String oldMaster = JsonPath.parse(get("/actuator/redis-ha/orders")).read("$.master.address");
		DocumentContext result = post("/actuator/redis-ha/orders/switchover", "{\"timeoutMs\": 3000}", 200);
		assertThat(result.read("$.result", String.class)).isEqualTo("succeeded");
		String newMaster = result.read("$.newMaster");
		assertThat(newMaster).isNotEqualTo(oldMaster);
		await().atMost(EVENTUALLY).untilAsserted(() -> {
			DocumentContext group = JsonPath.parse(get("/actuator/redis-ha/orders"));
			assertThat(group.read("$.master.address", String.class)).isEqualTo(newMaster);
			assertThat(group.read("$.history[0].trigger", String.class)).isEqualTo("switchover");
			assertThat(group.read("$.history[0].writesAtRiskBytes", Long.class)).isZero();
			assertThat(group.read("$.history[0].steps[*].durationMs", List.class)).isNotEmpty();
		});
		RedisServerProcess promoted = redis.group().nodeOnPort(Integer.parseInt(newMaster.split(":")[1]));
		assertThat(promoted.role()).isEqualTo("master");
	}

	@Test
	void badRequestsSayWhatIsWrong() {
		awaitSettled();
		assertThat(post("/actuator/redis-ha/orders/forget", "{}", 400).read("$.message", String.class))
			.contains("\"member\"");
		assertThat(post("/actuator/redis-ha/orders/reboot", "{}", 400).read("$.message", String.class))
			.contains("unknown operation 'reboot'");
		assertThat(post("/actuator/redis-ha/payments/pause", "{}", 404).read("$.message", String.class))
			.contains("no group 'payments'");
		assertThat(post("/actuator/redis-ha/orders/switchover", "{\"target\": \"127.0.0.1:1\"}", 422).read("$.message",
				String.class))
			.contains("no node 127.0.0.1:1");
		assertThat(post("/actuator/redis-ha/orders/switchover", "{\"timeoutMs\": 999999999999}", 400).read("$.message",
				String.class))
			.contains("timeoutMs must be between 1 and 30000 but was 999999999999");
	}

	private void awaitSettled() {
		await().atMost(EVENTUALLY).ignoreExceptions().untilAsserted(() -> {
			DocumentContext group = JsonPath.parse(get("/actuator/redis-ha/orders"));
			assertThat(group.read("$.state", String.class)).isEqualTo("OK");
			assertThat(group.read("$.replicas[*].linkStatus", List.class)).containsExactly("up", "up");
			assertThat(post("/actuator/redis-ha/orders/resume", "{}", 200).read("$.result", String.class))
				.isEqualTo("done");
		});
		await().atMost(EVENTUALLY)
			.until(() -> !JsonPath.parse(get("/actuator/redis-ha/orders")).read("$.startingUp", Boolean.class));
	}

	private DocumentContext post(String path, String body, int status) {
		String response = this.client.post()
			.uri(path)
			.contentType(MediaType.APPLICATION_JSON)
			.body(body)
			.exchange()
			.expectStatus()
			.isEqualTo(status)
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		return JsonPath.parse(response);
	}

	private String get(String path) {
		return this.client.get()
			.uri(path)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class OperationsTestApplication {

	}

}
