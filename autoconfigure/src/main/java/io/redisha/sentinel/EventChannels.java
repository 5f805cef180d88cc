package io.redisha.sentinel;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

import io.netty.channel.EventLoop;
import io.redisha.member.SentinelText;
import io.redisha.protocol.ProtocolEvent;
import org.jspecify.annotations.Nullable;

/**
 * Hands the member's events to the subscribed connections, on a channel named for the
 * event with Sentinel's payload (e.g. {@code +switch-master} carrying
 * {@code orders 10.0.0.12 6379 10.0.0.14 6379}), the moment the member emits them. The
 * member's thread only queues a task on the endpoint's event loop, which owns every
 * connection's state.
 */
final class EventChannels implements Consumer<ProtocolEvent> {

	/** Null while the endpoint is stopped. */
	private volatile @Nullable EventLoop loop;

	/** Touched only on {@link #loop}. */
	private final Set<SentinelSession> subscribers = new HashSet<>();

	/** Forwards events to the connections of this loop from now on. */
	void attach(EventLoop loop) {
		this.loop = loop;
	}

	/** Stops forwarding: the endpoint stopped. */
	void detach() {
		this.loop = null;
	}

	/** Called on the member's threads: never blocks. */
	@Override
	public void accept(ProtocolEvent event) {
		if (!SentinelText.announced(event)) {
			return;
		}
		EventLoop target = this.loop;
		if (target == null) {
			return;
		}
		String channel = event.type().sentinelName();
		String payload = SentinelText.payload(event);
		try {
			target.execute(() -> {
				for (SentinelSession subscriber : Set.copyOf(this.subscribers)) {
					subscriber.deliver(channel, payload);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			// The endpoint is stopping: its connections are being closed.
		}
	}

	void subscribe(SentinelSession session) {
		this.subscribers.add(session);
	}

	void unsubscribe(SentinelSession session) {
		this.subscribers.remove(session);
	}

}
