package io.redisha.member;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.embedded.TcpProxy;
import io.redisha.member.RedisHaMember.CommandResult;
import io.redisha.protocol.CommandOutcome;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.NodeAddress;
import io.redisha.testing.Members;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A switchover whose demotion reaches the master only after the master's write pause
 * expired, as a GC pause of the leader or a retransmission would delay it: the leader
 * reaches the master through a proxy that holds the demotion. A writer goes on writing,
 * so writes are acknowledged after the pause; the target is frozen meanwhile, so it lacks
 * them. None may be lost, whether the demotion's reply arrives late or times out (then
 * the leader asks the node).
 */
class SwitchoverLateDemotionTest {

	/**
	 * Large enough that the writes acknowledged after the pause outgrow the sockets'
	 * buffers.
	 */
	private static final String VALUE = "v".repeat(64 * 1024);

	private static final int SLIPPED_WRITES = 200;

	@RegisterExtension
	final RedisGroupExtension redis = RedisGroupExtension.withReplicas(2);

	private final Members members = new Members();

	@AfterEach
	void stopMembers() {
		this.members.close();
	}

	@ParameterizedTest(name = "leader's command timeout {0} ms")
	@ValueSource(longs = { 10_000, 1_000 })
	void writesAcknowledgedAfterThePauseExpiredBeforeTheDemotionAreNotLost(long commandTimeoutMillis) throws Exception {
		LocalRedisGroup group = this.redis.group();
		RedisServerProcess oldMaster = group.master();
		RedisServerProcess target = group.replicas().get(0);
		TcpProxy delaying = this.redis.proxyTo(oldMaster);
		NodeAddress viaProxy = new NodeAddress(delaying.host(), delaying.port());
		RedisHaMember leader = this.members.start(2, Duration.ofMillis(commandTimeoutMillis),
				(node) -> node.equals(address(oldMaster)) ? viaProxy : node, oldMaster);
		List<RedisHaMember> three = List.of(leader, this.members.start(2, oldMaster), this.members.start(2, oldMaster));
		awaitSettled(three, address(oldMaster));
		Members.awaitElectorate(three);
		Writer writer = new Writer(group, three.get(1));
		writer.start();
		await().atMost(Members.EVENTUALLY).until(() -> writer.acknowledged.size() > 20);

		delaying.holdFrom("REPLICAOF");
		// The voters' last change of the start-up may still be under way: the request
		// waits for the calm group.
		CommandResult[] started = new CommandResult[1];
		await().atMost(Members.EVENTUALLY).until(() -> {
			started[0] = leader.switchover(Members.GROUP, address(target), Duration.ofMillis(500),
					Duration.ofSeconds(5));
			return started[0].outcome().status() != CommandOutcome.Status.CONFLICT;
		});
		CommandResult result = started[0];
		assertThat(result.outcome().status()).as(result.outcome().message()).isEqualTo(CommandOutcome.Status.STARTED);
		await().atMost(Members.EVENTUALLY).until(delaying::isHolding);
		target.pause();
		int paused = writer.acknowledged.size();
		// Writes are acknowledged again: the pause expired while the demotion waits in
		// the proxy.
		await().atMost(Members.EVENTUALLY).until(() -> writer.acknowledged.size() > paused + SLIPPED_WRITES);
		delaying.release();
		await().atMost(Members.EVENTUALLY).until(() -> !"master".equals(oldMaster.role()));
		target.resume();
		FailoverSnapshot switchover = result.finished().get(Members.EVENTUALLY.toSeconds(), TimeUnit.SECONDS);
		writer.stop();

		NodeAddress master = awaitOneMaster(three, group);
		RedisServerProcess serving = group.nodeOnPort(master.port());
		long lost = writer.acknowledged.stream().filter((key) -> serving.command("EXISTS", key).equals(0L)).count();
		System.out.println("late demotion: " + switchover.result() + ", steps " + switchover.steps() + "; "
				+ writer.acknowledged.size() + " acknowledged writes, " + lost + " lost, master " + master);
		assertThat(lost).isZero();
	}

	/**
	 * Every member sees every member, the master up and two replicas linked; quiet
	 * periods are over.
	 */
	private static void awaitSettled(List<RedisHaMember> members, NodeAddress master) {
		await().atMost(Members.EVENTUALLY)
			.ignoreExceptions()
			.untilAsserted(() -> assertThat(members).allSatisfy((member) -> {
				GroupSnapshot snapshot = snapshot(member);
				assertThat(snapshot.master().address()).isEqualTo(master);
				assertThat(snapshot.members()).hasSize(members.size());
				assertThat(snapshot.replicas()).hasSize(2)
					.allSatisfy((replica) -> assertThat(replica.linkStatus()).isEqualTo("up"));
			}));
		await().atMost(Members.EVENTUALLY)
			.until(() -> members.stream().noneMatch((member) -> snapshot(member).startingUp()));
	}

	/** The master every member names, once it is the only node with role master. */
	private static NodeAddress awaitOneMaster(List<RedisHaMember> members, LocalRedisGroup group) {
		NodeAddress[] master = new NodeAddress[1];
		await().atMost(Members.EVENTUALLY).ignoreExceptions().untilAsserted(() -> {
			master[0] = snapshot(members.get(0)).master().address();
			assertThat(members)
				.allSatisfy((member) -> assertThat(snapshot(member).master().address()).isEqualTo(master[0]));
			assertThat(group.nodes()).allSatisfy((node) -> assertThat(node.role())
				.isEqualTo((node.port() == master[0].port()) ? "master" : "slave"));
		});
		return master[0];
	}

	/**
	 * Writes large values, one at a time, to the master a member names; remembers what
	 * was acknowledged.
	 */
	private static final class Writer {

		final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

		private final AtomicBoolean writing = new AtomicBoolean(true);

		private final Thread thread;

		Writer(LocalRedisGroup group, RedisHaMember view) {
			this.thread = new Thread(() -> {
				for (int i = 0; this.writing.get(); i++) {
					String key = "k" + i;
					try {
						int port = snapshot(view).master().address().port();
						if ("OK".equals(group.nodeOnPort(port).command("SET", key, VALUE))) {
							this.acknowledged.add(key);
						}
					}
					catch (RuntimeException ex) {
						// READONLY from a demoted master, a killed connection, a timeout:
						// not acknowledged.
					}
				}
			}, "late-demotion-writer");
		}

		void start() {
			this.thread.start();
		}

		void stop() throws InterruptedException {
			this.writing.set(false);
			this.thread.join();
		}

	}

}
