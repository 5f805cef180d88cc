package io.redisha.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.ReplicationInfo.Role;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link ReplicationInfo#parse(String)} on whole INFO replies of redis-server 7.0.15 (in
 * {@code src/test/resources/redis-7.0-info}: a master with two replicas pointed at it
 * with REPLICAOF and 200 keys, its replicas before and after it was killed, one of them
 * promoted, the other killed and restarted without REPLICAOF, then pointed at a master
 * that is not there; another master reloading its data set and a replica receiving it),
 * and on hostile text: INFO comes over the network.
 */
class ReplicationInfoTest {

	private static final String HISTORY = "581823bc34256e9dabf5f340ef470f05db69dfec";

	@Test
	void masterWithItsReplicas() {
		ReplicationInfo info = real("master");
		assertThat(info.role()).isEqualTo(Role.MASTER);
		assertThat(info.version()).isEqualTo("7.0.15");
		assertThat(info.runId()).isEqualTo("5531842a21452ccfa6ec3e0584ec03e9994a7344");
		assertThat(info.replicationId()).isEqualTo(HISTORY);
		assertThat(info.offset()).isEqualTo(8007);
		assertThat(info.secondReplicationId()).isEqualTo(ReplicationInfo.NO_REPLICATION_ID);
		assertThat(info.secondReplicationOffset()).isEqualTo(-1);
		assertThat(info.loading()).isFalse();
		assertThat(info.replicas()).containsExactly(
				new ReplicationInfo.ReplicaEntry(NodeAddress.parse("127.0.0.1:27302"), "online", 8007, 0),
				new ReplicationInfo.ReplicaEntry(NodeAddress.parse("127.0.0.1:27303"), "online", 8007, 1));
		assertThat(info.holds(HISTORY, 8007)).isTrue();
		assertThat(info.holds(HISTORY, 8008)).isFalse();
	}

	@Test
	void replicaInSyncAndAfterItsMasterDied() {
		ReplicationInfo up = real("replica");
		assertThat(up.role()).isEqualTo(Role.REPLICA);
		assertThat(up.master()).isEqualTo(NodeAddress.parse("127.0.0.1:27301"));
		assertThat(up.masterLinkUp()).isTrue();
		assertThat(up.masterLinkDownSeconds()).isEqualTo(-1);
		assertThat(up.neverSynced()).isFalse();
		assertThat(up.syncInProgress()).isFalse();
		assertThat(up.priority()).isEqualTo(100);
		assertThat(up.holds(HISTORY, 8007)).isTrue();
		ReplicationInfo down = real("replica-master-dead");
		assertThat(down.masterLinkUp()).isFalse();
		assertThat(down.masterLinkDownSeconds()).isEqualTo(3);
		assertThat(down.neverSynced()).as("synced before its master died").isFalse();
		assertThat(down.holds(HISTORY, 8007)).isTrue();
	}

	@Test
	void promotedReplicaKeepsTheHistoryItLeftAndTheOffsetItLeftItAt() {
		ReplicationInfo info = real("promoted-replica");
		assertThat(info.role()).isEqualTo(Role.MASTER);
		assertThat(info.replicationId()).isNotEqualTo(HISTORY);
		assertThat(info.secondReplicationId()).isEqualTo(HISTORY);
		assertThat(info.secondReplicationOffset()).isEqualTo(8008);
		assertThat(info.holds(HISTORY, 8007)).isTrue();
		assertThat(info.holds(info.replicationId(), 8007)).isTrue();
	}

	@Test
	void replicaRestartedAsAMasterLeftTheHistoryWithNothingOfIt() {
		// It reloaded the file of its first full sync, written before any key: Redis 7
		// keeps its history as the previous one, from offset 1.
		ReplicationInfo info = real("replica-restarted-as-master");
		assertThat(info.role()).isEqualTo(Role.MASTER);
		assertThat(info.runId()).isNotEqualTo(real("replica").runId());
		assertThat(info.offset()).isZero();
		assertThat(info.secondReplicationId()).isEqualTo(HISTORY);
		assertThat(info.secondReplicationOffset()).isEqualTo(1);
		assertThat(info.holds(HISTORY, 1)).as("holds any of it").isFalse();
		assertThat(info.holds(info.replicationId(), 1)).as("holds any of its own").isFalse();
	}

