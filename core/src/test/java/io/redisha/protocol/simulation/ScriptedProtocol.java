package io.redisha.protocol.simulation;

import java.util.ArrayList;
import java.util.List;

import io.redisha.protocol.Action;
import io.redisha.protocol.CommandOutcome;
import io.redisha.protocol.Configuration;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupState;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.Reply;

/**
 * A stand-in member protocol for testing the simulated world itself: it sends what the
 * test queues at its next tick and records every reply and gossip message it receives.
 */
final class ScriptedProtocol implements MemberProtocol {

	private final List<Action> queued = new ArrayList<>();

	private final List<Received> received = new ArrayList<>();

	private final List<Long> ticks = new ArrayList<>();

	private Configuration configuration;

	/** Sends these actions at the next tick. */
	void send(Action... actions) {
		this.queued.addAll(List.of(actions));
	}

	/** Holds this configuration from now on (a stand-in holds none unless told). */
	void hold(Configuration configuration) {
		this.configuration = configuration;
	}

	List<Received> received() {
		return this.received;
	}

	List<Long> ticks() {
		return this.ticks;
	}

	/** The gossip messages received, as {@code via payload}. */
	List<String> gossip() {
		return this.received.stream()
			.filter((message) -> message.via() != null)
			.map((message) -> message.via().port() + " " + message.what())
			.toList();
	}

	/** The nodes the gossip messages came through, in arrival order. */
	List<NodeAddress> gossipVias() {
		return this.received.stream().map(Received::via).filter((via) -> via != null).toList();
	}

	/** The replies received, as {@code command -> reply}. */
	List<Received> replies() {
		return this.received.stream().filter((message) -> message.command() != null).toList();
	}

	@Override
	public List<Action> tick(long now) {
		this.ticks.add(now);
		List<Action> actions = List.copyOf(this.queued);
		this.queued.clear();
		return actions;
	}

	@Override
	public List<Action> onReply(long now, Action.NodeCommand command, Reply reply) {
		this.received.add(new Received(now, null, command, reply));
		return List.of();
	}

	@Override
	public List<Action> onGossip(long now, NodeAddress via, String payload) {
		this.received.add(new Received(now, via, null, payload));
		return List.of();
	}

	@Override
	public List<Action> stop(long now) {
		return List.of(new Action.Publish(io.redisha.protocol.GroupCoordinator.GOSSIP_CHANNEL, "bye"));
	}

	@Override
	public List<Action> switchover(long now, long timeoutMillis) {
		return List.of();
	}

	@Override
	public List<Action> forceFailover(long now) {
		return List.of();
	}

	@Override
	public CommandOutcome replaceVoters(long now) {
		return new CommandOutcome(CommandOutcome.Status.REFUSED, "scripted", 0, List.of());
	}

	@Override
	public List<Action> forgetMember(long now, String memberId) {
		return List.of();
	}

	@Override
	public List<Action> pause(long now) {
		return List.of();
	}

	@Override
	public List<Action> resume(long now) {
		return List.of();
	}

	@Override
	public GroupSnapshot snapshot(long now) {
		return new GroupSnapshot("scripted", GroupState.NO_MASTER, 0, 0, 1, null, List.of(), List.of(), 0, null);
	}

	@Override
	public boolean admitsWrites(long now) {
		return snapshot(now).admitsWrites(now);
	}

	@Override
	public Configuration configuration() {
		return this.configuration;
	}

	/** A reply (with its command) or a gossip message (with the node it came through). */
	record Received(long at, NodeAddress via, Action.NodeCommand command, Object what) {
	}

}
