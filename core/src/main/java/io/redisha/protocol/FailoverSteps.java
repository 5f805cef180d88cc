package io.redisha.protocol;

import java.util.ArrayList;
import java.util.List;

import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;

/**
 * The steps of one failover, each with its time since the election started, for the
 * endpoint.
 */
final class FailoverSteps {

	private final long startedAt;

	private final List<FailoverSnapshot.Step> steps = new ArrayList<>();

	FailoverSteps(long startedAt) {
		this.startedAt = startedAt;
	}

	void add(String name, long at) {
		this.steps.add(new FailoverSnapshot.Step(name, at - this.startedAt));
	}

	List<FailoverSnapshot.Step> list() {
		return this.steps;
	}

}
