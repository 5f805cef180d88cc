package io.redisha.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.redisha.member.MemberActivityListener;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GossipRejection;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeSnapshot;
import io.redisha.protocol.GroupSnapshot.NodeStatus;
import io.redisha.protocol.GroupState;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;

/**
 * Micrometer meters of a {@link RedisHaMember}, all named {@code redis.ha.*} and tagged
 * with {@code group} (and {@code node}, {@code role}, {@code state}, {@code trigger},
 * {@code result} or {@code step}, each from a small set of values). Gauges read the
 * member's latest snapshot; counters and timers are fed by its events and activity.
 * Lettuce's command metrics are left to Spring Boot. See docs/operations.md for the list
 * and alerting advice.
 */
public class RedisHaMetrics implements MeterBinder {

	static final String PREFIX = "redis.ha.";

	private static final String MASTER_FENCE_FAILURES = "Times setting min-replicas-to-write on the master failed";

	private final RedisHaMember member;

	public RedisHaMetrics(RedisHaMember member) {
		this.member = member;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Binding binding = new Binding(registry);
		for (String group : this.member.groupNames()) {
			binding.registerGroup(group);
		}
		this.member.addEventListener(binding::onEvent);
		this.member.addActivityListener(binding);
	}

	/** The step tag of a failover step: its name without the node it is about. */
	static String stepTag(String stepName) {
		int space = stepName.indexOf(' ');
		return (space > 0) ? stepName.substring(0, space) : stepName;
	}

	/** The result tag of a finished failover. */
	static String resultTag(FailoverSnapshot failover) {
		return failover.succeeded() ? "succeeded" : "aborted";
	}

	private static String lower(Enum<?> value) {
		return value.name().toLowerCase(Locale.ROOT);
	}

	/** The meters of one registry. */
	private final class Binding implements MemberActivityListener {

		private final MeterRegistry registry;

		private final Map<String, Tags> nodesSeen = new ConcurrentHashMap<>();

		private Binding(MeterRegistry registry) {
			this.registry = registry;
		}

		private void registerGroup(String group) {
			Tags tags = Tags.of("group", group);
			for (GroupState state : GroupState.values()) {
				gauge("state", "1 for the group's current state, else 0", tags.and("state", state.name()), group,
						(snapshot) -> (snapshot.state() == state) ? 1 : 0);
			}
			gauge("epoch", "The highest epoch this member knows of", tags, group, GroupSnapshot::currentEpoch);
			gauge("config.epoch", "The epoch of the master configuration this member follows", tags, group,
					GroupSnapshot::configEpoch);
			gauge("members", "Members seen, this one included", tags, group, (snapshot) -> snapshot.members().size());
			gauge("quorum.reachable", "1 when enough members are reachable to reach quorum and elect a leader", tags,
					group, (snapshot) -> (snapshot.quorumCheck() != null && snapshot.quorumCheck().quorumReachable()
							&& snapshot.quorumCheck().electionReachable()) ? 1 : 0);
			gauge("nodes.up", "Nodes answering PING", tags.and("role", "master"), group,
					(snapshot) -> (snapshot.master() != null && snapshot.master().status() == NodeStatus.UP) ? 1 : 0);
			gauge("nodes.up", "Nodes answering PING", tags.and("role", "replica"), group, (
					snapshot) -> snapshot.replicas().stream().filter((node) -> node.status() == NodeStatus.UP).count());
			for (GossipRejection reason : GossipRejection.values()) {
				FunctionCounter
					.builder(PREFIX + "gossip.rejected", RedisHaMetrics.this.member,
							(member) -> value(member, group, (snapshot) -> snapshot.rejections().count(reason)))
					.description("Gossip messages ignored: unsigned, forged, replayed, malformed, oversized, foreign,"
							+ " dropped, or from one member too many")
					.tags(tags.and("reason", reason.tag()))
					.register(this.registry);
			}
			gauge("fenced", "1 while this member refuses the application's writes (the partition fence), else 0", tags,
					group, (snapshot) -> snapshot.fence().fenced() ? 1 : 0);
			FunctionCounter
				.builder(PREFIX + "writes.fenced", RedisHaMetrics.this.member, (member) -> member.refusedWrites(group))
				.description("Application writes the partition fence refused, never sent to Redis")
				.tags(tags)
				.register(this.registry);
			FunctionCounter
				.builder(PREFIX + "writes.unconfirmed", RedisHaMetrics.this.member,
						(member) -> member.unconfirmedWrites(group))
				.description("Application writes whose reply came after this member stopped admitting writes to"
						+ " their master: failed as possibly carried out, not acknowledged")
				.tags(tags)
				.register(this.registry);
			counter("gossip.sent", "Gossip messages this member published", tags);
			counter("gossip.received", "Gossip payloads received, counted once per node they arrived through", tags);
			counter("master.changes", "Times this member switched to a new master", tags);
			counter("tilt.entries", "Times this member entered TILT", tags);
			counter("master.fence.failures", MASTER_FENCE_FAILURES, tags);
		}

