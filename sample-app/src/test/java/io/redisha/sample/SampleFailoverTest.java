package io.redisha.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.member.RedisHaMember;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's walk-through: the sample on its embedded default keeps taking writes after
 * its master is killed, with no restart and no change of configuration.
 */
class SampleFailoverTest {

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private ConfigurableApplicationContext context;

	@AfterEach
	void closeApplication() {
		if (this.context != null) {
			this.context.close();
		}
	}

	@Test
	void writesContinueOnTheNewMasterAfterTheMasterIsKilled() throws Exception {
		this.context = new SpringApplicationBuilder(SampleApplication.class).run("--server.port=0");
		assertThat(this.context.getBean(RedisConnectionFactory.class).getClass().getSimpleName())
			.isEqualTo("MasterFollowingConnectionFactory");
		LocalRedisGroup redis = this.context.getBean(LocalRedisGroup.class);
		RedisServerProcess oldMaster = redis.master();
		await().atMost(Duration.ofSeconds(30)).until(() -> put("before", "1") == 200);
		// The one instance founds the group's electorate once its start-up quiet period is over.
		RedisHaMember member = this.context.getBean(RedisHaMember.class);
		await().atMost(Duration.ofSeconds(30)).until(() -> member.snapshots().values().stream()
			.allMatch((snapshot) -> snapshot.electorate() != null && snapshot.electorate().selfVotes()));

		oldMaster.kill();
		// Down-after is 5 s in the embedded default; then the member fails over and the template follows.
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> put("after", "1") == 200);

		RedisServerProcess newMaster = redis.nodes().stream()
			.filter((node) -> node.isAlive() && "master".equals(node.role()))
			.findFirst()
			.orElseThrow();
		assertThat(newMaster).isNotSameAs(oldMaster);
		assertThat(newMaster.command("GET", "after")).isEqualTo("1");
		assertThat(newMaster.command("GET", "before")).isEqualTo("1");
	}

	private int put(String key, String value) throws Exception {
		int port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/kv/" + key))
			.header("Content-Type", "text/plain")
			.timeout(Duration.ofSeconds(10))
			.PUT(HttpRequest.BodyPublishers.ofString(value))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
	}

}
