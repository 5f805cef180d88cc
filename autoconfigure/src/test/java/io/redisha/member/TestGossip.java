package io.redisha.member;

import java.util.List;

import io.redisha.protocol.GossipSeal;

/** The gossip secret the tests' members share. */
public final class TestGossip {

	/** The secret itself, for publishing forged or replayed messages in tests. */
	public static final String SECRET = "redis-ha-tests-gossip-secret-0123456789";

	public static final GossipSeal SEAL = GossipSeal.of(List.of(SECRET));

	private TestGossip() {
	}

}
