package io.redisha.member;

import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.redisha.actuate.RedisHaMetrics;
import io.redisha.embedded.LocalRedisGroup;
import io.redisha.embedded.RedisGroupExtension;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.GossipRejection;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.GroupState;
import io.redisha.testing.Members;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.redisha.testing.Members.address;
import static io.redisha.testing.Members.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every redis.ha meter and the failover history, after a real failover of three members.
 */
class MemberMetricsTest {

	@RegisterExtension
	final RedisGroupExtension redis = RedisGroupExtension.withReplicas(2);

	private final Members members = new Members();

	@AfterEach
	void stopMembers() {
		this.members.close();
	}

	@Test
	void everyMeterExistsWithItsTagsAfterAFailoverAndTheLeaderRecordsIt() {
		LocalRedisGroup group = this.redis.group();
		List<RedisHaMember> three = List.of(this.members.start(2, group.master()),
				this.members.start(2, group.master()), this.members.start(2, group.master()));
		List<MeterRegistry> registries = three.stream().map(MemberMetricsTest::bind).toList();
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> assertThat(three).allSatisfy((member) -> {
			GroupSnapshot snapshot = snapshot(member);
			assertThat(snapshot.members()).hasSize(3);
			assertThat(snapshot.replicas()).hasSize(2)
				.allSatisfy((replica) -> assertThat(replica.lag()).isNotNegative());
		}));
		Members.awaitElectorate(three);
		RedisServerProcess oldMaster = group.master();
		oldMaster.kill();
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> assertThat(three).allSatisfy((member) -> {
			GroupSnapshot snapshot = snapshot(member);
			assertThat(snapshot.master().address()).isNotEqualTo(address(oldMaster));
			assertThat(snapshot.state()).isEqualTo(GroupState.OK);
			assertThat(snapshot.history()).isNotEmpty();
		}));
		int leader = leaderIndex(three);
		FailoverSnapshot failover = snapshot(three.get(leader)).history().get(0);
		assertThat(failover.trigger()).isEqualTo(GroupSnapshot.Trigger.AUTOMATIC);
		assertThat(failover.oldMaster()).isEqualTo(address(oldMaster));
		assertThat(failover.writesAtRiskBytes()).isNotNegative();
		await().atMost(Members.EVENTUALLY)
			.untilAsserted(() -> assertThat(snapshot(three.get(leader)).history().get(0).succeeded()).isTrue());
		MeterRegistry registry = registries.get(leader);
		String newMaster = snapshot(three.get(leader)).master().address().toString();
		String replica = snapshot(three.get(leader)).replicas()
			.stream()
			.filter((node) -> node.role().equals("replica"))
			.findFirst()
			.orElseThrow()
			.address()
			.toString();
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> {
			assertThat(
					find(registry, "failovers").tags("trigger", "automatic", "result", "succeeded").counter().count())
				.isEqualTo(1);
			assertThat(find(registry, "failover.duration").tags("trigger", "automatic", "result", "succeeded")
				.timer()
				.count()).isEqualTo(1);
			assertThat(find(registry, "failover.step.duration").tag("step", "promote-sent").timer().count())
				.isEqualTo(1);
			assertThat(find(registry, "master.changes").counter().count()).isGreaterThanOrEqualTo(1);
			assertThat(find(registry, "state").tag("state", "OK").gauge().value()).isEqualTo(1);
			assertThat(find(registry, "state").tag("state", "FAILOVER").gauge().value()).isZero();
			assertThat(find(registry, "members").gauge().value()).isEqualTo(3);
			assertThat(find(registry, "quorum.reachable").gauge().value()).isEqualTo(1);
			assertThat(find(registry, "nodes.up").tag("role", "master").gauge().value()).isEqualTo(1);
			assertThat(find(registry, "nodes.up").tag("role", "replica").gauge().value()).isEqualTo(1);
			assertThat(find(registry, "replication.lag").tag("node", replica).gauge().value()).isNotNegative();
			assertThat(find(registry, "ping").tag("node", newMaster).timer().count()).isPositive();
			assertThat(find(registry, "gossip.sent").counter().count()).isPositive();
			assertThat(find(registry, "gossip.received").counter().count()).isPositive();
			assertThat(find(registry, "gossip.rejected").functionCounters()).hasSize(GossipRejection.values().length)
				.allSatisfy((rejected) -> assertThat(rejected.count()).isZero());
			assertThat(find(registry, "tilt.entries").counter().count()).isZero();
		});
		for (int i = 0; i < three.size(); i++) {
			if (i != leader) {
				assertThat(registries.get(i).find("redis.ha.failovers").counters()).isEmpty();
				assertThat(snapshot(three.get(i)).history().get(0).trigger()).isEqualTo(GroupSnapshot.Trigger.OBSERVED);
			}
		}
	}

	@Test
	void theFenceMetersShowWhetherWritesAreRefusedAndCountTheRefusals() {
		RedisHaMember member = this.members.start(1, this.redis.group().master());
		MeterRegistry registry = bind(member);
		await().atMost(Members.EVENTUALLY).untilAsserted(() -> {
			assertThat(member.admitsWrites(Members.GROUP)).isTrue();
			assertThat(find(registry, "fenced").gauge().value()).isZero();
		});
		assertThat(find(registry, "writes.fenced").functionCounter().count()).isZero();
		member.countRefusedWrite(Members.GROUP);
		member.countRefusedWrite(Members.GROUP);
		assertThat(find(registry, "writes.fenced").functionCounter().count()).isEqualTo(2);
		assertThat(find(registry, "writes.unconfirmed").functionCounter().count()).isZero();
		member.countUnconfirmedWrite(Members.GROUP);
		assertThat(find(registry, "writes.unconfirmed").functionCounter().count()).isOne();
	}

	private static MeterRegistry bind(RedisHaMember member) {
		MeterRegistry registry = new SimpleMeterRegistry();
		new RedisHaMetrics(member).bindTo(registry);
		return registry;
	}

	private static RequiredSearch find(MeterRegistry registry, String name) {
		return registry.get("redis.ha." + name).tag("group", Members.GROUP);
	}

	private static int leaderIndex(List<RedisHaMember> members) {
		for (int i = 0; i < members.size(); i++) {
			String id = members.get(i).identity().id();
			if (snapshot(members.get(i)).history().get(0).leader().equals(id)) {
				return i;
			}
		}
		throw new AssertionError("no member led the failover");
	}

}
