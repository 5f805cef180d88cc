package io.redisha.redis;

import java.util.List;

import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.Reply;
import io.redisha.protocol.StoredConfiguration;
import io.redisha.protocol.RoleInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replies in the shapes real servers send and in shapes they must never crash us with.
 */
class RepliesTest {

	@Test
	void roleOfMasterAndReplica() {
		assertThat(Replies.role(List.of("master", 3129L, List.of(List.of("127.0.0.1", "6380", "3129")))))
			.isEqualTo(new Reply.Role(new RoleInfo(true, 3129, null)));
		assertThat(Replies.role(List.of("slave", "10.0.0.1", 6379L, "connected", 3129L)))
			.isEqualTo(new Reply.Role(new RoleInfo(false, 3129, new NodeAddress("10.0.0.1", 6379))));
	}

	@Test
	void malformedRoleSaysWhatWasWrong() {
		assertThat(Replies.role(List.of())).isEqualTo(new Reply.Failed("malformed ROLE reply: []"));
		assertThat(Replies.role(List.of("sentinel", List.of("orders"))))
			.isEqualTo(new Reply.Failed("ROLE reply names role 'sentinel', not master or replica"));
		assertThat(Replies.role(List.of("slave", "10.0.0.1", "port", "connected", 1L))).isEqualTo(new Reply.Failed(
				"malformed ROLE reply [slave, 10.0.0.1, port, connected, 1]: element 2 is not a number: 'port'"));
		assertThat(Replies.role(List.of("slave", "10.0.0.1"))).isInstanceOfSatisfying(Reply.Failed.class,
				(failed) -> assertThat(failed.reason()).startsWith("malformed ROLE reply"));
	}

	@Test
	void malformedInfoSaysWhatWasWrong() {
		assertThat(Replies.info("# Replication\r\nconnected_slaves:0\r\n", StoredConfiguration.NONE))
			.isEqualTo(new Reply.Failed("malformed INFO reply: INFO reply has no field role"));
		assertThat(Replies.info("role:master\r\nmaster_repl_offset:many\r\n", StoredConfiguration.NONE))
			.isEqualTo(new Reply.Failed("malformed INFO reply: INFO field master_repl_offset is not a number: 'many'"));
	}

	@Test
	void serversFromRedis7TakeSeveralInfoSections() {
		assertThat(Replies.takesInfoSections("6.2.14")).isFalse();
		assertThat(Replies.takesInfoSections("7.0.15")).isTrue();
		assertThat(Replies.takesInfoSections("10.0.0")).isTrue();
		assertThat(Replies.takesInfoSections("")).isFalse();
	}

}
