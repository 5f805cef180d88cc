package io.redisha.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.redisha.embedded.RedisGroupExtension;
import io.redisha.member.GroupSettings;
import io.redisha.member.RedisHaMember;
import io.redisha.member.TestGossip;
import io.redisha.protocol.CommandOutcome;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.PartitionMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link RedisHaHealthIndicator} against a real master and replica.
 */
class RedisHaHealthIndicatorTest {

	@RegisterExtension
	final RedisGroupExtension redis = RedisGroupExtension.withReplicas(1);

	private RedisHaMember member;

	private RedisHaHealthIndicator indicator;

	@BeforeEach
	void startMember() {
		GroupConfig config = new GroupConfig("orders",
				List.of(NodeAddress.parse(this.redis.group().master().address())), 1, Duration.ofSeconds(1),
				Duration.ofMinutes(3), 1, GroupConfig.Timing.defaults());
		this.member = new RedisHaMember(new MemberIdentity("health-test", "test"),
				List.of(new GroupSettings(config, null, null, Duration.ofMillis(500), TestGossip.SEAL)));
		this.member.start();
		this.indicator = new RedisHaHealthIndicator(this.member);
	}

	@AfterEach
	void stopMember() {
		this.member.stop();
	}

	/**
	 * The one member fails over within milliseconds of seeing the master down: paused, it
	 * leaves the master down long enough for health to be read.
	 */
	private void holdFailoversBack() {
		assertThat(this.member.pause("orders", Duration.ofSeconds(2)).outcome().status())
			.isEqualTo(CommandOutcome.Status.DONE);
	}

	@Test
	void upWithGroupSummaryWhenTheMasterAnswers() {
		await().atMost(EVENTUALLY).untilAsserted(() -> {
			Health health = this.indicator.health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsOnlyKeys("orders");
			RedisHaHealthIndicator.GroupHealth orders = (RedisHaHealthIndicator.GroupHealth) health.getDetails()
				.get("orders");
			assertThat(orders.master()).isEqualTo(this.redis.group().master().address());
			assertThat(orders.masterReachable()).isTrue();
			assertThat(orders.replicasUp()).isEqualTo(1);
			assertThat(orders.replicas()).isEqualTo(1);
			assertThat(orders.membersSeen()).isEqualTo(1);
			assertThat(orders.writesFenced()).isFalse();
		});
	}

	@Test
	void aGroupThatRefusesWritesIsOutOfServiceAndSaysWhy() {
		await().atMost(EVENTUALLY).until(() -> this.indicator.health().getStatus().equals(Status.UP));
		GroupSnapshot open = this.member.snapshot("orders");
		assertThat(RedisHaHealthIndicator.GroupHealth.of(open, Map.of()).writesFenced()).isFalse();
		GroupSnapshot fenced = withFence(open, new GroupSnapshot.FenceSnapshot(PartitionMode.CONSISTENT, 1_000, true,
				"1 of 3 voters reach the master, 2 needed", 1_000, 1, 2, false));
		RedisHaHealthIndicator.GroupHealth orders = RedisHaHealthIndicator.GroupHealth.of(fenced, Map.of());
		assertThat(orders.masterReachable()).isTrue();
		assertThat(orders.writesFenced()).isTrue();
		assertThat(orders.fence()).isEqualTo("1 of 3 voters reach the master, 2 needed");
		assertThat(orders.settled()).isFalse();
	}

	/**
	 * The member's own picture with another fence: only the protocol fences a real
	 * member.
	 */
	private static GroupSnapshot withFence(GroupSnapshot snapshot, GroupSnapshot.FenceSnapshot fence) {
		return new GroupSnapshot(snapshot.name(), snapshot.state(), snapshot.currentEpoch(), snapshot.configEpoch(),
				snapshot.quorum(), snapshot.master(), snapshot.replicas(), snapshot.members(),
				snapshot.rejectedMessages(), snapshot.lastFailover(), snapshot.history(), snapshot.failoversRecorded(),
				snapshot.quorumCheck(), snapshot.pause(), snapshot.startingUp(), snapshot.electorate(), fence,
				snapshot.rejections());
	}

