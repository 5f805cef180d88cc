package io.redisha.member;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.MemberIdentity;

/**
 * Tells of the failovers and switchovers a {@link GroupLoop}'s snapshots record as they
 * end: to the activity listener, and to the operator who started one. Used on the loop's
 * thread.
 */
final class EndedFailovers {

	private final String group;

	private final MemberIdentity identity;

	private final MemberActivityListener activity;

	/**
	 * How many failovers of the coordinator's history the activity listener has been told
	 * of.
	 */
	private long failoversReported;

	/**
	 * Operator failovers and switchovers started by this member, by epoch, until they
	 * end.
	 */
	private final Map<Long, CompletableFuture<FailoverSnapshot>> awaited = new HashMap<>();

	EndedFailovers(String group, MemberIdentity identity, MemberActivityListener activity) {
		this.group = group;
		this.identity = identity;
		this.activity = activity;
	}

	/**
	 * Awaits the end of an operator failover or switchover this member started.
	 * @return completes with its record when it ended
	 */
	CompletableFuture<FailoverSnapshot> await(long epoch) {
		CompletableFuture<FailoverSnapshot> finished = new CompletableFuture<>();
		this.awaited.put(epoch, finished);
		return finished;
	}

	/** Reports the failovers that ended since the last snapshot. */
	void report(GroupSnapshot current) {
		reportRecordedFailovers(current);
		completeAwaited(current);
	}

	/** Fails every failover still awaited. */
	void memberStopped() {
		this.awaited.values()
			.forEach((finished) -> finished.completeExceptionally(new IllegalStateException("member stopped")));
	}

	/** Completes the futures of operator failovers this member led that have ended. */
	private void completeAwaited(GroupSnapshot current) {
		if (this.awaited.isEmpty()) {
			return;
		}
		for (FailoverSnapshot failover : current.history()) {
			if (failover.endedAtMs() >= 0 && failover.leader().equals(this.identity.id())) {
				CompletableFuture<FailoverSnapshot> finished = this.awaited.remove(failover.epoch());
				if (finished != null) {
					finished.complete(failover);
				}
			}
		}
	}

	/**
	 * Tells the activity listener of the failovers that entered the history since the
	 * last step, oldest first.
	 */
	private void reportRecordedFailovers(GroupSnapshot current) {
		long recorded = current.failoversRecorded();
		if (recorded > this.failoversReported) {
			int count = (int) Math.min(recorded - this.failoversReported, current.history().size());
			for (int i = count - 1; i >= 0; i--) {
				this.activity.failoverRecorded(this.group, current.history().get(i));
			}
			this.failoversReported = recorded;
		}
	}

}