		private void gauge(String name, String description, Tags tags, String group,
				ToDoubleFunction<GroupSnapshot> value) {
			Gauge.builder(PREFIX + name, RedisHaMetrics.this.member, (member) -> value(member, group, value))
				.description(description)
				.tags(tags)
				.register(this.registry);
		}

		private static double value(RedisHaMember member, String group, ToDoubleFunction<GroupSnapshot> value) {
			GroupSnapshot snapshot = member.snapshot(group);
			return (snapshot != null) ? value.applyAsDouble(snapshot) : Double.NaN;
		}

		private Counter counter(String name, String description, Tags tags) {
			return Counter.builder(PREFIX + name).description(description).tags(tags).register(this.registry);
		}

		private Timer timer(String name, String description, Tags tags) {
			return Timer.builder(PREFIX + name).description(description).tags(tags).register(this.registry);
		}

		void onEvent(ProtocolEvent event) {
			Tags tags = Tags.of("group", event.group());
			if (event.type() == ProtocolEvent.Type.SWITCH_MASTER) {
				counter("master.changes", "Times this member switched to a new master", tags).increment();
			}
			else if (event.type() == ProtocolEvent.Type.TILT) {
				counter("tilt.entries", "Times this member entered TILT", tags).increment();
			}
		}

		@Override
		public void pingAnswered(String group, NodeAddress node, long nanos) {
			Tags tags = nodeTags(group, node);
			timer("ping", "Round trip of PING to a node", tags).record(Duration.ofNanos(nanos));
		}

		/**
		 * The tags of a node; its replication lag gauge is registered the first time it
		 * is seen.
		 */
		private Tags nodeTags(String group, NodeAddress node) {
			return this.nodesSeen.computeIfAbsent(group + " " + node, (key) -> {
				Tags tags = Tags.of("group", group, "node", node.toString());
				Gauge
					.builder(PREFIX + "replication.lag", RedisHaMetrics.this.member,
							(member) -> lag(member, group, node))
					.description("Bytes a replica is behind its master; NaN for the master or when unknown")
					.baseUnit("bytes")
					.tags(tags)
					.register(this.registry);
				return tags;
			});
		}

		private static double lag(RedisHaMember member, String group, NodeAddress node) {
			GroupSnapshot snapshot = member.snapshot(group);
			List<NodeSnapshot> replicas = (snapshot != null) ? snapshot.replicas() : List.of();
			for (NodeSnapshot replica : replicas) {
				if (replica.address().equals(node) && replica.lag() >= 0) {
					return replica.lag();
				}
			}
			return Double.NaN;
		}

		@Override
		public void masterFenceFailed(String group, NodeAddress node) {
			counter("master.fence.failures", MASTER_FENCE_FAILURES, Tags.of("group", group)).increment();
		}

		@Override
		public void gossipSent(String group) {
			counter("gossip.sent", "Gossip messages this member published", Tags.of("group", group)).increment();
		}

		@Override
		public void gossipReceived(String group) {
			counter("gossip.received", "Gossip payloads received, counted once per node they arrived through",
					Tags.of("group", group))
				.increment();
		}

		/**
		 * Counts and times the failovers this member led; those learned from others are
		 * theirs to count.
		 */
		@Override
		public void failoverRecorded(String group, FailoverSnapshot failover) {
			if (failover.trigger() == GroupSnapshot.Trigger.OBSERVED
					|| !failover.leader().equals(RedisHaMetrics.this.member.identity().id())) {
				return;
			}
			Tags tags = Tags.of("group", group, "trigger", lower(failover.trigger()), "result", resultTag(failover));
			counter("failovers", "Failovers and switchovers this member led, by trigger and result", tags).increment();
			timer("failover.duration", "Duration of the failovers this member led", tags)
				.record(Duration.ofMillis(failover.endedAtMs() - failover.startedAtMs()));
			List<FailoverSnapshot.Step> steps = failover.steps();
			for (int i = 0; i + 1 < steps.size(); i++) {
				timer("failover.step.duration", "Time from a failover step to the next one",
						Tags.of("group", group, "step", stepTag(steps.get(i).name())))
					.record(Duration.ofMillis(steps.get(i + 1).atMs() - steps.get(i).atMs()));
			}
		}

	}

}
