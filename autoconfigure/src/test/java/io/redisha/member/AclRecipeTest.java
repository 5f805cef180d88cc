package io.redisha.member;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import io.redisha.embedded.RedisErrorReplyException;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerBinary;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.embedded.RespClient;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.GroupState;
import io.redisha.testing.Members;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The ACL recipe of docs/security.md on real Redis 7: a member runs and fails over with
 * exactly the documented rules, a missing permission is a problem naming the command, and
 * users without the channels cannot publish or subscribe there. The rules below are the
 * ones the document shows, character for character.
 */
@ExtendWith(OutputCaptureExtension.class)
class AclRecipeTest {

	/**
	 * The member's user: every command a member sends, its configuration hash, its
	 * channels.
	 */
	static final String MEMBER_RULES = "resetkeys ~__redis-ha__:* resetchannels &__redis-ha__:* -@all +ping +info "
			+ "+role +client|setname +hgetall +hget +hset +hkeys +hdel +eval +multi +exec +discard +watch +unwatch "
			+ "+replicaof +config|get +config|set +config|rewrite +client|kill +client|pause +client|unpause "
			+ "+publish +subscribe";

	/** Another application's user: its own keys and channels, none of redis-ha's. */
	static final String OTHER_APPLICATION_RULES = "resetkeys ~billing:* resetchannels &billing:* +@all -@admin "
			+ "-@dangerous";

	/**
	 * A service that follows failovers on the notification channels: it may subscribe,
	 * never publish.
	 */
	static final String NOTIFICATION_READER_RULES = "resetchannels &__redis-ha__:+switch-master "
			+ "&__redis-ha__:events -@all +ping +subscribe +unsubscribe";

	/** The default user, which has every channel unless told otherwise. */
	static final String DEFAULT_USER_RULES = "resetchannels";

	private static final String ADMIN_PASSWORD = "admin-Pa55";

	private static final String MEMBER_USER = "redis-ha";

	private static final String MEMBER_PASSWORD = "member-Pa55";

	@RegisterExtension
	static RedisGroupExtension redis = RedisGroupExtension.withReplicas(1).password(ADMIN_PASSWORD);

	private final Members members = new Members();

	@BeforeAll
	static void redis7() {
		assumeThat(RedisServerBinary.get().majorVersion()).as("ACL selectors and subcommand rules need Redis 7")
			.isGreaterThanOrEqualTo(7);
	}

	@AfterEach
	void stopMembers() {
		this.members.close();
	}

	@Test
	void theDocumentShowsTheseRules() throws IOException {
		String document = Files.readString(Path.of("..", "docs", "security.md"));
		assertThat(document).contains("ACL SETUSER redis-ha on >member-password " + MEMBER_RULES)
			.contains("ACL SETUSER billing on >billing-password " + OTHER_APPLICATION_RULES)
			.contains("ACL SETUSER failover-reader on >reader-password " + NOTIFICATION_READER_RULES)
			.contains("ACL SETUSER default " + DEFAULT_USER_RULES);
	}

	@Test
	void aMemberRunsAndFailsOverWithExactlyTheRecipe(CapturedOutput output) {
		setUser(MEMBER_USER, MEMBER_PASSWORD, MEMBER_RULES);
		RedisServerProcess master = redis.group().master();
		RedisServerProcess replica = redis.group().node(1);
		RedisHaMember member = this.members.start(1, MEMBER_USER, MEMBER_PASSWORD, UnaryOperator.identity(), master,
				replica);
		Members.awaitElectorate(List.of(member));
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> {
			GroupSnapshot snapshot = snapshot(member);
			assertThat(snapshot.state()).isEqualTo(GroupState.OK);
			assertThat(snapshot.replicas()).singleElement()
				.satisfies((node) -> assertThat(node.status()).isEqualTo(NodeStatus.UP));
		});
		// Two INFO periods: the permission probe has run on both nodes and found nothing
		// refused.
		await().during(Duration.ofSeconds(2))
			.atMost(Members.EVENTUALLY)
			.untilAsserted(() -> assertThat(member.connectionProblems(Members.GROUP)).isEmpty());

