package io.redisha.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedisVersionTest {

	@Test
	void readsTheMajorNumberBeforeTheFirstDot() {
		assertThat(RedisVersion.major("7.0.15")).isEqualTo(7);
		assertThat(RedisVersion.major("3")).isEqualTo(3);
		assertThat(RedisVersion.major("")).isEqualTo(-1);
		assertThat(RedisVersion.major("v7.2")).isEqualTo(-1);
		assertThat(RedisVersion.major("-1.0")).isEqualTo(-1);
		assertThat(RedisVersion.major("99999999999999999999.0")).isEqualTo(-1);
	}

	@Test
	void comparesMajorThenMinor() {
		assertThat(RedisVersion.atLeast("6.2.14", 6, 2)).isTrue();
		assertThat(RedisVersion.atLeast("6.0.20", 6, 2)).isFalse();
		assertThat(RedisVersion.atLeast("7.0.15", 6, 2)).isTrue();
		assertThat(RedisVersion.atLeast("7", 6, 2)).isTrue();
		assertThat(RedisVersion.atLeast("6", 6, 2)).isFalse();
		assertThat(RedisVersion.atLeast("7", 7, 0)).isFalse();
		assertThat(RedisVersion.atLeast("", 5, 0)).isFalse();
		assertThat(RedisVersion.atLeast("5.x", 5, 0)).isFalse();
	}

}
