package io.redisha.protocol;

import org.junit.jupiter.api.Test;

import io.redisha.protocol.GossipMessage.Goodbye;
import io.redisha.protocol.GossipMessage.Hello;
import io.redisha.protocol.MemberTable.Receipt;

import static org.assertj.core.api.Assertions.assertThat;

class MemberTableTest {

	private static final long EXPIRY = 5_000;

	private final MemberTable table = new MemberTable("self", EXPIRY);

	@Test
	void aNewMemberBeyondTheLimitIsRefusedWhileKnownOnesGoOn() {
		for (int i = 0; i < MemberTable.MAX_MEMBERS; i++) {
			assertThat(this.table.receive(hello("m-" + i, 1), 0)).isEqualTo(Receipt.JOINED);
		}
		assertThat(this.table.receive(hello("phantom", 1), 0)).isEqualTo(Receipt.FULL);
		assertThat(this.table.receive(hello("m-0", 2), 0)).isEqualTo(Receipt.NEW);
		assertThat(this.table.get("phantom")).isNull();
	}

	@Test
	void aForgottenMembersOldMessagesStayDuplicatesUntilTheReplayHorizon() {
		this.table.receive(hello("m-1", 1), 0);
		this.table.receive(hello("m-1", 2), 0);
		assertThat(this.table.expire(EXPIRY + 1)).containsExactly("m-1");
		assertThat(this.table.receive(hello("m-1", 2), EXPIRY + 2)).isEqualTo(Receipt.IGNORED);
		assertThat(this.table.get("m-1")).isNull();
		assertThat(this.table.receive(hello("m-1", 3), EXPIRY + 3)).isEqualTo(Receipt.JOINED);
	}

	@Test
	void aDepartedMemberStaysDepartedForTheReplayHorizonEvenWithAShortExpiry() {
		this.table.receive(hello("m-1", 1), 0);
		this.table.receive(new Goodbye("orders", "m-1", 2, new Configuration.Departure(0, 0, 0)), 0);
		this.table.depart("m-1", 0);
		this.table.expire(MemberTable.REPLAY_HORIZON);
		assertThat(this.table.receive(hello("m-1", 1), MemberTable.REPLAY_HORIZON)).isEqualTo(Receipt.IGNORED);
		this.table.expire(MemberTable.REPLAY_HORIZON + 1);
		assertThat(this.table.receive(hello("m-1", 3), MemberTable.REPLAY_HORIZON + 1)).isEqualTo(Receipt.JOINED);
	}

	private static Hello hello(String sender, long sequence) {
		return new Hello("orders", sender, sequence, "app", 1, NodeAddress.parse("10.0.0.1:6379"), 1, false, 0);
	}

}
