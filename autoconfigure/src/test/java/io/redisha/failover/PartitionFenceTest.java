package io.redisha.failover;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.DefaultClientResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.redisha.connection.MasterFollowingConnectionFactory;
import io.redisha.connection.MasterRoute;
import io.redisha.connection.RedisHaFencedException;
import io.redisha.embedded.RedisServerProcess;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;
import io.redisha.testing.Members;
import io.redisha.testing.Members.Member;

import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The partition fence on real processes (consistent mode, the default). Instances A, B
 * and C each run a member and an application writing through it; nodes N0 (master), N1
 * and N2.
 */
class PartitionFenceTest {

	private static final Duration DOWN_AFTER = Duration.ofSeconds(1);

	private static final Duration FENCE_AFTER = GroupConfig.Fencing.defaultFenceAfter(DOWN_AFTER);

	private static final Members.Settings SETTINGS = Members.Settings.quorum(2).downAfter(DOWN_AFTER);

	private static final Duration CUT = Duration.ofSeconds(6);

	@RegisterExtension
	static final PartitionScenario scenario = PartitionScenario.withReplicas(2);

	/**
	 * Cut {A, N0} | {B, C, N1, N2}: A's member fences ({@code +fenced}) and its
	 * application gets fence errors before B's member follows the promoted replica, whom
	 * B's writes go to; after the heal A's writes resume by themselves, nothing A
	 * acknowledged later than fence-after into the cut is missing, and nothing B
	 * acknowledged.
	 */
	@Test
	void theMinoritySideRefusesWritesBeforeTheMajorityPromotesAndLosesNothingAcknowledgedAfterFenceAfter() {
		Members members = scenario.startMembers(SETTINGS, "A", "B", "C");
		NodeAddress oldMaster = scenario.address("N0");
		try (AppWriter a = new AppWriter(members.member("A"), "a");
				AppWriter b = new AppWriter(members.member("B"), "b")) {
			await("both applications write").atMost(EVENTUALLY)
				.until(() -> a.acknowledged.size() > 10 && b.acknowledged.size() > 10);
			long cutAt = System.nanoTime();
			scenario.redis().partition(Set.of("A", "N0"), Set.of("B", "C", "N1", "N2"));
			// B's writes in flight when the cut began may have reached N0 alone: the
			// replication window
			long cutDone = System.nanoTime() + Duration.ofMillis(100).toNanos();
			await("B's member follows a promoted replica").atMost(EVENTUALLY)
				.pollInterval(Duration.ofMillis(5))
				.until(() -> !oldMaster.equals(master(members.member("B"))));
			long switchSeen = System.nanoTime();
			assertThat(a.fencedAt).as("A's fence errors in the cut, the first before B follows the promoted replica")
				.filteredOn((at) -> at > cutAt)
				.isNotEmpty()
				.anyMatch((at) -> at < switchSeen);
			assertThat(members.member("A").events()).extracting(ProtocolEvent::type)
				.contains(ProtocolEvent.Type.FENCED);
			await("the cut lasts").pollDelay(CUT).atMost(CUT.plusSeconds(1)).until(() -> true);
			scenario.redis().heal();
			long healedAt = System.nanoTime();
			NodeAddress settled = members.awaitSettled();
			await("A's writes resume by themselves").atMost(EVENTUALLY).until(() -> a.acknowledgedAfter(healedAt) > 0);
			RedisServerProcess finalMaster = scenario.redis().node(scenario.nameAt(settled));
			long fenceDeadline = cutAt + FENCE_AFTER.toNanos();
			List<String> lostAfterFence = a.missingOn(finalMaster, fenceDeadline);
			assertThat(lostAfterFence).as("A's writes acknowledged more than fence-after into the cut, lost").isEmpty();
			assertThat(b.missingOn(finalMaster, cutDone)).as("B's writes acknowledged during the cut, lost").isEmpty();
			assertThat(b.acknowledgedAfter(cutDone)).as("B writes during the cut").isGreaterThan(0);
		}
	}

