package io.redisha.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import io.redisha.member.TestGossip;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Tests that an invalid configuration stops a real application with Spring Boot's failure
 * analysis naming the property and the value.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisHaFailureAnalysisTest {

	@Test
	void invalidValueIsReportedByTheFailureAnalysis(CapturedOutput output) {
		assertThatException().isThrownBy(
				() -> run("--redis-ha.groups.orders.nodes=10.0.0.12:6379", "--redis-ha.groups.orders.quorum=0"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: redis-ha.groups.orders.quorum")
			.contains("Value: \"0\"")
			.contains("Reason: redis-ha.groups.orders.quorum must be >= 1 but was 0")
			.contains("Update your application's configuration");
	}

	@Test
	void invalidSentinelEndpointPortIsReportedByTheFailureAnalysis(CapturedOutput output) {
		assertThatException()
			.isThrownBy(() -> run("--redis-ha.groups.orders.nodes=10.0.0.12:6379", "--redis-ha.sentinel.port=0"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: redis-ha.sentinel.port")
			.contains("Reason: redis-ha.sentinel.port must be between 1 and 65535 but was 0");
	}

	@Test
	void missingGossipSecretIsReportedByTheFailureAnalysisNamingTheProperty(CapturedOutput output) {
		assertThatException().isThrownBy(() -> runExactly("--redis-ha.groups.orders.nodes=10.0.0.12:6379"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: redis-ha.gossip-secret")
			.contains("Reason: redis-ha.gossip-secret is not set (nor redis-ha.groups.<group>.gossip-secret for"
					+ " [orders]): members sign every gossip message with it")
			.contains("'openssl rand -base64 32'");
	}

	@Test
	void shortGossipSecretIsReportedByTheFailureAnalysisWithItsLengthOnly(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--redis-ha.groups.orders.nodes=10.0.0.12:6379",
				"--redis-ha.groups.orders.gossip-secret=guessable-secret"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("redis-ha.groups.orders.gossip-secret must have at least 32 characters but has 16")
			.doesNotContain("guessable-secret");
	}

	@Test
	void tiltThresholdThatCannotProtectDownAfterIsReportedByTheFailureAnalysis(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--redis-ha.groups.orders.nodes=10.0.0.12:6379",
				"--redis-ha.groups.orders.down-after=1s", "--redis-ha.groups.orders.tilt-threshold=1500ms"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: redis-ha.groups.orders.tilt-threshold")
			.contains("Reason: redis-ha.groups.orders.tilt-threshold must be at most half of down-after, 500ms,"
					+ " but was 1500ms");
	}

	@Test
	void fenceAfterNotShorterThanDownAfterIsReportedByTheFailureAnalysis(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--redis-ha.groups.orders.nodes=10.0.0.12:6379",
				"--redis-ha.groups.orders.down-after=2s", "--redis-ha.groups.orders.fence-after=3s"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: redis-ha.groups.orders.fence-after")
			.contains("Reason: redis-ha.groups.orders.fence-after must be shorter than down-after (2s) but was 3s");
	}

	@Test
	void twoInvalidValuesAreBothReportedByTheFailureAnalysis(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--redis-ha.groups.orders.nodes=10.0.0.12:6379",
				"--redis-ha.groups.orders.parallel-syncs=0", "--redis-ha.groups.orders.tilt-duration=0s"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: redis-ha.groups.orders.parallel-syncs")
			.contains("Value: \"0\"")
			.contains("Reason: redis-ha.groups.orders.parallel-syncs must be >= 1 but was 0")
			.contains("Property: redis-ha.groups.orders.tilt-duration")
			.contains("Reason: redis-ha.groups.orders.tilt-duration must be positive but was 0s");
	}

	@Test
	void aNegativeDownAfterIsReportedAgainstDownAfterNotFenceAfter(CapturedOutput output) {
		assertThatException().isThrownBy(
				() -> run("--redis-ha.groups.orders.nodes=10.0.0.12:6379", "--redis-ha.groups.orders.down-after=-1s"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: redis-ha.groups.orders.down-after")
			.contains("Reason: redis-ha.groups.orders.down-after must be positive but was -1s")
			.doesNotContain("fence-after");
	}

	@Test
	void unknownPartitionModeIsReportedByTheFailureAnalysis(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--redis-ha.groups.orders.nodes=10.0.0.12:6379",
				"--redis-ha.groups.orders.partition-mode=eventual"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Failed to bind properties under 'redis-ha.groups.orders.partition-mode'")
			.contains("Value: \"eventual\"");
	}

	@Test
	void unknownPrimaryGroupIsReportedByTheFailureAnalysis(CapturedOutput output) {
		assertThatException().isThrownBy(
				() -> run("--redis-ha.groups.orders.nodes=10.0.0.12:6379", "--redis-ha.primary-group=payments"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: redis-ha.primary-group")
			.contains("Value: \"payments\"")
			.contains(
					"redis-ha.primary-group refers to an unknown group: it must be one of [orders] but was 'payments'");
	}

	@Test
	void aUsernameWithoutAPasswordIsReportedByTheFailureAnalysis(CapturedOutput output) {
		assertThatException().isThrownBy(
				() -> run("--redis-ha.groups.orders.nodes=10.0.0.12:6379", "--redis-ha.groups.orders.username=app"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: redis-ha.groups.orders.username")
			.contains("Reason: redis-ha.groups.orders.username is set to 'app' but password is not");
	}

	@Test
	void unconvertibleValueIsReportedByTheFailureAnalysis(CapturedOutput output) {
		assertThatException().isThrownBy(
				() -> run("--redis-ha.groups.orders.nodes=10.0.0.12:6379", "--redis-ha.groups.orders.down-after=soon"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Failed to bind properties under 'redis-ha.groups.orders.down-after'")
			.contains("Value: \"soon\"");
	}

	@Test
	void unknownSslBundleIsReportedByTheFailureAnalysis(CapturedOutput output) {
		assertThatException().isThrownBy(
				() -> run("--redis-ha.groups.orders.nodes=10.0.0.12:6379", "--spring.data.redis.ssl.bundle=redis"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid value 'redis' for configuration property 'spring.data.redis.ssl.bundle'")
			.contains("No SSL bundle is named 'redis'; the configured bundles are []");
	}

	/**
	 * Runs the application with these arguments and a valid gossip secret unless they
	 * name one.
	 */
	private static void run(String... args) {
		List<String> arguments = new ArrayList<>(List.of(args));
		if (arguments.stream().noneMatch((argument) -> argument.contains("gossip-secret"))) {
			arguments.add("--redis-ha.gossip-secret=" + TestGossip.SECRET);
		}
		runExactly(arguments.toArray(String[]::new));
	}

	private static void runExactly(String... args) {
		SpringApplication application = new SpringApplication(InvalidConfiguration.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.run(args).close();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ SslAutoConfiguration.class, RedisHaAutoConfiguration.class })
	static class InvalidConfiguration {

	}

}
