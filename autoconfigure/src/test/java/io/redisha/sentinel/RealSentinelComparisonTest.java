package io.redisha.sentinel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerBinary;
import io.redisha.embedded.RedisServerOptions;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.testing.Members;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.redisha.testing.Members.EVENTUALLY;
import static io.redisha.testing.Members.GROUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Redis Sentinel ({@code redis-server --sentinel}) and the endpoint, monitoring
 * the same master and replicas, asked the same commands in RESP3 and back in RESP2: their
 * replies have the same shape (each reply's types, sizes, simple strings and errors, with
 * the bulk strings' values left out, since the two tell other versions, ids and ages),
 * and {@code redis-cli -3} reads the same field names off both.
 */
class RealSentinelComparisonTest {

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(2);

	private static final Duration QUIET = Duration.ofMillis(300);

	private static final String SUBSCRIBED_CONTEXT_ERROR = "-ERR Can't execute '";

	@Test
	void repliesHaveTheShapeOfARealSentinels() {
		RedisServerProcess master = redis.group().master();
		RedisServerProcess sentinel = redis.startServer(RedisServerOptions.defaults()
			.withArgument("sentinel", "monitor", GROUP, master.host(), Integer.toString(master.port()), "2"));
		try (Members members = Members.startApplications(redis.group(), 3).awaitReady();
				Wire real = new Wire(sentinel.port());
				Wire ours = new Wire(members.port(0))) {
			await("the real Sentinel found both replicas").atMost(EVENTUALLY)
				.until(() -> real.send("SENTINEL", "replicas", GROUP).rest(QUIET).startsWith("*2\r\n"));
			List<List<String>> commands = List.of(List.of("HELLO", "3"),
					List.of("SENTINEL", "get-master-addr-by-name", GROUP),
					List.of("SENTINEL", "get-master-addr-by-name", "unknown"), List.of("SENTINEL", "master", GROUP),
					List.of("SENTINEL", "masters"), List.of("SENTINEL", "replicas", GROUP),
					List.of("SENTINEL", "master", "unknown"), List.of("SENTINEL", "myid"), List.of("CLIENT", "GETNAME"),
					List.of("CLIENT", "ID"), List.of("ROLE"), List.of("PING"), List.of("UNSUBSCRIBE"),
					List.of("SUBSCRIBE", "+switch-master"), List.of("PSUBSCRIBE", "+switch-*"), List.of("PING"),
					List.of("SENTINEL", "get-master-addr-by-name", GROUP), List.of("HELLO", "2"), List.of("PING"),
					List.of("SENTINEL", "masters"), List.of("UNSUBSCRIBE"), List.of("PUNSUBSCRIBE"),
					List.of("CLIENT", "GETNAME"), List.of("SENTINEL", "get-master-addr-by-name", "unknown"),
					List.of("HELLO", "4"));
			for (List<String> command : commands) {
				String[] words = command.toArray(String[]::new);
				assertThat(shape(ours.send(words).rest(QUIET))).as("%s", command)
					.isEqualTo(shape(real.send(words).rest(QUIET)));
			}
			Path cli = ClientProcess.redisCli();
			Assumptions.assumeTrue(cli != null, "no redis-cli next to " + RedisServerBinary.get().path()
					+ ": the field names are not compared through redis-cli");
			for (String[] command : new String[][] { { "SENTINEL", "master", GROUP }, { "SENTINEL", "masters" },
					{ "SENTINEL", "replicas", GROUP } }) {
				assertThat(fieldNames(cli, members.port(0), command)).as("%s", List.of(command))
					.isEqualTo(fieldNames(cli, sentinel.port(), command))
					.contains("name", "ip", "port", "flags");
			}
		}
	}

	/**
	 * A reply's lines, but a bulk string's value and an integer's: {@code %20},
	 * {@code $}, {@code :}, {@code _}, {@code +PONG}, {@code -ERR ...}. The error a
	 * subscribed connection gets for another command names the command and the allowed
	 * ones in the words of the Redis version (7 writes {@code 'sentinel|masters'} and
	 * {@code (P|S)SUBSCRIBE}, 6 {@code 'sentinel'} and {@code (P)SUBSCRIBE}); the
	 * endpoint answers in Redis 7's: only its start is compared.
	 */
	private static List<String> shape(String reply) {
		List<String> shape = new ArrayList<>();
		String[] lines = reply.split("\r\n", -1);
		for (int i = 0; i < lines.length; i++) {
			String line = lines[i];
			if (line.startsWith("$") && !line.equals("$-1")) {
				shape.add("$");
				i++;
			}
			else if (line.startsWith(SUBSCRIBED_CONTEXT_ERROR)) {
				shape.add(SUBSCRIBED_CONTEXT_ERROR);
			}
			else {
				shape.add(line.startsWith(":") ? ":" : line);
			}
		}
		return shape;
	}

	/**
	 * The first word of each line {@code redis-cli -3} prints: a map's entry prints as
	 * {@code name value}.
	 */
	private static List<String> fieldNames(Path cli, int port, String... command) {
		List<String> arguments = new ArrayList<>(List.of(cli.toString(), "-3", "-p", Integer.toString(port)));
		arguments.addAll(List.of(command));
		return ClientProcess.run(arguments).stream().map((line) -> line.split(" ", 2)[0]).toList();
	}

}