	/**
	 * B and C crash: A keeps writing, since both replicas stream from its healthy master.
	 */
	@Test
	void aLoneInstanceWhoseOthersCrashedKeepsWritingWhileItsMasterIsHealthy() {
		Members members = scenario.startMembers(SETTINGS, "A", "B", "C");
		Member lone = members.member("A");
		try (AppWriter a = new AppWriter(lone, "a")) {
			scenario.crash(members.member("B"));
			scenario.crash(members.member("C"));
			long crashedAt = System.nanoTime();
			await("A never fences").during(Duration.ofSeconds(4))
				.atMost(Duration.ofSeconds(6))
				.untilAsserted(() -> assertThat(lone.snapshot().fence().fenced() || a.fencedErrors.get() > 0)
					.as("%s; replicas %s", lone.snapshot().fence(), lone.snapshot().replicas())
					.isFalse());
			assertThat(a.acknowledgedAfter(crashedAt)).isGreaterThan(0);
			GroupSnapshot.FenceSnapshot fence = lone.snapshot().fence();
			assertThat(fence.replicasAttached()).as(fence.reason()).isTrue();
		}
	}

	private static NodeAddress master(Member member) {
		GroupSnapshot snapshot = member.snapshot();
		return (snapshot.master() != null) ? snapshot.master().address() : null;
	}

	/**
	 * An application instance writing unique keys through its member's route, as fast as
	 * it can.
	 */
	private static final class AppWriter implements AutoCloseable {

		private final MasterFollowingConnectionFactory factory;

		private final ExecutorService writer = Executors.newSingleThreadExecutor();

		/** Each acknowledged key and when it was acknowledged (System.nanoTime). */
		private final Queue<Map.Entry<String, Long>> acknowledged = new ConcurrentLinkedQueue<>();

		private final AtomicLong fencedErrors = new AtomicLong();

		/** When each fence error came (System.nanoTime). */
		private final Queue<Long> fencedAt = new ConcurrentLinkedQueue<>();

		AppWriter(Member member, String prefix) {
			this.factory = new MasterFollowingConnectionFactory(
					new MasterRoute(member.runtime(), Members.GROUP, Duration.ofSeconds(2), false),
					new RedisStandaloneConfiguration(),
					LettuceClientConfiguration.builder().commandTimeout(Duration.ofMillis(500)),
					DefaultClientResources.builder(), ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled()));
			this.factory.afterPropertiesSet();
			this.factory.start();
			StringRedisTemplate template = new StringRedisTemplate(this.factory);
			this.writer.execute(() -> {
				for (long i = 0; !Thread.currentThread().isInterrupted(); i++) {
					String key = prefix + "-" + i;
					try {
						template.opsForValue().set(key, "1");
						this.acknowledged.add(Map.entry(key, System.nanoTime()));
					}
					catch (RuntimeException ex) {
						if (NestedExceptionUtils.getMostSpecificCause(ex) instanceof RedisHaFencedException
								|| ex instanceof RedisHaFencedException) {
							this.fencedErrors.incrementAndGet();
							this.fencedAt.add(System.nanoTime());
						}
						pause();
					}
				}
			});
		}

		private static void pause() {
			try {
				TimeUnit.MILLISECONDS.sleep(5);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		long acknowledgedAfter(long nanos) {
			return this.acknowledged.stream().filter((write) -> write.getValue() > nanos).count();
		}

		/** The keys acknowledged after {@code nanos} that {@code node} does not hold. */
		List<String> missingOn(RedisServerProcess node, long nanos) {
			return AcknowledgedWrites.missing(node,
					this.acknowledged.stream()
						.filter((write) -> write.getValue() > nanos)
						.map(Map.Entry::getKey)
						.toList());
		}

		@Override
		public void close() {
			this.writer.shutdownNow();
			try {
				this.writer.awaitTermination(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.factory.destroy();
		}

	}

}