	@Test
	void downWhenTheMasterIsUnreachable() {
		await().atMost(EVENTUALLY).until(() -> this.indicator.health().getStatus().equals(Status.UP));
		holdFailoversBack();
		this.redis.group().master().kill();
		await().atMost(EVENTUALLY).untilAsserted(() -> {
			Health health = this.indicator.health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails()).extractingByKey("orders")
				.isInstanceOfSatisfying(RedisHaHealthIndicator.GroupHealth.class,
						(orders) -> assertThat(orders.masterReachable()).isFalse());
		});
	}

	@Test
	void downWhileTheMasterIsGoneAndUpAgainOnceTheReplicaIsPromoted() {
		await().atMost(EVENTUALLY).until(() -> this.indicator.health().getStatus().equals(Status.UP));
		String replica = this.redis.group().replicas().get(0).address();
		holdFailoversBack();
		this.redis.group().master().kill();
		await().atMost(EVENTUALLY).until(() -> this.indicator.health().getStatus().equals(Status.DOWN));
		assertThat(this.member.resume("orders", Duration.ofSeconds(2)).outcome().status())
			.isEqualTo(CommandOutcome.Status.DONE);
		await().atMost(EVENTUALLY).untilAsserted(() -> {
			Health health = this.indicator.health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).extractingByKey("orders")
				.isInstanceOfSatisfying(RedisHaHealthIndicator.GroupHealth.class, (orders) -> {
					assertThat(orders.master()).isEqualTo(replica);
					assertThat(orders.state()).isEqualTo("OK");
				});
		});
	}

	@Test
	void aPausedGroupStaysUpAndSaysItIsPaused() {
		await().atMost(EVENTUALLY).until(() -> this.indicator.health().getStatus().equals(Status.UP));
		await().atMost(EVENTUALLY)
			.until(() -> this.member.pause("orders", Duration.ofSeconds(2))
				.outcome()
				.status() == io.redisha.protocol.CommandOutcome.Status.DONE);
		Health health = this.indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).extractingByKey("orders")
			.isInstanceOfSatisfying(RedisHaHealthIndicator.GroupHealth.class, (orders) -> {
				assertThat(orders.paused()).isTrue();
				assertThat(orders.state()).isEqualTo("PAUSED");
			});
	}

	/**
	 * Most voters crashed: the master answers and enough members see it, but no election
	 * can be won until an operator replaces the crashed voters (docs/operations.md).
	 */
	@Test
	void aGroupThatCannotElectIsOutOfServiceThoughItsMasterAnswersAndItsQuorumIsReachable() {
		RedisHaHealthIndicator.GroupHealth canElect = new RedisHaHealthIndicator.GroupHealth("OK", "127.0.0.1:6379",
				true, 2, 2, 3, 3, true, true, false, false, "admitted", Map.of());
		RedisHaHealthIndicator.GroupHealth cannotElect = new RedisHaHealthIndicator.GroupHealth("OK", "127.0.0.1:6379",
				true, 2, 2, 3, 3, true, false, false, false, "admitted", Map.of());
		assertThat(canElect.settled()).isTrue();
		assertThat(cannotElect.settled()).isFalse();
	}

	@Test
	void outOfServiceWhileTheQuorumCannotBeReachedThoughTheMasterAnswers() {
		GroupConfig config = new GroupConfig("orders",
				List.of(NodeAddress.parse(this.redis.group().master().address())), 3, Duration.ofSeconds(1),
				Duration.ofMinutes(3), 1, GroupConfig.Timing.defaults());
		// Two members (this one and the one every test starts), quorum 3.
		RedisHaMember shortOfQuorum = new RedisHaMember(new MemberIdentity("quorum-3", "test"),
				List.of(new GroupSettings(config, null, null, Duration.ofMillis(500), TestGossip.SEAL)));
		shortOfQuorum.start();
		try {
			RedisHaHealthIndicator shortOfQuorumIndicator = new RedisHaHealthIndicator(shortOfQuorum);
			// A bound on the outcome, not a speed check: the new member first learns the
			// group's configuration, then hears the voter's hellos (slow on a loaded
			// machine).
			await().atMost(EVENTUALLY).untilAsserted(() -> {
				Health health = shortOfQuorumIndicator.health();
				assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
				assertThat(health.getDetails()).extractingByKey("orders")
					.isInstanceOfSatisfying(RedisHaHealthIndicator.GroupHealth.class, (orders) -> {
						assertThat(orders.masterReachable()).isTrue();
						assertThat(orders.membersReachable()).isEqualTo(2);
						assertThat(orders.quorumReachable()).isFalse();
					});
			});
		}
		finally {
			shortOfQuorum.stop();
		}
	}

}
