package io.redisha.connection;

import java.util.List;

import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.GroupState;
import io.redisha.protocol.NodeAddress;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which nodes read routing may read from, in a member's picture of the group.
 */
class ReadableReplicasTest {

	private static final NodeAddress OLD_MASTER = new NodeAddress("127.0.0.1", 7000);

	private static final NodeAddress NEW_MASTER = new NodeAddress("127.0.0.1", 7001);

	private static final NodeAddress REPLICA = new NodeAddress("127.0.0.1", 7002);

	@Test
	void aReplicaStreamingFromTheMasterIsRead() {
		assertThat(ReadableReplicas.of(group(replica(REPLICA, NEW_MASTER, "up", NodeStatus.UP))))
			.containsExactly(REPLICA);
	}

	/**
	 * Right after a failover a replica's last INFO may still show its link up to the old
	 * master (a paused master keeps the link up until repl-timeout). Counting it readable
	 * then would let the factory's discovery, run before the replica follows the new
	 * master, miss it; and with nothing changing afterwards, reads would never reach it.
	 */
	@Test
	void aReplicaWhoseInfoStillNamesTheOldMasterIsNotReadYet() {
		assertThat(ReadableReplicas.of(group(replica(REPLICA, OLD_MASTER, "up", NodeStatus.UP)))).isEmpty();
	}

	@Test
	void aReplicaWithItsLinkDownOrItselfDownIsNotRead() {
		assertThat(ReadableReplicas.of(group(replica(REPLICA, NEW_MASTER, "down", NodeStatus.UP)))).isEmpty();
		assertThat(ReadableReplicas.of(group(replica(REPLICA, NEW_MASTER, "up", NodeStatus.DOWN)))).isEmpty();
	}

	@Test
	void aNodeAnsweringAsMasterIsNeverReadFrom() {
		NodeSnapshot resumedOldMaster = new NodeSnapshot(OLD_MASTER, "master", NodeStatus.UP, "run", 10, -1, null, null,
				100, 0);
		assertThat(ReadableReplicas.of(group(resumedOldMaster))).isEmpty();
	}

	@Test
	void nothingIsReadWithoutAMaster() {
		assertThat(ReadableReplicas.of(null)).isEmpty();
		assertThat(ReadableReplicas.of(new GroupSnapshot("g", GroupState.OK, 1, 1, 1, null,
				List.of(replica(REPLICA, NEW_MASTER, "up", NodeStatus.UP)), List.of(), 0, null)))
			.isEmpty();
	}

	private static GroupSnapshot group(NodeSnapshot replica) {
		NodeSnapshot master = new NodeSnapshot(NEW_MASTER, "master", NodeStatus.UP, "run", 10, -1, null, null, 100, 0);
		return new GroupSnapshot("g", GroupState.OK, 1, 1, 1, master, List.of(replica), List.of(), 0, null);
	}

	private static NodeSnapshot replica(NodeAddress address, NodeAddress following, String link, NodeStatus status) {
		return new NodeSnapshot(address, "replica", status, "run", 10, 0, link, following, 100, 0);
	}

}
