package io.redisha.embedded;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.awaitility.Awaitility.await;

class PartitionableRedisGroupTest {

	/**
	 * How long a test of this module waits for an outcome before it gives up: an upper
	 * bound on "eventually", never a speed claim.
	 */
	static final Duration EVENTUALLY = Duration.ofSeconds(60);

	private PartitionableRedisGroup group;

	@BeforeEach
	void start() {
		this.group = PartitionableRedisGroup.start(2, RedisServerOptions.defaults());
	}

	@AfterEach
	void close() {
		this.group.close();
	}

	@Test
	void nodesAreKnownByTheirFrontsOnBothEndsOfReplication() {
		String master = this.group.address("N0");
		assertThat(this.group.node("N1").info("replication")).containsEntry("master_link_status", "up")
			.containsEntry("master_host", "127.0.0.1")
			.containsEntry("master_port", port(master));
		assertThat(this.group.node("N0").info("replication").values())
			.anyMatch((slave) -> slave.contains("port=" + port(this.group.address("N1")) + ","))
			.anyMatch((slave) -> slave.contains("port=" + port(this.group.address("N2")) + ","));
		assertThat(this.group.nameAt(master)).isEqualTo("N0");
	}

	@Test
	void partitionCutsReplicationBetweenTheSidesOnlyUntilHealed() {
		this.group.partition(Set.of("N0", "N1"), Set.of("N2"));
		awaitLink("N2", "down");
		this.group.node("N0").command("SET", "during", "cut");
		await().atMost(EVENTUALLY).until(() -> "cut".equals(this.group.node("N1").command("GET", "during")));
		assertThat(this.group.node("N2").command("GET", "during")).isNull();

		this.group.heal();

		awaitLink("N2", "up");
		await().atMost(EVENTUALLY).until(() -> "cut".equals(this.group.node("N2").command("GET", "during")));
	}

	@Test
	void replicaRepointedByAddressStillReplicatesThroughTheFront() {
		this.group.node("N2").replicaOf(this.group.address("N1"));
		awaitLink("N2", "up");

		this.group.partition(Set.of("N1"), Set.of("N2"));

		awaitLink("N2", "down");
		assertThat(replication("N1")).containsEntry("connected_slaves", "0");
	}

	@Test
	void clientIsCutFromTheNodesOfTheOtherSideAndAClientAddedOnItsSideToo() {
		UnaryOperator<String> route = this.group.addClient("c");
		assertThat(ping(route, "N0")).isEqualTo("PONG");

		this.group.partition(Set.of("c", "N1"), Set.of("N0"));
		UnaryOperator<String> restarted = this.group.addClient("c2", "c");

		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> ping(route, "N0"));
		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> ping(restarted, "N0"));
		assertThat(ping(route, "N1")).isEqualTo("PONG");
		assertThat(ping(restarted, "N2")).isEqualTo("PONG");

		this.group.heal();

		assertThat(ping(route, "N0")).isEqualTo("PONG");
		assertThat(ping(restarted, "N0")).isEqualTo("PONG");
	}

	@Test
	void isolatedClientReachesNoNode() {
		UnaryOperator<String> route = this.group.addClient("c");

		this.group.isolate("c");

		for (String node : this.group.nodeNames()) {
			assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> ping(route, node));
		}
		assertThat(replication("N1")).containsEntry("master_link_status", "up");
	}

	@Test
	void peerIsCutFromTheNodesAndClientsOfTheOtherSideUntilHealed() {
		assumeTrue(RedisServerBinary.get().majorVersion() >= 7, "CONFIG SET bind-source-addr needs Redis 7");
		UnaryOperator<String> route = this.group.addClient("c");
		try (RedisServerProcess watcher = RedisServerProcess.start()) {
			PartitionableRedisGroup.Peer peer = this.group.addPeer("P", watcher.port());
			watcher.command("CONFIG", "SET", "bind-source-addr", peer.source());
			// Stands for a Sentinel's links to the master: a connection from the peer's
			// source to N0's front.
			watcher.replicaOf(this.group.address("N0"));
			await().atMost(EVENTUALLY).until(() -> "up".equals(watcher.info("replication").get("master_link_status")));
			String reached = route.apply(peer.front().address());
			assertThat(call(reached, "PING")).isEqualTo("PONG");

			this.group.partition(Set.of("P"), Set.of("N0", "c"));

			await().atMost(EVENTUALLY)
				.until(() -> "down".equals(watcher.info("replication").get("master_link_status")));
			assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> call(reached, "PING"));

			this.group.heal();

			await().atMost(EVENTUALLY).until(() -> "up".equals(watcher.info("replication").get("master_link_status")));
			assertThat(call(reached, "PING")).isEqualTo("PONG");
		}
	}

	private Object ping(UnaryOperator<String> route, String node) {
		return call(route.apply(this.group.address(node)), "PING");
	}

	private static Object call(String address, String... command) {
		return new RespClient("127.0.0.1", Integer.parseInt(port(address)), null, null, Duration.ofMillis(500))
			.call(command);
	}

	private void awaitLink(String replica, String status) {
		await(replica + " link " + status).atMost(EVENTUALLY)
			.until(() -> status.equals(replication(replica).get("master_link_status")));
	}

	private Map<String, String> replication(String node) {
		return this.group.node(node).info("replication");
	}

	private static String port(String address) {
		return address.substring(address.lastIndexOf(':') + 1);
	}

}
