package io.redisha.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.stream.Stream;

import io.redisha.member.RedisHaMember;
import io.redisha.member.TestGossip;
import io.redisha.protocol.NodeAddress;
import io.redisha.sentinel.SentinelEndpointSettings;
import io.redisha.sentinel.SentinelServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisHaSentinelAutoConfiguration} and
 * {@link RedisHaSentinelProperties}: the endpoint is off unless a port is set, listens on
 * loopback by default, is announced to the other members, backs off, and refuses invalid
 * settings naming the property. The member points at a port nothing listens on: these
 * tests are about wiring, not about Redis.
 */
class RedisHaSentinelAutoConfigurationTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(RedisHaAutoConfiguration.class, RedisHaSentinelAutoConfiguration.class))
		.withPropertyValues("redis-ha.gossip-secret=" + TestGossip.SECRET, "redis-ha.groups.orders.nodes=127.0.0.1:1");

	@Test
	void noPortNoEndpoint() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(RedisHaMember.class);
			assertThat(context).doesNotHaveBean(SentinelServer.class);
			assertThat(context.getBean(RedisHaMember.class).identity().endpoint()).isNull();
		});
	}

	@Test
	void aPortStartsTheEndpointOnLoopbackAndAnnouncesIt() {
		int port = freePort();
		this.runner.withPropertyValues("redis-ha.sentinel.port=" + port).run((context) -> {
			SentinelServer server = context.getBean(SentinelServer.class);
			assertThat(server.isRunning()).isTrue();
			assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
			assertThat(server.address().getPort()).isEqualTo(port);
			assertThat(context.getBean(RedisHaMember.class).identity().endpoint())
				.isEqualTo(new NodeAddress("127.0.0.1", port));
		});
	}

	@Test
	void bindsEverySettingAndAnnouncesTheAnnouncedAddress() {
		int port = freePort();
		this.runner
			.withPropertyValues("redis-ha.sentinel.port=" + port, "redis-ha.sentinel.announce-host=10.0.0.7",
					"redis-ha.sentinel.announce-port=36379", "redis-ha.sentinel.username=app",
					"redis-ha.sentinel.password=s3cret", "redis-ha.sentinel.max-connections=16",
					"redis-ha.sentinel.idle-timeout=30s", "redis-ha.sentinel.allow-failover=true")
			.run((context) -> {
				RedisHaSentinelProperties properties = context.getBean(RedisHaSentinelProperties.class);
				assertThat(properties.settings()).isEqualTo(new SentinelEndpointSettings("127.0.0.1", port, "app",
						"s3cret", 16, Duration.ofSeconds(30), true));
				assertThat(properties.settings().toString()).doesNotContain("s3cret");
				assertThat(context.getBean(RedisHaMember.class).identity().endpoint())
					.isEqualTo(new NodeAddress("10.0.0.7", 36379));
			});
	}

	@Test
	void aWildcardBindAnnouncesThisHostsAddress() throws IOException {
		RedisHaSentinelProperties properties = new RedisHaSentinelProperties();
		properties.setPort(26379);
		properties.setBind("0.0.0.0");
		assertThat(properties.announcedAddress())
			.isEqualTo(new NodeAddress(InetAddress.getLocalHost().getHostAddress(), 26379));
	}

	@Test
	void backsOffFromAnEndpointOfTheApplication() {
		this.runner.withPropertyValues("redis-ha.sentinel.port=" + freePort())
			.withUserConfiguration(OwnEndpoint.class)
			.run((context) -> assertThat(context).hasSingleBean(SentinelServer.class).hasBean("ownSentinelServer"));
	}

	@Test
	void noEndpointWithoutAMember() {
		this.runner.withPropertyValues("redis-ha.sentinel.port=" + freePort(), "redis-ha.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(SentinelServer.class));
	}

	@Test
	void aPortInUseStopsTheApplicationNamingTheProperties() throws IOException {
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			this.runner.withPropertyValues("redis-ha.sentinel.port=" + taken.getLocalPort()).run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure().getCause())
					.hasMessageContaining("The Sentinel endpoint cannot listen on" + " 127.0.0.1:"
							+ taken.getLocalPort() + " (redis-ha.sentinel.bind, redis-ha.sentinel.port)");
			});
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidValues")
	void invalidValuesAreRefusedNamingTheProperty(String property, String expectedMessage) {
		this.runner.withPropertyValues("redis-ha.sentinel.port=26379", property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(expectedMessage);
		});
	}

	static Stream<Arguments> invalidValues() {
		return Stream.of(
				Arguments.of("redis-ha.sentinel.port=0",
						"redis-ha.sentinel.port must be between 1 and 65535 but was 0"),
				Arguments.of("redis-ha.sentinel.announce-port=70000",
						"redis-ha.sentinel.announce-port must be between 1 and 65535 but was 70000"),
				Arguments.of("redis-ha.sentinel.bind= ", "redis-ha.sentinel.bind must be a host name or IP address"),
				Arguments.of("redis-ha.sentinel.announce-host=a b",
						"redis-ha.sentinel.announce-host must be a host name or IP address but was 'a b'"),
				Arguments.of("redis-ha.sentinel.max-connections=0",
						"redis-ha.sentinel.max-connections must be >= 1 but was 0"),
				Arguments.of("redis-ha.sentinel.idle-timeout=0s", "redis-ha.sentinel.idle-timeout must be positive"),
				Arguments.of("redis-ha.sentinel.username=app",
						"redis-ha.sentinel.username is set but password is not"));
	}

	@Test
	void anUnknownSslBundleIsRefusedNamingTheProperty() {
		this.runner.withPropertyValues("redis-ha.sentinel.port=" + freePort(), "redis-ha.sentinel.ssl-bundle=endpoint")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("Property redis-ha.sentinel.ssl-bundle with value 'endpoint' is invalid")
					.hasMessageContaining("No SSL bundles are configured");
			});
	}

	@Test
	void anEmptyPasswordIsRefused() {
		this.runner.withPropertyValues("redis-ha.sentinel.port=26379", "redis-ha.sentinel.password=").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("redis-ha.sentinel.password must not be empty");
		});
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnEndpoint {

		@Bean
		SentinelServer ownSentinelServer(RedisHaMember member) {
			return new SentinelServer(member,
					new SentinelEndpointSettings("127.0.0.1", freePort(), null, null, 1, Duration.ofSeconds(1), false));
		}

	}

}
