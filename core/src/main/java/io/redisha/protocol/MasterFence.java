package io.redisha.protocol;

import java.util.List;

/**
 * Keeps the current master fenced as {@link MinReplicas} says. The leader fences the node
 * it promotes, but a master adopted as already promoted, restarted from a config file
 * written before, or changed by hand may lack the fence. A member that may repair nodes
 * asks the master at most once an INFO period, and the node changes its settings only
 * when they differ.
 */
final class MasterFence {

	private final MinReplicas minReplicas;

	private final long period;

	private long lastAskedAt = -1;

	MasterFence(MinReplicas minReplicas, long period) {
		this.minReplicas = minReplicas;
		this.period = period;
	}

	/**
	 * @param master the current master
	 * @param mayRepair whether this member may reconfigure nodes now: only a voter that
	 * hears a majority holding its configuration, in calm times, touches the master
	 */
	void keep(long now, NodeAddress master, boolean mayRepair, List<Action> out) {
		boolean due = this.lastAskedAt < 0 || now - this.lastAskedAt >= this.period;
		if (this.minReplicas.managed() && mayRepair && due) {
			this.lastAskedAt = now;
			out.add(new Action.FenceMaster(master, this.minReplicas));
		}
	}

}
