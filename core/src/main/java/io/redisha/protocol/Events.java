package io.redisha.protocol;

import java.util.List;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.ProtocolEvent.Type;

/**
 * The protocol events of one group, each naming the master this member follows when it
 * happens.
 */
final class Events {

	private final String group;

	private final MasterView master;

	Events(String group, MasterView master) {
		this.group = group;
		this.master = master;
	}

	/**
	 * An event of an epoch: an election or failover carries its own even if a later one
	 * is known by now.
	 */
	void emit(List<Action> out, Type type, long epoch, @Nullable NodeAddress node, @Nullable String detail) {
		out.add(new Action.Emit(new ProtocolEvent(type, this.group, epoch, node, this.master.address(), detail)));
	}

}
