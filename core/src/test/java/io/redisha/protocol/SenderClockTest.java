package io.redisha.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SenderClockTest {

	@Test
	void placesAMessageAtItsSendTimePlusTheLeastDelaySeenEvenWhenItArrivesLate() {
		SenderClock clock = new SenderClock();
		// the sender's clock runs 5,000 ms behind; messages take 2 to 40 ms
		clock.sample(10_040, 5_000);
		clock.sample(11_002, 6_000);
		assertThat(clock.toLocal(6_000)).isEqualTo(11_002);
		// one that waited 9 s in a buffer (this member frozen) is placed when it was sent
		clock.sample(21_000, 7_000);
		assertThat(clock.toLocal(7_000)).isEqualTo(12_002);
	}

	@Test
	void saysWhenItsSamplesBeganAndBeginsAgainAfterASilenceThatEmptiedTheWindow() {
		SenderClock clock = new SenderClock();
		assertThat(clock.since()).isEqualTo(-1);
		clock.sample(10_000, 4_000);
		clock.sample(10_020, 4_600);
		assertThat(clock.since()).isEqualTo(10_000);
		clock.sample(10_000 + SenderClock.WINDOW, 4_000 + SenderClock.WINDOW);
		assertThat(clock.since()).as("samples without a lapse").isEqualTo(10_000);
		clock.sample(10_000 + 3 * SenderClock.WINDOW, 4_000 + 3 * SenderClock.WINDOW);
		assertThat(clock.since()).isEqualTo(10_000 + 3 * SenderClock.WINDOW);
	}

	@Test
	void forgetsOldSamplesSoThatClocksDriftingApartAreFollowed() {
		SenderClock clock = new SenderClock();
		clock.sample(0, 0);
		clock.sample(SenderClock.WINDOW, SenderClock.WINDOW - 10);
		assertThat(clock.toLocal(100)).as("the least offset of the last two windows").isEqualTo(100);
		clock.sample(2 * SenderClock.WINDOW, 2 * SenderClock.WINDOW - 10);
		assertThat(clock.toLocal(100)).isEqualTo(110);
	}

}
