package io.redisha.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The group's configuration hash of one simulated node, with the semantics of the script
 * {@code NodeLink} runs on real Redis: a store writes only if the hash holds what its
 * condition allows and drops the departures of members that are no longer voters.
 */
public final class StoredHash {

	private StoredConfiguration content = StoredConfiguration.NONE;

	public StoredConfiguration content() {
		return this.content;
	}

	/**
	 * Replication or a restart with persistence: the hash as another node (or a snapshot)
	 * has it.
	 */
	public void copyFrom(StoredHash other) {
		this.content = other.content;
	}

	/** An emptied node: no hash. */
	public void clear() {
		this.content = StoredConfiguration.NONE;
	}

	/** Runs the store; returns its reply. */
	public Reply store(Action.StoreConfiguration store) {
		Configuration held = this.content.config();
		boolean writes = switch (store.condition()) {
			case ABSENT -> held == null;
			case NOT_NEWER -> store.replacing() != null && (held == null || !held.newerThan(store.replacing()));
			case OLDER -> store.config().newerThan(held);
		};
		if (writes) {
			Map<String, Configuration.Departure> departed = new LinkedHashMap<>(this.content.departed());
			departed.keySet().retainAll(store.config().voters());
			this.content = new StoredConfiguration(store.config(), departed);
		}
		return new Reply.Text(writes ? "1" : "0", false);
	}

	public Reply record(Action.RecordDeparture departure) {
		Map<String, Configuration.Departure> departed = new LinkedHashMap<>(this.content.departed());
		departed.put(departure.member(), departure.departure());
		this.content = new StoredConfiguration(this.content.config(), departed);
		return new Reply.Text("1", false);
	}

}
