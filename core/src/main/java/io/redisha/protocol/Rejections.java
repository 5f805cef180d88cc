package io.redisha.protocol;

import java.util.EnumMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/** The gossip payloads this member ignored, counted by reason. */
final class Rejections {

	private final Map<GossipRejection, Long> byReason = new EnumMap<>(GossipRejection.class);

	private long total;

	private @Nullable String last;

	void count(GossipRejection reason, long count, String detail) {
		this.byReason.merge(reason, count, Long::sum);
		this.total += count;
		this.last = reason.tag() + ": " + detail;
	}

	long total() {
		return this.total;
	}

	GroupSnapshot.RejectionsSnapshot snapshot() {
		return new GroupSnapshot.RejectionsSnapshot(this.byReason, this.last);
	}

}
