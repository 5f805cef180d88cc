package io.redisha.member;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.embedded.TcpProxy;
import io.redisha.member.RedisHaMember.CommandResult;
import io.redisha.protocol.CommandOutcome;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.PartitionMode;
import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.GroupState;
import io.redisha.protocol.NodeAddress;
import io.redisha.testing.Members;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.memberIds;
import static io.redisha.testing.Members.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Operator commands of members against real Redis: switchover, forced failover, pause and
 * resume, forget.
 */
class MemberOperationsTest {

	private static final Duration COMMAND = Duration.ofSeconds(5);

	@RegisterExtension
	final RedisGroupExtension redis = RedisGroupExtension.withReplicas(2);

	private final Members members = new Members();

	@AfterEach
	void stopMembers() {
		this.members.close();
	}

	private List<RedisHaMember> threeMembers() {
		LocalRedisGroup group = this.redis.group();
		List<RedisHaMember> three = List.of(this.members.start(2, group.master()),
				this.members.start(2, group.master()), this.members.start(2, group.master()));
		awaitSettled(three, address(group.master()));
		return three;
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
				assertThat(snapshot.state()).isEqualTo(GroupState.OK);
				assertThat(snapshot.members()).hasSize(members.size());
				assertThat(snapshot.replicas()).hasSize(2)
					.allSatisfy((replica) -> assertThat(replica.linkStatus()).isEqualTo("up"));
			}));
		await().atMost(Members.EVENTUALLY)
			.until(() -> members.stream().noneMatch((member) -> snapshot(member).startingUp()));
		Members.awaitElectorate(members);
	}

	private static FailoverSnapshot finished(CommandResult result) throws Exception {
		assertThat(result.outcome().status()).as(result.outcome().message()).isEqualTo(CommandOutcome.Status.STARTED);
		return result.finished().get(30, java.util.concurrent.TimeUnit.SECONDS);
	}

	@Test
	void switchoverUnderAConcurrentWriterLosesNoAcknowledgedWriteAndMovesTheMaster() throws Exception {
		List<RedisHaMember> three = threeMembers();
		LocalRedisGroup group = this.redis.group();
		RedisServerProcess oldMaster = group.master();
		Set<String> acknowledged = ConcurrentHashMap.newKeySet();
		AtomicBoolean writing = new AtomicBoolean(true);
		RedisHaMember writerView = three.get(1);
		Thread writer = new Thread(() -> {
			for (int i = 0; writing.get(); i++) {
				String key = "k" + i;
				try {
					int port = snapshot(writerView).master().address().port();
					if ("OK".equals(group.nodeOnPort(port).command("SET", key, Integer.toString(i)))) {
						acknowledged.add(key);
					}
				}
				catch (RuntimeException ex) {
					// READONLY from the demoted master or a timeout during the pause: not
					// acknowledged.
				}
			}
		});
		writer.start();
		await().atMost(Members.EVENTUALLY).until(() -> acknowledged.size() > 200);
		FailoverSnapshot switchover = finished(
				three.get(0).switchover(Members.GROUP, null, Duration.ofSeconds(5), COMMAND));
		int before = acknowledged.size();
		await().atMost(Members.EVENTUALLY).until(() -> acknowledged.size() > before + 200);
		writing.set(false);
		writer.join();
		assertThat(switchover.succeeded()).as(switchover.result()).isTrue();
		assertThat(switchover.trigger()).isEqualTo(GroupSnapshot.Trigger.SWITCHOVER);
		assertThat(switchover.writesAtRiskBytes()).isZero();
		NodeAddress newMaster = switchover.newMaster();
		assertThat(newMaster).isNotEqualTo(address(oldMaster));
		RedisServerProcess promoted = group.nodeOnPort(newMaster.port());
		assertThat(promoted.role()).isEqualTo("master");
		await().atMost(Members.EVENTUALLY)
			.untilAsserted(() -> assertThat(three)
				.allSatisfy((member) -> assertThat(snapshot(member).master().address()).isEqualTo(newMaster)));
		long lost = acknowledged.stream().filter((key) -> promoted.command("GET", key) == null).count();
		System.out.println("switchover: " + acknowledged.size() + " acknowledged writes, " + lost + " lost");
		assertThat(lost).isZero();
		await().atMost(Members.EVENTUALLY).until(() -> oldMaster.role().equals("slave"));
	}

	@Test
	void switchoverToAReplicaThatCannotCatchUpIsRefusedAndChangesNothing() throws Exception {
		List<RedisHaMember> three = threeMembers();
		LocalRedisGroup group = this.redis.group();
		RedisServerProcess master = group.master();
		RedisServerProcess target = group.replicas().get(0);
		target.pause();
		try {
			master.command("SET", "behind", "the target");
			CommandResult result = three.get(0)
				.switchover(Members.GROUP, address(target), Duration.ofMillis(300), COMMAND);
			FailoverSnapshot switchover = finished(result);
			assertThat(switchover.succeeded()).isFalse();
			assertThat(switchover.result()).contains("did not catch up");
		}
		finally {
			target.resume();
		}
		assertThat(master.role()).isEqualTo("master");
		assertThat(master.command("SET", "still", "writable")).isEqualTo("OK");
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> assertThat(three).allSatisfy((member) -> {
			assertThat(snapshot(member).master().address()).isEqualTo(address(master));
			assertThat(snapshot(member).state()).isEqualTo(GroupState.OK);
		}));
		assertThat(target.role()).isEqualTo("slave");
	}

	@Test
	void inConsistentModeAForcedFailoverOfAHealthyMasterIsRefusedAndNamesTheSwitchover() {
		List<RedisHaMember> three = threeMembers();
		CommandResult refused = three.get(2).failover(Members.GROUP, COMMAND);
		assertThat(refused.outcome().status()).isEqualTo(CommandOutcome.Status.REFUSED);
		assertThat(refused.outcome().message()).contains("streaming from a live master", "switchover");
		assertThat(this.redis.group().master().role()).isEqualTo("master");
	}

	@Test
	void inAvailableModeAForcedFailoverOfAHealthyMasterPromotesAReplicaAndRepointsTheOldMaster() throws Exception {
		this.members.partitionMode(PartitionMode.AVAILABLE);
		List<RedisHaMember> three = threeMembers();
		RedisServerProcess oldMaster = this.redis.group().master();
		// Asked again until the replicas are eligible (synced, their INFO fresh): a
		// refusal
		// changes nothing.
		CommandResult accepted = await().atMost(Members.EVENTUALLY)
			.until(() -> three.get(2).failover(Members.GROUP, COMMAND),
					(result) -> result.outcome().status() == CommandOutcome.Status.STARTED);
		FailoverSnapshot failover = finished(accepted);
		assertThat(failover.succeeded()).as(failover.result()).isTrue();
		assertThat(failover.trigger()).isEqualTo(GroupSnapshot.Trigger.FORCED);
		assertThat(failover.leader()).isEqualTo(three.get(2).identity().id());
		RedisServerProcess promoted = this.redis.group().nodeOnPort(failover.newMaster().port());
		assertThat(promoted.role()).isEqualTo("master");
		await().atMost(Members.EVENTUALLY).until(() -> oldMaster.role().equals("slave"));
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> assertThat(three).allSatisfy((member) -> {
			assertThat(snapshot(member).master().address()).isEqualTo(failover.newMaster());
			assertThat(snapshot(member).configEpoch()).isEqualTo(failover.epoch());
		}));
		// Right after a failover the replicas are still resyncing: a second one is
		// refused until one is eligible.
		CommandResult[] started = new CommandResult[1];
		await().atMost(Members.EVENTUALLY).until(() -> {
			started[0] = three.get(0).failover(Members.GROUP, COMMAND);
			return started[0].outcome().status() == CommandOutcome.Status.STARTED;
		});
		CommandResult again = started[0];
		CommandResult meanwhile = three.get(0).failover(Members.GROUP, COMMAND);
		assertThat(meanwhile.outcome().status()).isEqualTo(CommandOutcome.Status.CONFLICT);
		assertThat(meanwhile.outcome().message()).contains("in progress");
		assertThat(finished(again).succeeded()).isTrue();
	}

	@Test
	void pausedGroupDoesNotFailOverAndResumingOnAnotherMemberFailsOver() {
		List<RedisHaMember> three = threeMembers();
		RedisServerProcess oldMaster = this.redis.group().master();
		String pausedBy = three.get(0).identity().id();
		assertThat(three.get(0).pause(Members.GROUP, COMMAND).outcome().status()).isEqualTo(CommandOutcome.Status.DONE);
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> assertThat(three).allSatisfy((member) -> {
			assertThat(snapshot(member).state()).isEqualTo(GroupState.PAUSED);
			assertThat(snapshot(member).pause().by()).isEqualTo(pausedBy);
		}));
		oldMaster.kill();
		await().during(Members.DOWN_AFTER.multipliedBy(3))
			.atMost(Members.DOWN_AFTER.multipliedBy(3).plusSeconds(2))
			.until(() -> three.stream()
				.allMatch((member) -> snapshot(member).master().address().equals(address(oldMaster))
						&& snapshot(member).history().isEmpty()));
		assertThat(three.get(1).resume(Members.GROUP, COMMAND).outcome().status())
			.isEqualTo(CommandOutcome.Status.DONE);
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> assertThat(three).allSatisfy((member) -> {
			assertThat(snapshot(member).master().address()).isNotEqualTo(address(oldMaster));
			assertThat(snapshot(member).pause()).isNull();
		}));
	}

	@Test
	void forgetDropsAVanishedMemberAndARemovedReplicaAtOnce() {
		LocalRedisGroup group = this.redis.group();
		Map<NodeAddress, TcpProxy> proxies = new HashMap<>();
		for (RedisServerProcess node : group.nodes()) {
			proxies.put(address(node), this.redis.proxyTo(node));
		}
		UnaryOperator<NodeAddress> viaProxy = (node) -> {
			TcpProxy proxy = proxies.get(node);
			return (proxy != null) ? new NodeAddress(proxy.host(), proxy.port()) : node;
		};
		RedisHaMember vanishing = this.members.start(1, null, null, viaProxy, group.master());
		RedisHaMember operator = this.members.start(1, group.master());
		String vanishingId = vanishing.identity().id();
		await().atMost(Members.EVENTUALLY).until(() -> memberIds(operator).contains(vanishingId));
		proxies.values().forEach(TcpProxy::cut);
		// Its goodbye goes into the cut proxies: to the others it simply vanishes.
		vanishing.stop();
		// Silent for longer than a hello period: nothing of it is in flight any more.
		await().atMost(Members.EVENTUALLY)
			.until(() -> snapshot(operator).members()
				.stream()
				.anyMatch((member) -> member.id().equals(vanishingId)
						&& member.lastSeenMs() > Members.HELLO_PERIOD.toMillis() + 500));
		assertThat(operator.forgetMember(Members.GROUP, vanishingId, COMMAND).outcome().status())
			.isEqualTo(CommandOutcome.Status.DONE);
		assertThat(memberIds(operator)).doesNotContain(vanishingId).hasSize(1);
		assertThat(operator.forgetMember(Members.GROUP, "nobody", COMMAND).outcome().status())
			.isEqualTo(CommandOutcome.Status.REFUSED);

		RedisServerProcess removed = group.replicas().get(1);
		removed.kill();
		await().atMost(Members.EVENTUALLY)
			.until(() -> snapshot(operator).replicas()
				.stream()
				.anyMatch((node) -> node.address().equals(address(removed))
						&& node.status() == GroupSnapshot.NodeStatus.DOWN));
		assertThat(operator.forgetNode(Members.GROUP, address(removed), COMMAND).outcome().status())
			.isEqualTo(CommandOutcome.Status.DONE);
		await().during(Duration.ofSeconds(2))
			.atMost(Duration.ofSeconds(3))
			.until(() -> snapshot(operator).replicas()
				.stream()
				.noneMatch((node) -> node.address().equals(address(removed))));
		assertThat(operator.forgetNode(Members.GROUP, address(group.master()), COMMAND).outcome().message())
			.contains("is the master");
	}

}
