package io.redisha.member;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.redisha.protocol.GroupSnapshot.FailoverSnapshot;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member's listeners: the routes first, then the other event listeners, and the
 * activity listeners. A listener that throws is logged and the others are still told.
 */
final class MemberListeners {

	// Under the member's logger: one category to configure for the member.
	private static final Logger logger = LoggerFactory.getLogger(RedisHaMember.class);

	private final List<Consumer<ProtocolEvent>> routingListeners = new CopyOnWriteArrayList<>();

	private final List<Consumer<ProtocolEvent>> eventListeners = new CopyOnWriteArrayList<>();

	private final List<Consumer<ProtocolEvent>> reannouncementListeners = new CopyOnWriteArrayList<>();

	private final List<MemberActivityListener> activityListeners = new CopyOnWriteArrayList<>();

	private final MemberActivityListener activity = new MemberActivityListener() {

		@Override
		public void pingAnswered(String group, NodeAddress node, long nanos) {
			notifyActivity((listener) -> listener.pingAnswered(group, node, nanos));
		}

		@Override
		public void gossipSent(String group) {
			notifyActivity((listener) -> listener.gossipSent(group));
		}

		@Override
		public void gossipReceived(String group) {
			notifyActivity((listener) -> listener.gossipReceived(group));
		}

		@Override
		public void failoverRecorded(String group, FailoverSnapshot failover) {
			notifyActivity((listener) -> listener.failoverRecorded(group, failover));
		}

	};

	void addRoutingListener(Consumer<ProtocolEvent> listener) {
		this.routingListeners.add(listener);
	}

	void addEventListener(Consumer<ProtocolEvent> listener) {
		this.eventListeners.add(listener);
	}

	void addReannouncementListener(Consumer<ProtocolEvent> listener) {
		this.reannouncementListeners.add(listener);
	}

	void addActivityListener(MemberActivityListener listener) {
		this.activityListeners.add(listener);
	}

	/** The listener the group loops report activity to: it tells every one added. */
	MemberActivityListener activity() {
		return this.activity;
	}

	/** Tells the routes, then every other event listener. */
	void publish(ProtocolEvent event) {
		deliver(this.routingListeners, event);
		deliver(this.eventListeners, event);
	}

	/** Tells the listeners that publish notifications to publish this event's again. */
	void reannounce(ProtocolEvent event) {
		deliver(this.reannouncementListeners, event);
	}

	private static void deliver(List<Consumer<ProtocolEvent>> listeners, ProtocolEvent event) {
		for (Consumer<ProtocolEvent> listener : listeners) {
			try {
				listener.accept(event);
			}
			catch (RuntimeException ex) {
				logger.warn("redis-ha event listener {} failed on {}", listener, event, ex);
			}
		}
	}

	private void notifyActivity(Consumer<MemberActivityListener> notification) {
		for (MemberActivityListener listener : this.activityListeners) {
			try {
				notification.accept(listener);
			}
			catch (RuntimeException ex) {
				logger.warn("redis-ha activity listener {} failed", listener, ex);
			}
		}
	}

}
