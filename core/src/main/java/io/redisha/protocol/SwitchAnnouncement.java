package io.redisha.protocol;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * The second publication of a switch of master. A failover disconnects the subscribers of
 * the nodes it promotes and repoints ({@code CLIENT KILL TYPE pubsub}) at the moment it
 * switches, which is when {@code +switch-master} is first published: subscribers that
 * resubscribe by themselves may miss it. So {@value #REPEAT_AFTER} ms after a switch this
 * member asks for its notification once more ({@link Action.Reannounce}), if the master
 * it switched to is still the one it follows: a later switch is not contradicted, and is
 * repeated itself instead.
 */
final class SwitchAnnouncement {

	/** After how long a switch is announced again. */
	static final long REPEAT_AFTER = 2000;

	private @Nullable ProtocolEvent pending;

	private long dueAt;

	/** This member switched from one master to another ({@code event}, emitted now). */
	void switched(long now, ProtocolEvent event) {
		this.pending = event;
		this.dueAt = now + REPEAT_AFTER;
	}

	/**
	 * Asks for the repetition when it is due, if {@code master} (the one this member
	 * follows now) is still the switch's.
	 */
	void tick(long now, @Nullable NodeAddress master, List<Action> out) {
		ProtocolEvent event = this.pending;
		if (event != null && now >= this.dueAt) {
			this.pending = null;
			if (Objects.equals(event.master(), master)) {
				out.add(new Action.Reannounce(event));
			}
		}
	}

}
