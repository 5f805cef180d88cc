package io.redisha.protocol;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.GossipMessage.Maintenance;
import io.redisha.protocol.ProtocolEvent.Type;

/**
 * Whether automatic failover is paused in the whole group (maintenance mode): changed by
 * an operator on any member, announced at once and in every hello, the latest change
 * adopted by every member.
 */
final class MaintenanceMode {

	private final CoordinatorParts parts;

	private Maintenance maintenance = Maintenance.NONE;

	/** When this member paused or learned of the pause; -1 when not paused. */
	private long pausedSince = -1;

	MaintenanceMode(CoordinatorParts parts) {
		this.parts = parts;
	}

	boolean paused() {
		return this.maintenance.paused();
	}

	/** The latest pause or resume, as every hello tells it. */
	Maintenance current() {
		return this.maintenance;
	}

	/** Who paused and since when; null when not paused. */
	GroupSnapshot.@Nullable PauseSnapshot snapshot() {
		return this.maintenance.paused() ? new GroupSnapshot.PauseSnapshot(this.maintenance.by(), this.pausedSince)
				: null;
	}

	/** An operator's pause or resume on this member. */
	CommandOutcome change(long now, boolean paused) {
		List<Action> out = new ArrayList<>();
		if (this.maintenance.paused() == paused) {
			return CommandOutcome.done(
					paused ? "already paused by member " + this.maintenance.by() : "automatic failover is not paused",
					out);
		}
		apply(now, new Maintenance(this.maintenance.version() + 1, paused, this.parts.self.id()), out);
		this.parts.gossip.hello(now, out);
		String group = this.parts.config.name();
		return CommandOutcome.done(
				paused ? "automatic failover paused in group " + group : "automatic failover resumed in group " + group,
				out);
	}

	/** Adopts a later pause or resume heard from a peer. */
	void adopt(long now, Maintenance announced, List<Action> out) {
		if (announced.supersedes(this.maintenance)) {
			boolean changed = announced.paused() != this.maintenance.paused();
			apply(now, announced, out);
			if (changed) {
				this.parts.gossip.announce(now, out);
			}
		}
	}

	private void apply(long now, Maintenance next, List<Action> out) {
		boolean changed = next.paused() != this.maintenance.paused();
		this.maintenance = next;
		if (changed) {
			this.pausedSince = next.paused() ? now : -1;
			this.parts.emit(out, next.paused() ? Type.PAUSED : Type.RESUMED, null, "by member " + next.by());
			Election election = this.parts.elections.current();
			if (next.paused() && election != null && !election.forced()) {
				this.parts.elections.abort(now, "automatic failover paused", out);
			}
		}
	}

}
