package io.redisha.sentinel;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** PSUBSCRIBE patterns match as Redis's glob does, and any text is a valid pattern. */
class ChannelPatternTest {

	@Test
	void matchesAsRedisGlobDoes() {
		assertThat(ChannelPattern.of("*").matches("+switch-master")).isTrue();
		assertThat(ChannelPattern.of("+s*").matches("+sdown")).isTrue();
		assertThat(ChannelPattern.of("+s*").matches("-sdown")).isFalse();
		assertThat(ChannelPattern.of("?sdown").matches("-sdown")).isTrue();
		assertThat(ChannelPattern.of("[+-]odown").matches("-odown")).isTrue();
		assertThat(ChannelPattern.of("[^+]odown").matches("+odown")).isFalse();
		assertThat(ChannelPattern.of("+[a-c]*").matches("+convert-to-slave")).isTrue();
		assertThat(ChannelPattern.of("+[a-c]*").matches("+sdown")).isFalse();
		assertThat(ChannelPattern.of("\\*").matches("*")).isTrue();
		assertThat(ChannelPattern.of("\\*").matches("+sdown")).isFalse();
	}

	@Test
	void regularExpressionSyntaxIsLiteral() {
		assertThat(ChannelPattern.of("(.+)|a{2}$").matches("(.+)|a{2}$")).isTrue();
		assertThat(ChannelPattern.of("(.+)|a{2}$").matches("aa")).isFalse();
		assertThat(ChannelPattern.of("[\\d]").matches("d")).isTrue();
		assertThat(ChannelPattern.of("[\\d]").matches("1")).isFalse();
		assertThat(ChannelPattern.of("[").matches("[")).isTrue();
		assertThat(ChannelPattern.of("[]").matches("[]")).isTrue();
		assertThat(ChannelPattern.of("a\\").matches("a\\")).isTrue();
	}

	@Test
	void anyTextIsAPattern() {
		SplittableRandom random = new SplittableRandom(7);
		String alphabet = "*?[]^-\\(){}.+$|ab";
		for (int i = 0; i < 10_000; i++) {
			StringBuilder glob = new StringBuilder();
			for (int n = random.nextInt(12); n > 0; n--) {
				glob.append(alphabet.charAt(random.nextInt(alphabet.length())));
			}
			assertThat(ChannelPattern.of(glob.toString()).matches("+switch-master")).isIn(true, false);
		}
	}

}