	@Test
	void replicaThatNeverSyncedSinceItStartedSaysSo() {
		ReplicationInfo info = real("replica-never-synced");
		assertThat(info.masterLinkUp()).isFalse();
		assertThat(info.neverSynced()).isTrue();
		assertThat(info.masterLinkDownSeconds()).isEqualTo(-1);
		assertThat(info.holds(HISTORY, 1)).isFalse();
	}

	@Test
	void loadingAndFullSync() {
		assertThat(real("master-loading").loading()).isTrue();
		ReplicationInfo replica = real("replica-in-full-sync");
		assertThat(replica.loading()).isTrue();
		assertThat(replica.syncInProgress()).isTrue();
		assertThat(replica.neverSynced()).isTrue();
	}

	@Test
	void missingFieldsOfOlderServersAreUnknownNotNeverSynced() {
		ReplicationInfo info = ReplicationInfo.parse("role:slave\nmaster_host:10.0.0.1\nmaster_port:6379\n"
				+ "master_link_status:down\nmaster_replid:" + HISTORY + "\nslave_repl_offset:50\n");
		assertThat(info.neverSynced()).isFalse();
		assertThat(info.masterLinkDownSeconds()).isEqualTo(-1);
		assertThat(info.secondReplicationId()).isEmpty();
		assertThat(info.secondReplicationOffset()).isEqualTo(-1);
		assertThat(info.holds(HISTORY, 50)).isTrue();
		assertThat(info.holds("", 0)).isFalse();
	}

	@Test
	void hostileRepliesAreRejectedWithAReason() {
		String replica = "role:slave\nmaster_host:10.0.0.1\nmaster_link_status:down\n";
		assertThatIllegalArgumentException().isThrownBy(() -> ReplicationInfo.parse(null))
			.withMessage("INFO reply is empty");
		assertThatIllegalArgumentException().isThrownBy(() -> ReplicationInfo.parse("\u0000\u00ff garbage\r\n::\r\n"))
			.withMessage("INFO reply has no field role");
		assertThatIllegalArgumentException().isThrownBy(() -> ReplicationInfo.parse("role:sentinel\n"))
			.withMessage("INFO field role has unknown value 'sentinel'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ReplicationInfo.parse(replica + "master_port:4294967297\n"))
			.withMessage("INFO field master_port is not a 32-bit number: '4294967297'");
		assertThatIllegalArgumentException().isThrownBy(() -> ReplicationInfo.parse(replica + "master_port:0\n"))
			.withMessage("INFO field master_port gives no valid address: port must be between 1 and 65535 but was 0");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ReplicationInfo.parse(replica + "master_port:6379\nmaster_link_down_since_seconds:-7\n"))
			.withMessage("INFO field master_link_down_since_seconds is negative: -7");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ReplicationInfo.parse("role:master\nsecond_repl_offset:99999999999999999999\n"))
			.withMessage("INFO field second_repl_offset is not a number: '99999999999999999999'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ReplicationInfo.parse("role:master\nslave_priority:1e9\n"))
			.withMessage("INFO field slave_priority is not a 32-bit number: '1e9'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ReplicationInfo.parse("role:master\nslave0:ip=10.0.0.2,port=99999\n"))
			.withMessage("INFO field slave0 gives no valid address: port must be between 1 and 65535 but was 99999");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ReplicationInfo.parse("role:master\nslave0:state=online\n"))
			.withMessage("INFO field slave0 has no ip or port: 'state=online'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ReplicationInfo.parse("role:master\nmaster_repl_offset:" + "9".repeat(100_000) + "\n"))
			.withMessage("INFO field master_repl_offset is not a number: '" + "9".repeat(64) + "...'");
	}

	@Test
	void anOversizedReplyIsReadUpToTheLimit() {
		String padding = "x".repeat(ReplicationInfo.MAX_LENGTH);
		assertThat(ReplicationInfo.parse("role:master\r\n" + padding + "\r\nrole:slave\r\n").role())
			.isEqualTo(Role.MASTER);
	}

	/** One of the recorded INFO replies of redis-server 7.0.15, parsed. */
	static ReplicationInfo real(String name) {
		try (InputStream in = ReplicationInfoTest.class.getResourceAsStream("/redis-7.0-info/" + name + ".txt")) {
			assertThat(in).as("resource %s", name).isNotNull();
			return ReplicationInfo.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
