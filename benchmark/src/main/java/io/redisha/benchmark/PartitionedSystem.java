package io.redisha.benchmark;

import java.util.Map;
import java.util.Set;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Application instances and whatever makes their Redis group highly available, wired
 * through a {@link io.redisha.embedded.PartitionableRedisGroup} so that a partition cuts
 * them too.
 */
interface PartitionedSystem extends AutoCloseable {

	/** The instances writing, by name, A (with the old master) first. */
	Map<String, StringRedisTemplate> templates();

	/** The parties on A's side of the cut, with the old master {@code N0}. */
	Set<String> minority();

	/** The parties on the other side, with the replicas. */
	Set<String> majority();

	/**
	 * Whether the system names this node ({@code host:port}, as the nodes announce it) as
	 * the master.
	 */
	boolean agreesOn(String master);

	@Override
	void close();

}