		master.kill();
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> {
			assertThat(snapshot(member).master().address()).isEqualTo(address(replica));
			assertThat(replica.role()).isEqualTo("master");
		});
		assertThat(output.getOut()).doesNotContain("NOPERM").doesNotContain("refused the MULTI block");
	}

	@Test
	void aMissingPermissionIsAProblemNamingTheCommandUntilItIsGranted() {
		setUser(MEMBER_USER, MEMBER_PASSWORD, MEMBER_RULES.replace(" +config|rewrite", ""));
		RedisServerProcess master = redis.group().master();
		RedisHaMember member = this.members.start(1, MEMBER_USER, MEMBER_PASSWORD, UnaryOperator.identity(), master,
				redis.group().node(1));
		String refusal = "CONFIG REWRITE: NOPERM this user has no permissions to run the 'config|rewrite' command";
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> {
			Members.assertNodeProblem(member, master, refusal);
			Members.assertNodeProblem(member, master, "ACL recipe");
		});
		assertThat(snapshot(member).master().address()).isEqualTo(address(master));

		setUser(MEMBER_USER, MEMBER_PASSWORD, "+config|rewrite");
		await().atMost(Members.EVENTUALLY)
			.untilAsserted(() -> assertThat(member.connectionProblems(Members.GROUP)).isEmpty());
	}

	@Test
	void usersWithoutTheChannelsCannotPublishOrSubscribeThere() {
		setUser("billing", "billing-password", OTHER_APPLICATION_RULES);
		setUser("failover-reader", "reader-password", NOTIFICATION_READER_RULES);
		setUser("default", null, DEFAULT_USER_RULES);
		RedisServerProcess master = redis.group().master();
		RespClient billing = master.client("billing", "billing-password");
		assertRefused(() -> billing.call("PUBLISH", "__redis-ha__:gossip", "redis-ha/1 hello"));
		assertRefused(() -> billing.call("SUBSCRIBE", "__redis-ha__:gossip"));
		assertRefused(() -> billing.call("PSUBSCRIBE", "__redis-ha__:*"));
		assertRefused(() -> billing.call("HSET", "__redis-ha__:config:" + Members.GROUP, "master", "evil:6379"));
		assertThat(billing.call("PUBLISH", "billing:news", "hello")).isEqualTo(0L);

		RespClient reader = master.client("failover-reader", "reader-password");
		assertThat(reader.call("SUBSCRIBE", "__redis-ha__:+switch-master"))
			.isEqualTo(List.of("subscribe", "__redis-ha__:+switch-master", 1L));
		assertRefused(() -> reader.call("PUBLISH", "__redis-ha__:+switch-master", "orders 1 2 3 4"));
		assertRefused(() -> reader.call("SUBSCRIBE", "__redis-ha__:gossip"));

		RespClient anyone = master.client(null, ADMIN_PASSWORD);
		assertRefused(() -> anyone.call("PUBLISH", "__redis-ha__:gossip", "redis-ha/1 hello"));
	}

	private static void assertRefused(Runnable command) {
		assertThatExceptionOfType(RedisErrorReplyException.class).isThrownBy(command::run)
			.withMessageStartingWith("NOPERM");
	}

	/** {@code ACL SETUSER} on every node, as the default (administrator) user. */
	private static void setUser(String user, String password, String rules) {
		List<String> command = new ArrayList<>(List.of("ACL", "SETUSER", user));
		if (password != null) {
			command.addAll(List.of("on", ">" + password));
		}
		command.addAll(List.of(rules.split(" ")));
		for (RedisServerProcess node : redis.group().nodes()) {
			node.command(command.toArray(String[]::new));
		}
	}

}
