package io.redisha.event;

import java.util.Objects;

import io.redisha.member.RedisHaMember;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.ProtocolEvent;
import org.jspecify.annotations.Nullable;

/**
 * The group's master changed ({@code +switch-master}); the application's master-following
 * connections move to {@link #getNewMaster()} at the same moment. Also published for the
 * first master this member learns of, with a null {@link #getOldMaster()}.
 */
public final class MasterSwitchedEvent extends RedisHaEvent {

	public MasterSwitchedEvent(RedisHaMember member, ProtocolEvent event) {
		super(member, event);
	}

	/** The master before; null for the first master this member learns of. */
	public @Nullable NodeAddress getOldMaster() {
		return getNode();
	}

	/** The master now. */
	public NodeAddress getNewMaster() {
		// A switch always names its new master.
		return Objects.requireNonNull(getMaster());
	}

}
