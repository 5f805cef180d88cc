package io.redisha.connection;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.stream.Collectors;

import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * With read routing, the nodes the application may read from, as the member sees them
 * now, and whether they changed since the last look.
 */
final class ReadableReplicas {

	private final RedisHaMember member;

	private final String group;

	/** The replicas read from when {@link #changed()} last looked; null before. */
	private volatile @Nullable Set<NodeAddress> lastSeen;

	ReadableReplicas(RedisHaMember member, String group) {
		this.member = member;
		this.group = group;
	}

	/** Whether the address is one of the nodes read from now, by name or by IP. */
	boolean includes(InetSocketAddress address) {
		return now().stream()
			.anyMatch((replica) -> replica.port() == address.getPort()
					&& (replica.host().equals(address.getHostString()) || address.getAddress() != null
							&& replica.host().equals(address.getAddress().getHostAddress())));
	}

	/**
	 * Whether the nodes read from changed since the last call (a replica repointed to the
	 * new master after a failover, one gone down); false at the first call, when the
	 * connections were opened to what the member sees now.
	 */
	boolean changed() {
		Set<NodeAddress> before = this.lastSeen;
		Set<NodeAddress> now = now();
		this.lastSeen = now;
		return before != null && !now.equals(before);
	}

	private Set<NodeAddress> now() {
		return of(this.member.snapshot(this.group));
	}

	/**
	 * The nodes read routing may read from: those seen up, answering as replicas of the
	 * group's master with their link to it up. Not a replica of a master that died, nor
	 * one whose INFO still names the old master after a failover: it is read from once it
	 * follows the new one, and that change is what sends the factory to discover it.
	 */
	static Set<NodeAddress> of(@Nullable GroupSnapshot snapshot) {
		GroupSnapshot.NodeSnapshot master = (snapshot != null) ? snapshot.master() : null;
		if (snapshot == null || master == null) {
			return Set.of();
		}
		return snapshot.replicas()
			.stream()
			.filter((replica) -> replica.streamsFrom(master.address()))
			.map(GroupSnapshot.NodeSnapshot::address)
			.collect(Collectors.toUnmodifiableSet());
	}

}
