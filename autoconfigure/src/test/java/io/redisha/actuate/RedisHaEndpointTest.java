package io.redisha.actuate;

import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.member.TestGossip;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;

import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The endpoint and the health contributor over HTTP, in a web application whose member
 * monitors a real password-protected master with two replicas. The endpoint's access is
 * left at its default: read-only.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "spring.application.name=endpoint-test",
		"management.endpoints.web.exposure.include=health,redis-ha", "management.endpoint.health.show-details=always" })
@AutoConfigureRestTestClient
@ExtendWith(OutputCaptureExtension.class)
class RedisHaEndpointTest {

	private static final String PASSWORD = "Pa55-w0rd-never-shown";

	@RegisterExtension
	static final RedisGroupExtension redis = RedisGroupExtension.withReplicas(2).password(PASSWORD).perClass();

	@Autowired
	private RestTestClient client;

	@DynamicPropertySource
	static void redisProperties(DynamicPropertyRegistry registry) {
		registry.add("redis-ha.groups.orders.nodes", () -> redis.group().master().address());
		registry.add("redis-ha.groups.orders.password", () -> PASSWORD);
		registry.add("redis-ha.gossip-secret", () -> TestGossip.SECRET);
		registry.add("redis-ha.groups.orders.quorum", () -> 1);
	}

	@Test
	void showsMemberAndGroupWithTheFieldsOfIssue2() {
		LocalRedisGroup group = redis.group();
		DocumentContext json = awaitTopology("/actuator/redis-ha", "$.groups.orders");
		assertThat(json.read("$.member.id", String.class)).matches("[0-9a-f]{12}");
		assertThat(json.read("$.member.application", String.class)).isEqualTo("endpoint-test");
		assertThat(json.read("$.member.epoch", Long.class)).isNotNegative();
		assertThat(json.read("$.groups.orders.state", String.class)).isEqualTo("OK");
		assertThat(json.read("$.groups.orders.configEpoch", Long.class)).isNotNegative();
		assertThat(json.read("$.groups.orders.quorum", Integer.class)).isEqualTo(1);
		assertThat(json.read("$.groups.orders.master.address", String.class)).isEqualTo(group.master().address());
		assertThat(json.read("$.groups.orders.master.runId", String.class))
			.isEqualTo(group.master().info("server").get("run_id"));
		List<Map<String, Object>> replicas = json.read("$.groups.orders.replicas");
		assertThat(replicas).extracting((replica) -> replica.get("address"))
			.containsExactlyInAnyOrderElementsOf(group.replicas().stream().map(RedisServerProcess::address).toList());
		assertThat(replicas).allSatisfy((replica) -> assertThat(replica).containsKeys("offset", "lag", "priority")
			.containsEntry("status", "up")
			.containsEntry("linkStatus", "up"));
		List<Map<String, Object>> members = json.read("$.groups.orders.members");
		assertThat(members).singleElement()
			.satisfies((member) -> assertThat(member).containsEntry("id", json.read("$.member.id"))
				.containsEntry("application", "endpoint-test")
				.containsEntry("self", true)
				.containsKey("lastSeenMs"));
		assertThat(json.read("$.groups.orders.rejectedMessages", Long.class)).isZero();
		assertThat(json.read("$.groups.orders.rejections", Map.class)).isEmpty();
		assertThat(json.read("$.groups.orders.connectionProblems", Map.class)).isEmpty();
		assertThat(json.jsonString()).doesNotContain(PASSWORD);
	}

	@Test
	void showsThePartitionFenceOfTheGroup() {
		DocumentContext json = awaitTopology("/actuator/redis-ha/orders", "$");
		Map<String, Object> fence = json.read("$.fence");
		assertThat(fence).containsKeys("mode", "reason", "votersWithMaster", "votersNeeded", "replicasAttached")
			.containsEntry("fenced", false)
			.containsEntry("writesRefused", 0)
			.containsEntry("writesUnconfirmed", 0);
		assertThat(fence).containsEntry("mode", "consistent");
		assertThat(fence.get("since")).isNull();
	}

	@Test
	void showsOneGroupAtItsOwnPath() {
		DocumentContext json = awaitTopology("/actuator/redis-ha/orders", "$");
		assertThat(json.read("$.master.address", String.class)).isEqualTo(redis.group().master().address());
		assertThat(json.read("$.quorum", Integer.class)).isEqualTo(1);
		assertThat(json.jsonString()).doesNotContain(PASSWORD);
	}

	@Test
	void writeOperationsAreRejectedByDefault() {
		awaitTopology("/actuator/redis-ha", "$.groups.orders");
		this.client.post()
			.uri("/actuator/redis-ha/orders/pause")
			.contentType(MediaType.APPLICATION_JSON)
			.body("{}")
			.exchange()
			.expectStatus()
			.is4xxClientError();
		assertThat(JsonPath.parse(get("/actuator/redis-ha/orders")).read("$.state", String.class)).isEqualTo("OK");
	}

	@Test
	void unknownGroupIsNotFound() {
		this.client.get().uri("/actuator/redis-ha/payments").exchange().expectStatus().isNotFound();
	}

	@Test
	void healthIsUpWithTheGroupSummary() {
		awaitTopology("/actuator/redis-ha", "$.groups.orders");
		String body = get("/actuator/health");
		DocumentContext json = JsonPath.parse(body);
		assertThat(json.read("$.components.redisHa.status", String.class)).isEqualTo("UP");
		assertThat(json.read("$.components.redisHa.details.orders.master", String.class))
			.isEqualTo(redis.group().master().address());
		assertThat(json.read("$.components.redisHa.details.orders.replicasUp", Integer.class)).isEqualTo(2);
		assertThat(json.read("$.components.redisHa.details.orders.membersSeen", Integer.class)).isEqualTo(1);
		assertThat(json.read("$.components.redisHa.details.orders.writesFenced", Boolean.class)).isFalse();
		assertThat(body).doesNotContain(PASSWORD);
	}

	@Test
	void logShowsNeitherEndpointIdWarningNorPassword(CapturedOutput output) {
		awaitTopology("/actuator/redis-ha", "$.groups.orders");
		assertThat(output).isNotEmpty().doesNotContain("contains invalid characters").doesNotContain(PASSWORD);
	}

	/** Waits until the member has found the master up and both replicas linked and up. */
	private DocumentContext awaitTopology(String path, String group) {
		DocumentContext[] json = new DocumentContext[1];
		await().atMost(EVENTUALLY).ignoreException(PathNotFoundException.class).untilAsserted(() -> {
			json[0] = JsonPath.parse(get(path));
			assertThat(json[0].read(group + ".master.status", String.class)).isEqualTo("up");
			assertThat(json[0].read(group + ".replicas[*].status", List.class)).containsExactly("up", "up");
			// The one instance founds the group's electorate once its start-up quiet
			// period is over.
			assertThat(json[0].read(group + ".electorate.selfVotes", Boolean.class)).isTrue();
		});
		return json[0];
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
	static class EndpointTestApplication {

	}

}
