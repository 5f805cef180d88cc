package io.redisha.failover;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.redisha.embedded.RedisErrorReplyException;
import io.redisha.embedded.RedisServerBinary;
import io.redisha.embedded.RedisServerOptions;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.embedded.RespClient;
import io.redisha.protocol.NodeAddress;
import io.redisha.testing.Members;

import static io.redisha.testing.Members.DOWN_AFTER;
import static io.redisha.testing.Members.EVENTUALLY;
import static io.redisha.testing.Members.address;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A master that answers {@code -LOADING} is alive: it is reloading its data set, as after
 * a reboot. The master reloads a 40 MB uncompressed RDB with {@code key-load-delay} (a
 * debugging setting of redis-server 6+), so it answers LOADING for about 3 s, longer than
 * down-after.
 */
class LoadingMasterTest {

	private static final int KEYS = 2000;

	private static final int VALUE_BYTES = 20_000;

	/**
	 * 2,000 keys x 1.5 ms: about 3 s of loading; events are served every 2 MB (100 keys).
	 */
	private static final String KEY_LOAD_DELAY_MICROS = "1500";

	@RegisterExtension
	static final FailoverScenario scenario = FailoverScenario.withReplicas(2).options(LoadingMasterTest::debuggable);

	@Test
	void masterAnsweringLoadingIsNotDown() {
		RedisServerProcess master = scenario.group().master();
		NodeAddress masterAddress = address(master);
		// Uncompressed, so the file is large enough for the server to answer clients
		// while loading it.
		master.command("CONFIG", "SET", "rdbcompression", "no");
		master.command("DEBUG", "POPULATE", Integer.toString(KEYS), "loading", Integer.toString(VALUE_BYTES));
		// The replicas' first full sync may still run a background save, which SAVE
		// refuses.
		await("a SAVE after the replicas' initial sync").atMost(EVENTUALLY)
			.pollInterval(Duration.ofMillis(50))
			.ignoreExceptionsInstanceOf(RedisErrorReplyException.class)
			.until(() -> "OK".equals(master.command("SAVE")));
		master.command("CONFIG", "SET", "key-load-delay", KEY_LOAD_DELAY_MICROS);
		Members members = scenario.startMembers(3, 2);

		RespClient patient = new RespClient(master.host(), master.port(), null, null, EVENTUALLY);
		CompletableFuture<Object> reload = CompletableFuture
			.supplyAsync(() -> patient.call("DEBUG", "RELOAD", "NOSAVE"));
		await("the master answers LOADING").atMost(EVENTUALLY)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> answersLoading(master));
		await("the members keep the loading master").during(DOWN_AFTER.multipliedBy(3).dividedBy(2))
			.atMost(DOWN_AFTER.multipliedBy(2))
			.until(() -> members.undisturbed(masterAddress));
		assertThat(answersLoading(master)).as("still loading after 1.5 x down-after").isTrue();

		await("the reload ends").atMost(EVENTUALLY).until(reload::isDone);
		assertThat(reload.join()).isEqualTo("OK");
		await("the members still keep the master").during(DOWN_AFTER)
			.atMost(DOWN_AFTER.multipliedBy(2))
			.until(() -> members.undisturbed(masterAddress));
	}

	/**
	 * Redis 7 refuses DEBUG unless enabled at start; older servers do not know the
	 * option.
	 */
	private static RedisServerOptions debuggable(RedisServerOptions options) {
		String version = RedisServerBinary.get().version();
		int major = Integer.parseInt(version.substring(0, version.indexOf('.')));
		return (major >= 7) ? options.withArgument("enable-debug-command", "local") : options;
	}

	private static boolean answersLoading(RedisServerProcess node) {
		try {
			node.command("PING");
			return false;
		}
		catch (RedisErrorReplyException ex) {
			return ex.getMessage().startsWith("LOADING");
		}
	}

}
