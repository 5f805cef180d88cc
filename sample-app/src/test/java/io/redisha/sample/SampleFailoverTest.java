package io.redisha.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.CommandOutcome;
import io.redisha.protocol.GroupSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import static io.redisha.sample.SampleApplicationTest.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's walk-throughs: the sample on its embedded default keeps taking writes
 * after its master is killed, with no restart and no change of configuration; and its
 * bank keeps its total through a switchover and the failover of a killed master, with
 * transfers from several threads all along.
 */
class SampleFailoverTest {

	private static final int ACCOUNTS = 10;

	private static final long BALANCE = 100;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	/** How many bank transfers were answered with each status. */
	private final Map<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();

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
		await().atMost(EVENTUALLY).until(() -> put("before", "1") == 200);
		// The one instance founds the group's electorate once its start-up quiet period
		// is over.
		RedisHaMember member = this.context.getBean(RedisHaMember.class);
		await().atMost(EVENTUALLY)
			.until(() -> member.snapshots()
				.values()
				.stream()
				.allMatch((snapshot) -> snapshot.electorate() != null && snapshot.electorate().selfVotes()));

		oldMaster.kill();
		// Down-after is 5 s in the embedded default; then the member fails over and the
		// template follows.
		await().atMost(EVENTUALLY).pollInterval(Duration.ofMillis(200)).until(() -> put("after", "1") == 200);

		RedisServerProcess newMaster = master(redis);
		assertThat(newMaster).isNotSameAs(oldMaster);
		assertThat(newMaster.command("GET", "after")).isEqualTo("1");
		assertThat(newMaster.command("GET", "before")).isEqualTo("1");
	}

	@Test
	void bankTransfersThroughASwitchoverAndAKilledMasterKeepTheTotal() throws Exception {
		this.context = new SpringApplicationBuilder(SampleApplication.class).run("--server.port=0");
		LocalRedisGroup redis = this.context.getBean(LocalRedisGroup.class);
		RedisHaMember member = this.context.getBean(RedisHaMember.class);
		await().atMost(EVENTUALLY)
			.until(() -> post("/bank/open?accounts=" + ACCOUNTS + "&balance=" + BALANCE).statusCode() == 200);
		// The one instance founds the group's electorate once its start-up quiet period
		// is over.
		await().atMost(EVENTUALLY)
			.until(() -> member.snapshots()
				.values()
				.stream()
				.allMatch((snapshot) -> snapshot.electorate() != null && snapshot.electorate().selfVotes()));

		AtomicBoolean running = new AtomicBoolean(true);
		List<Thread> clients = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			Thread client = new Thread(() -> {
				while (running.get()) {
					transferAtRandom();
				}
			}, "bank-client-" + i);
			client.start();
			clients.add(client);
		}
		try {
			awaitMoreCommitted(50);
			RedisServerProcess first = redis.master();
			GroupSnapshot.FailoverSnapshot switchover = started(
					() -> member.switchover(EmbeddedRedisEnvironmentPostProcessor.GROUP, null, Duration.ofSeconds(5),
							Duration.ofSeconds(5)))
				.finished()
				.get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS);
			assertThat(switchover.succeeded()).as(switchover.result()).isTrue();
			awaitMoreCommitted(50);

			RedisServerProcess second = master(redis);
			assertThat(second).isNotSameAs(first);
			second.kill();
			// Down-after is 5 s in the embedded default; then the member fails over and
			// transfers resume.
			await().atMost(EVENTUALLY).until(() -> master(redis) != second);
			awaitMoreCommitted(50);
		}
		finally {
			running.set(false);
			for (Thread client : clients) {
				client.join(30_000);
			}
		}
		assertThat(this.answers.keySet()).as("statuses answered: " + this.answers).isSubsetOf(200, 409, 503);
		DocumentContext bank = JsonPath.parse(get("/bank").body());
		assertThat(bank.read("$.accounts", Integer.class)).isEqualTo(ACCOUNTS);
		assertThat(bank.read("$.total", Long.class)).isEqualTo(ACCOUNTS * BALANCE);
	}

	private int put(String key, String value) throws Exception {
		return send(HttpRequest.newBuilder(uri("/kv/" + key))
			.header("Content-Type", "text/plain")
			.PUT(HttpRequest.BodyPublishers.ofString(value))).statusCode();
	}

	private void transferAtRandom() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		int from = random.nextInt(ACCOUNTS);
		int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
		int status;
		try {
			status = post("/bank/transfer?from=" + from + "&to=" + to + "&amount=" + (1 + random.nextInt(20)))
				.statusCode();
		}
		catch (Exception ex) {
			status = -1;
		}
		this.answers.computeIfAbsent(status, (any) -> new AtomicInteger()).incrementAndGet();
	}

	private void awaitMoreCommitted(int more) {
		int before = committed();
		await().atMost(EVENTUALLY).until(() -> committed() >= before + more);
	}

	private int committed() {
		AtomicInteger count = this.answers.get(200);
		return (count != null) ? count.get() : 0;
	}

	private static RedisServerProcess master(LocalRedisGroup redis) {
		return redis.nodes()
			.stream()
			.filter((node) -> node.isAlive() && "master".equals(node.role()))
			.findFirst()
			.orElse(null);
	}

	/**
	 * Asks until the member takes the command: it refuses while it still learns the
	 * replicas' state.
	 */
	private static RedisHaMember.CommandResult started(Supplier<RedisHaMember.CommandResult> command) {
		AtomicReference<RedisHaMember.CommandResult> started = new AtomicReference<>();
		await().atMost(EVENTUALLY).pollInterval(Duration.ofMillis(200)).until(() -> {
			started.set(command.get());
			return started.get().outcome().status() == CommandOutcome.Status.STARTED;
		});
		return started.get();
	}

	private HttpResponse<String> post(String path) throws Exception {
		return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
	}

	private HttpResponse<String> get(String path) throws Exception {
		return send(HttpRequest.newBuilder(uri(path)).GET());
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return this.http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		int port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
		return URI.create("http://127.0.0.1:" + port + path);
	}

}
