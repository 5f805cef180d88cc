package io.redisha.sample;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs the sample application as a user would, on its embedded default and against
 * configured groups, over HTTP.
 */
class SampleApplicationTest {

	/**
	 * How long a test of the sample waits for an outcome before it gives up: an upper
	 * bound on "eventually", never a speed claim (the benchmarks measure speed).
	 */
	static final Duration EVENTUALLY = Duration.ofSeconds(60);

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private ConfigurableApplicationContext context;

	@AfterEach
	void closeApplication() {
		if (this.context != null) {
			this.context.close();
		}
	}

	@Test
	void embeddedDefaultShowsGroupDemoWithMasterAndTwoReplicas() {
		start();
		LocalRedisGroup redis = this.context.getBean(LocalRedisGroup.class);
		await().atMost(EVENTUALLY).ignoreException(PathNotFoundException.class).untilAsserted(() -> {
			DocumentContext json = JsonPath.parse(get("/actuator/redis-ha").body());
			assertThat(json.read("$.member.application", String.class)).isEqualTo("redis-ha-sample");
			// The one instance founds the group's electorate once its start-up quiet
			// period is over.
			assertThat(json.read("$.groups.demo.electorate.selfVotes", Boolean.class)).isTrue();
			assertThat(json.read("$.groups.demo.quorum", Integer.class)).isEqualTo(1);
			assertThat(json.read("$.groups.demo.master.address", String.class)).isEqualTo(redis.master().address());
			assertThat(json.read("$.groups.demo.master.status", String.class)).isEqualTo("up");
			assertThat(json.read("$.groups.demo.replicas[*].address", List.class)).containsExactlyInAnyOrderElementsOf(
					redis.replicas().stream().map(RedisServerProcess::address).toList());
			assertThat(json.read("$.groups.demo.replicas[*].status", List.class)).containsOnly("up");
		});
		HttpResponse<String> health = get("/actuator/health");
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(JsonPath.parse(health.body()).read("$.components.redisHa.status", String.class)).isEqualTo("UP");
	}

	@Test
	void exposesHealthRedisHaMetricsAndPrometheusOverTheWeb() {
		start();
		assertThat(get("/actuator").body()).contains("\"health\"", "\"redisha\"", "\"metrics\"", "\"prometheus\"");
		assertThat(get("/actuator/metrics").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/prometheus").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/metrics").body()).contains("\"redis.ha.state\"", "\"redis.ha.members\"",
				"\"redis.ha.nodes.up\"", "\"redis.ha.gossip.sent\"");
		await().atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(get("/actuator/prometheus").body()).contains(
					"redis_ha_state{group=\"demo\",state=\"OK\"} 1.0", "redis_ha_ping_seconds_count{group=\"demo\"",
					"redis_ha_replication_lag_bytes{group=\"demo\""));
	}

	@Test
	void putThenGetRoundTrip() {
		start();
		assertThat(get("/kv/greeting").statusCode()).isEqualTo(404);
		assertThat(put("/kv/greeting", "hello redis-ha").statusCode()).isEqualTo(200);
		HttpResponse<String> read = get("/kv/greeting");
		assertThat(read.statusCode()).isEqualTo(200);
		assertThat(read.body()).isEqualTo("hello redis-ha");
		assertThat(this.context.getBean(LocalRedisGroup.class).master().command("GET", "greeting"))
			.isEqualTo("hello redis-ha");
	}

	@Test
	void putStoresTheRawBodyOfAFormPostedByCurl() {
		start();
		HttpResponse<String> write = send(HttpRequest.newBuilder(uri("/kv/greeting"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.PUT(HttpRequest.BodyPublishers.ofString("hello")));
		assertThat(write.statusCode()).isEqualTo(200);
		assertThat(get("/kv/greeting").body()).isEqualTo("hello");
	}

	@Test
	void theBankCommitsATransferOrAnswersWhyNot() {
		start();
		assertThat(post("/bank/open?accounts=2&balance=10").statusCode()).isEqualTo(200);
		HttpResponse<String> committed = post("/bank/transfer?from=0&to=1&amount=4");
		assertThat(committed.statusCode()).isEqualTo(200);
		assertThat(JsonPath.parse(committed.body()).read("$.outcome", String.class)).isEqualTo("committed");
		HttpResponse<String> refused = post("/bank/transfer?from=0&to=1&amount=7");
		assertThat(refused.statusCode()).isEqualTo(409);
		assertThat(JsonPath.parse(refused.body()).read("$.outcome", String.class))
			.isEqualTo("not committed: insufficient funds");
		assertThat(post("/bank/transfer?from=1&to=1&amount=1").statusCode()).isEqualTo(400);
		DocumentContext bank = JsonPath.parse(get("/bank").body());
		assertThat(bank.read("$.accounts", Integer.class)).isEqualTo(2);
		assertThat(bank.read("$.total", Long.class)).isEqualTo(20);
		assertThat(this.context.getBean(LocalRedisGroup.class).master().command("MGET", "acct:0", "acct:1"))
			.isEqualTo(List.of("6", "14"));
	}

	@Test
	void embeddedRedisIsGoneAfterTheApplicationStops() {
		start();
		List<RedisServerProcess> nodes = this.context.getBean(LocalRedisGroup.class).nodes();
		assertThat(nodes).hasSize(3).allMatch(RedisServerProcess::isAlive);
		this.context.close();
		assertThat(nodes).noneMatch(RedisServerProcess::isAlive);
		assertThat(nodes).noneMatch((node) -> ProcessHandle.of(node.pid()).map(ProcessHandle::isAlive).orElse(false));
	}

	@Test
	void configuredGroupsStartNothingAndUnreachableRedisAnswers503() throws IOException {
		int closedPort = closedPort();
		start("--redis-ha.groups.g.nodes=127.0.0.1:" + closedPort, "--redis-ha.gossip-secret=" + "s".repeat(32));
		assertThat(this.context.getBeansOfType(LocalRedisGroup.class)).isEmpty();
		HttpResponse<String> response = put("/kv/greeting", "hello");
		assertThat(response.statusCode()).isEqualTo(503);
		assertThat(response.body()).startsWith("Redis unavailable: ");
	}

	private void start(String... args) {
		String[] arguments = new String[args.length + 1];
		arguments[0] = "--server.port=0";
		System.arraycopy(args, 0, arguments, 1, args.length);
		this.context = new SpringApplicationBuilder(SampleApplication.class).run(arguments);
	}

	private HttpResponse<String> get(String path) {
		return send(HttpRequest.newBuilder(uri(path)).GET());
	}

	private HttpResponse<String> post(String path) {
		return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
	}

	private HttpResponse<String> put(String path, String body) {
		return send(HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "text/plain")
			.PUT(HttpRequest.BodyPublishers.ofString(body)));
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return this.http.send(request.timeout(Duration.ofSeconds(10)).build(),
					HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException("Request failed: " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

	private URI uri(String path) {
		int port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
		return URI.create("http://127.0.0.1:" + port + path);
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
