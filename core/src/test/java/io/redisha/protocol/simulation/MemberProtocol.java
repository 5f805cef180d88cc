package io.redisha.protocol.simulation;

import java.util.List;

import io.redisha.protocol.Action;
import io.redisha.protocol.CommandOutcome;
import io.redisha.protocol.Configuration;
import io.redisha.protocol.GroupCoordinator;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.Reply;

/**
 * What a simulated member runs: the real {@link GroupCoordinator}, or in the harness's
 * own tests a scripted stand-in, so that the world can be tested on its own.
 */
interface MemberProtocol {

	List<Action> tick(long now);

	List<Action> onReply(long now, Action.NodeCommand command, Reply reply);

	List<Action> onGossip(long now, NodeAddress via, String payload);

	List<Action> stop(long now);

	/**
	 * An operator's switchover to the best replica; the actions to carry out (none when
	 * refused).
	 */
	List<Action> switchover(long now, long timeoutMillis);

	/** An operator's forced failover; the actions to carry out (none when refused). */
	List<Action> forceFailover(long now);

	/**
	 * An operator's word that the silent voters are dead: what became of it, with the
	 * actions to carry out (none when refused).
	 */
	CommandOutcome replaceVoters(long now);

	/**
	 * An operator's forget of a member by id; the actions to carry out (none when
	 * refused).
	 */
	List<Action> forgetMember(long now, String memberId);

	/** An operator's pause of automatic failover; the actions to carry out. */
	List<Action> pause(long now);

	/** An operator's resume of automatic failover; the actions to carry out. */
	List<Action> resume(long now);

	GroupSnapshot snapshot(long now);

	/** Whether the member's application may write now (the partition fence). */
	boolean admitsWrites(long now);

	/**
	 * The configuration the member holds; null when none (or when the stand-in has none).
	 */
	Configuration configuration();

	static MemberProtocol of(GroupCoordinator coordinator) {
		return new MemberProtocol() {

			@Override
			public List<Action> tick(long now) {
				return coordinator.tick(now);
			}

			@Override
			public List<Action> onReply(long now, Action.NodeCommand command, Reply reply) {
				return coordinator.onReply(now, command, reply);
			}

			@Override
			public List<Action> onGossip(long now, NodeAddress via, String payload) {
				return coordinator.onGossip(now, via, payload);
			}

			@Override
			public List<Action> stop(long now) {
				return coordinator.stop(now);
			}

			@Override
			public List<Action> switchover(long now, long timeoutMillis) {
				return coordinator.requestSwitchover(now, null, timeoutMillis).actions();
			}

			@Override
			public List<Action> forceFailover(long now) {
				return coordinator.requestFailover(now).actions();
			}

			@Override
			public CommandOutcome replaceVoters(long now) {
				return coordinator.replaceVoters(now);
			}

			@Override
			public List<Action> forgetMember(long now, String memberId) {
				return coordinator.forgetMember(now, memberId).actions();
			}

			@Override
			public List<Action> pause(long now) {
				return coordinator.pause(now).actions();
			}

			@Override
			public List<Action> resume(long now) {
				return coordinator.resume(now).actions();
			}

			@Override
			public GroupSnapshot snapshot(long now) {
				return coordinator.snapshot(now);
			}

			@Override
			public boolean admitsWrites(long now) {
				return coordinator.admitsWrites(now);
			}

			@Override
			public Configuration configuration() {
				return coordinator.configuration();
			}

		};
	}

}
