package io.redisha.member;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.redisha.protocol.GossipRejection;
import io.redisha.protocol.GossipSeal;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.GroupCoordinator;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bound on the gossip waiting for a group's thread ({@link GossipInbox}): what
 * arrives while {@value GossipInbox#CAPACITY} payloads wait is dropped and reported to
 * the coordinator as {@code queue-full}, and the inbox takes payloads again as the
 * group's thread takes the waiting ones.
 */
class GossipInboxTest {

	private static final String PAYLOAD = "hello";

	private final GossipInbox inbox = new GossipInbox();

	private final GroupCoordinator coordinator = new GroupCoordinator(
			new GroupConfig("orders", List.of(new NodeAddress("127.0.0.1", 6379)), 1, Duration.ofSeconds(1),
					Duration.ofMinutes(3), 1, GroupConfig.Timing.defaults()),
			new MemberIdentity("inbox-test", "test"), 0, new SplittableRandom(1));

	@Test
	void payloadsArrivingWhileTheInboxIsFullAreDroppedAndReportedAsQueueFull() {
		assertThat(admitted(GossipInbox.CAPACITY)).isEqualTo(GossipInbox.CAPACITY);
		assertThat(admitted(7)).as("beyond the capacity").isZero();
		assertThat(rejections().byReason()).as("counted where dropped, reported by the group's thread").isEmpty();
		this.inbox.report(this.coordinator);
		GroupSnapshot snapshot = this.coordinator.snapshot(0);
		assertThat(snapshot.rejections().byReason()).isEqualTo(Map.of(GossipRejection.QUEUE_FULL, 7L));
		assertThat(snapshot.rejections().last())
			.isEqualTo("queue-full: 7 payload(s) dropped: 1000 were waiting already");
		assertThat(snapshot.rejectedMessages()).isEqualTo(7);
		assertThat(GossipRejection.QUEUE_FULL.tag()).isEqualTo("queue-full");
		// Each drop is reported once.
		this.inbox.report(this.coordinator);
		assertThat(rejections().count(GossipRejection.QUEUE_FULL)).isEqualTo(7);
		assertThat(admitted(1)).as("still full").isZero();
		this.inbox.report(this.coordinator);
		assertThat(rejections().count(GossipRejection.QUEUE_FULL)).isEqualTo(8);
		assertThat(rejections().last()).isEqualTo("queue-full: 1 payload(s) dropped: 1000 were waiting already");
	}

	@Test
	void theInboxTakesPayloadsAgainAsTheWaitingOnesAreTaken() {
		assertThat(admitted(GossipInbox.CAPACITY + 3)).isEqualTo(GossipInbox.CAPACITY);
		this.inbox.taken();
		assertThat(admitted(2)).as("one place freed").isOne();
		take(GossipInbox.CAPACITY);
		assertThat(admitted(GossipInbox.CAPACITY)).as("drained").isEqualTo(GossipInbox.CAPACITY);
		assertThat(admitted(1)).isZero();
		take(GossipInbox.CAPACITY);
		this.inbox.report(this.coordinator);
		assertThat(rejections().byReason()).isEqualTo(Map.of(GossipRejection.QUEUE_FULL, 5L));
		// Nothing dropped since: a report adds nothing.
		assertThat(admitted(10)).isEqualTo(10);
		this.inbox.report(this.coordinator);
		assertThat(rejections().count(GossipRejection.QUEUE_FULL)).isEqualTo(5);
	}

	@Test
	void anOversizedPayloadTakesNoPlaceAndIsReportedApart() {
		String oversized = "x".repeat(GossipSeal.MAX_LENGTH + 1);
		assertThat(admitted(GossipInbox.CAPACITY - 1)).isEqualTo(GossipInbox.CAPACITY - 1);
		assertThat(this.inbox.admit(oversized)).isFalse();
		assertThat(this.inbox.admit(PAYLOAD)).as("the last place").isTrue();
		assertThat(this.inbox.admit(oversized)).isFalse();
		assertThat(this.inbox.admit(PAYLOAD)).isFalse();
		this.inbox.report(this.coordinator);
		assertThat(rejections().byReason())
			.isEqualTo(Map.of(GossipRejection.OVERSIZED, 2L, GossipRejection.QUEUE_FULL, 1L));
	}

	/** Lettuce threads of several nodes admit at once: never more than the capacity. */
	@Test
	void payloadsAdmittedConcurrentlyNeverExceedTheCapacity() throws Exception {
		int threads = 4;
		int each = GossipInbox.CAPACITY / 2;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<Integer>> admittedByEach = IntStream.range(0, threads).mapToObj((i) -> pool.submit(() -> {
				start.await();
				return admitted(each);
			})).toList();
			start.countDown();
			int admitted = 0;
			for (Future<Integer> future : admittedByEach) {
				admitted += future.get(10, TimeUnit.SECONDS);
			}
			assertThat(admitted).isEqualTo(GossipInbox.CAPACITY);
		}
		finally {
			pool.shutdownNow();
		}
		this.inbox.report(this.coordinator);
		assertThat(rejections().count(GossipRejection.QUEUE_FULL)).isEqualTo(threads * each - GossipInbox.CAPACITY);
	}

	/** How many of {@code count} payloads the inbox admits. */
	private int admitted(int count) {
		int admitted = 0;
		for (int i = 0; i < count; i++) {
			if (this.inbox.admit(PAYLOAD)) {
				admitted++;
			}
		}
		return admitted;
	}

	/** The group's thread takes {@code count} waiting payloads. */
	private void take(int count) {
		for (int i = 0; i < count; i++) {
			this.inbox.taken();
		}
	}

	private GroupSnapshot.RejectionsSnapshot rejections() {
		return this.coordinator.snapshot(0).rejections();
	}

}
