package io.redisha.protocol;

import java.time.Duration;
import java.util.List;

import io.redisha.protocol.InvalidGroupConfigException.Violation;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for the validation of {@link GroupConfig} and its parts: every invalid setting at
 * once, by its configuration name, with the value as given.
 */
class GroupConfigTest {

	private static final List<NodeAddress> SEEDS = List.of(new NodeAddress("10.0.0.12", 6379));

	private static final Duration DOWN_AFTER = Duration.ofSeconds(5);

	@Test
	void aValidGroupResolvesTheDefaultFenceAfterFromDownAfter() {
		GroupConfig config = new GroupConfig("orders", SEEDS, 2, DOWN_AFTER, Duration.ofMinutes(3), 1,
				GroupConfig.Timing.defaults());
		assertThat(config.fencing())
			.isEqualTo(new GroupConfig.Fencing(PartitionMode.CONSISTENT, Duration.ofSeconds(3)));
		assertThat(config.fenceAfter()).isEqualTo(Duration.ofSeconds(3));
		assertThat(GroupConfig.violations(SEEDS, 2, DOWN_AFTER, Duration.ofMinutes(3), 1, 10, 5, null)).isEmpty();
	}

	@Test
	void theHelloPeriodInForceIsAtMostAThirdOfFenceAfterInConsistentMode() {
		GroupConfig config = new GroupConfig("orders", SEEDS, 2, Duration.ofSeconds(1), Duration.ofMinutes(3), 1,
				GroupConfig.Timing.defaults());
		assertThat(config.helloEvery()).isEqualTo(Duration.ofMillis(200));
		assertThat(config.withFencing(GroupConfig.Fencing.withDefaultFenceAfter(PartitionMode.AVAILABLE)).helloEvery())
			.isEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void everyInvalidSettingOfTheGroupIsReportedByItsDashedNameWithTheRawValue() {
		assertThatExceptionOfType(InvalidGroupConfigException.class)
			.isThrownBy(() -> new GroupConfig("orders", List.of(), 0, Duration.ofSeconds(-1), Duration.ZERO, -1,
					GroupConfig.Timing.defaults(), 0, 9))
			.satisfies((ex) -> {
				assertThat(ex.violations()).containsExactly(
						new Violation("nodes", List.of(), "must list at least one host:port node of the group"),
						new Violation("quorum", 0, "must be >= 1"), new Violation("parallel-syncs", -1, "must be >= 1"),
						new Violation("history-size", 0, "must be >= 1"),
						new Violation("voters", 9, "must be between 1 and 8"),
						new Violation("down-after", Duration.ofSeconds(-1), "must be positive"),
						new Violation("failover-timeout", Duration.ZERO, "must be positive"));
				assertThat(ex).isInstanceOf(IllegalArgumentException.class)
					.hasMessageStartingWith("group 'orders' is invalid: nodes must list at least one host:port node"
							+ " of the group but was empty; quorum must be >= 1 but was 0; parallel-syncs must be"
							+ " >= 1 but was -1;")
					.hasMessageContaining("down-after must be positive but was -1s");
			});
	}

	@Test
	void anInvalidDownAfterIsNotBlamedOnTheDefaultFenceAfter() {
		assertThat(GroupConfig.violations(SEEDS, 2, Duration.ofSeconds(-1), Duration.ofMinutes(3), 1, 10, 5, null))
			.containsExactly(new Violation("down-after", Duration.ofSeconds(-1), "must be positive"));
		assertThat(GroupConfig.violations(SEEDS, 2, null, Duration.ofMinutes(3), 1, 10, 5, null))
			.containsExactly(new Violation("down-after", null, "must be positive"));
	}

	@Test
	void fenceAfterMustBeShorterThanDownAfterWithTheReason() {
		List<Violation> violations = GroupConfig.violations(SEEDS, 2, DOWN_AFTER, Duration.ofMinutes(3), 1, 10, 5,
				DOWN_AFTER);
		assertThat(violations).containsExactly(new Violation("fence-after", DOWN_AFTER,
				"must be shorter than down-after (5s)",
				"writes must be refused before the other side of a partition may see the master down and fail over"));
		assertThat(violations.get(0)).hasToString("fence-after must be shorter than down-after (5s) but was 5s: writes"
				+ " must be refused before the other side of a partition may see the master down and fail over");
	}

	@Test
	void aFenceAfterThatIsNotPositiveIsReportedOnce() {
		assertThat(GroupConfig.violations(SEEDS, 2, DOWN_AFTER, Duration.ofMinutes(3), 1, 10, 5, Duration.ZERO))
			.containsExactly(new Violation("fence-after", Duration.ZERO, "must be positive"));
		assertThatExceptionOfType(InvalidGroupConfigException.class)
			.isThrownBy(() -> new GroupConfig.Fencing(PartitionMode.CONSISTENT, Duration.ofSeconds(-2)))
			.withMessage("fence-after must be positive but was -2s");
	}

	@Test
	void quorumAboveTheVotersIsReportedWithTheReason() {
		assertThat(GroupConfig.violations(SEEDS, 6, DOWN_AFTER, Duration.ofMinutes(3), 1, 10, 5, null)).singleElement()
			.hasToString("quorum must be <= voters (5) but was 6: only voters count towards it");
	}

	@Test
	void everyInvalidTimingIsReportedAtOnce() {
		assertThatExceptionOfType(InvalidGroupConfigException.class)
			.isThrownBy(() -> new GroupConfig.Timing(Duration.ofMillis(-250), Duration.ofSeconds(10), Duration.ZERO,
					Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofSeconds(3), Duration.ofSeconds(2),
					Duration.ofSeconds(30), Duration.ofSeconds(3), Duration.ofSeconds(-1)))
			.satisfies((ex) -> assertThat(ex.violations()).containsExactly(
					new Violation("ping-period", Duration.ofMillis(-250), "must be positive"),
					new Violation("hello-period", Duration.ZERO, "must be positive"),
					new Violation("master-reboot-down-after", Duration.ofSeconds(-1), "must be >= 0")))
			.withMessage("ping-period must be positive but was -250ms; hello-period must be positive but was 0s;"
					+ " master-reboot-down-after must be >= 0 but was -1s");
	}

	@Test
	void everyInvalidMasterSideFenceSettingIsReportedAtOnce() {
		assertThatExceptionOfType(InvalidGroupConfigException.class)
			.isThrownBy(() -> new MinReplicas(-1, Duration.ofMillis(1500)))
			.satisfies((ex) -> assertThat(ex.violations()).containsExactly(
					new Violation("min-replicas-to-write", -1, "must be >= 0"),
					new Violation("min-replicas-max-lag", Duration.ofMillis(1500),
							"must be whole seconds, at least 1s (Redis counts the lag in seconds)")));
	}

}
