package io.redisha.protocol;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Members on a fake clock around {@link FakeRedis}: commands are answered and messages
 * delivered at once (through the first node both members reach), ticks every 100 ms.
 * Tests cut members off from nodes to stage partitions.
 */
final class TestCluster {

	static final long TICK = 100;

	final FakeRedis redis = new FakeRedis();

	final List<Member> members = new ArrayList<>();

	long now = 1_000_000;

	private final SplittableRandom random = new SplittableRandom(42);

	/**
	 * A member that is about to carry out a matching action crashes instead (the action
	 * still reaches Redis).
	 */
	Predicate<Action> crashBefore = (action) -> false;

	/**
	 * Runs just before a command reaches its node: the world changing meanwhile (a write
	 * slipping in).
	 */
	Consumer<Action.NodeCommand> beforeCommand = (command) -> {
	};

	/** A matching command never reaches its node: the member gets a timeout. */
	Predicate<Action.NodeCommand> lostRequest = (command) -> false;

	/**
	 * A matching command is carried out, but its reply is lost: the member gets a
	 * timeout.
	 */
	Predicate<Action.NodeCommand> lostReply = (command) -> false;

	Member member(String id, GroupConfig config) {
		return member(new MemberIdentity(id, "app-" + id), config);
	}

	Member member(MemberIdentity identity, GroupConfig config) {
		Member member = new Member(new GroupCoordinator(config, identity, this.now, this.random.split()));
		this.members.add(member);
		return member;
	}

	/**
	 * Advances the clock in ticks, each member ticking once per tick, delivering
	 * everything at once.
	 */
	void run(long millis) {
		long end = this.now + millis;
		while (this.now < end) {
			this.now += TICK;
			for (Member member : List.copyOf(this.members)) {
				if (member.running && this.now >= member.pausedUntil) {
					deliver(member, member.coordinator.tick(this.now));
				}
			}
		}
	}

	/**
	 * Runs until the condition holds, at most {@code millis}; returns whether it held.
	 */
	boolean runUntil(long millis, Predicate<TestCluster> condition) {
		long end = this.now + millis;
		while (this.now < end) {
			if (condition.test(this)) {
				return true;
			}
			run(TICK);
		}
		return condition.test(this);
	}

	void stop(Member member) {
		deliver(member, member.coordinator.stop(this.now));
		member.running = false;
	}

	void crash(Member member) {
		member.running = false;
	}

	void deliver(Member from, List<Action> actions) {
		Deque<Work> queue = new ArrayDeque<>();
		actions.forEach((action) -> queue.add(new Work(from, action)));
		int budget = 100_000;
		while (!queue.isEmpty()) {
			if (--budget == 0) {
				throw new IllegalStateException(
						"message storm: " + queue.size() + " actions queued, e.g. " + queue.peek());
			}
			Work work = queue.poll();
			Member member = work.member;
			if (!member.running || this.now < member.pausedUntil) {
				continue;
			}
			member.actions.add(work.action);
			if (this.crashBefore.test(work.action)) {
				member.running = false;
				if (work.action instanceof Action.NodeCommand command && member.reaches(command.node())) {
					this.redis.answer(command);
				}
			}
			else if (work.action instanceof Action.NodeCommand command) {
				Reply reply = reply(member, command);
				member.replies.add(reply);
				work(queue, member, member.coordinator.onReply(this.now, command, reply));
			}
			else if (work.action instanceof Action.Publish publish) {
				for (Member other : this.members) {
					NodeAddress via = commonNode(member, other);
					if (listens(other, member, publish.channel()) && via != null) {
						work(queue, other, other.coordinator.onGossip(this.now, via, publish.payload()));
					}
				}
			}
			else if (work.action instanceof Action.PublishOn publish) {
				FakeRedis.Node node = this.redis.node(publish.node().toString());
				for (Member other : this.members) {
					if (listens(other, member, publish.channel()) && node != null && node.alive
							&& member.reaches(publish.node()) && other.reaches(publish.node())) {
						work(queue, other, other.coordinator.onGossip(this.now, publish.node(), publish.payload()));
					}
				}
			}
			else if (work.action instanceof Action.Listen listen) {
				member.listening = listen.channel();
			}
			else if (work.action instanceof Action.Monitor monitor) {
				member.monitored.add(monitor.node());
			}
			else if (work.action instanceof Action.Unmonitor unmonitor) {
				member.monitored.remove(unmonitor.node());
			}
			else if (work.action instanceof Action.Emit emit) {
				member.events.add(emit.event());
			}
		}
	}

	private Reply reply(Member member, Action.NodeCommand command) {
		if (!member.reaches(command.node())) {
			return new Reply.Failed("cut off");
		}
		if (this.lostRequest.test(command)) {
			return new Reply.Failed("no reply from " + command.node() + " within 1000 ms");
		}
		this.beforeCommand.accept(command);
		Reply reply = this.redis.answer(command);
		return this.lostReply.test(command) ? new Reply.Failed("no reply from " + command.node() + " within 1000 ms")
				: reply;
	}

	private static void work(Deque<Work> queue, Member member, List<Action> actions) {
		actions.forEach((action) -> queue.add(new Work(member, action)));
	}

	private boolean listens(Member member, Member sender, String channel) {
		return member != sender && member.running && this.now >= member.pausedUntil && channel.equals(member.listening);
	}

	private NodeAddress commonNode(Member a, Member b) {
		for (NodeAddress address : a.monitored) {
			FakeRedis.Node node = this.redis.node(address.toString());
			if (node != null && node.alive && a.reaches(address) && b.reaches(address)) {
				return address;
			}
		}
		return null;
	}

	private record Work(Member member, Action action) {
	}

	/** One member: its coordinator, what it did and which nodes it cannot reach. */
	static final class Member {

		final GroupCoordinator coordinator;

		final List<Action> actions = new ArrayList<>();

		final List<Reply> replies = new ArrayList<>();

		final List<ProtocolEvent> events = new ArrayList<>();

		final Set<NodeAddress> monitored = new LinkedHashSet<>();

		final Set<NodeAddress> cutOff = new HashSet<>();

		/** The channel it is subscribed to (see {@link Action.Listen}). */
		String listening = GroupCoordinator.GOSSIP_CHANNEL;

		boolean running = true;

		/**
		 * A frozen process (GC pause, stopped container): no ticks, no input until then.
		 */
		long pausedUntil;

		Member(GroupCoordinator coordinator) {
			this.coordinator = coordinator;
		}

		boolean reaches(NodeAddress node) {
			return !this.cutOff.contains(node);
		}

		void cutOffFrom(String... nodes) {
			for (String node : nodes) {
				this.cutOff.add(NodeAddress.parse(node));
			}
		}

		List<ProtocolEvent> events(ProtocolEvent.Type type) {
			return this.events.stream().filter((event) -> event.type() == type).toList();
		}

		<T extends Action> List<T> actions(Class<T> type) {
			return this.actions.stream().filter(type::isInstance).map(type::cast).toList();
		}

	}

}
