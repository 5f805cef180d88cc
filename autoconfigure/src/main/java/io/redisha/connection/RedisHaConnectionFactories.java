package io.redisha.connection;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * A master-following connection factory for every configured group, for applications that
 * use more than the primary group: {@code factories.get("stock")} is a
 * {@link MasterFollowingConnectionFactory} following group {@code stock}, created and
 * started at its first use and destroyed with this object. For the primary group it is
 * the application's {@code RedisConnectionFactory} bean itself.
 */
public final class RedisHaConnectionFactories implements AutoCloseable {

	private final List<String> groups;

	private final @Nullable MasterFollowingConnectionFactory primary;

	private final Function<String, MasterFollowingConnectionFactory> create;

	private final Map<String, MasterFollowingConnectionFactory> created = new ConcurrentHashMap<>();

	private volatile boolean closed;

	/**
	 * @param groups every configured group, in configuration order
	 * @param primary the application's factory bean, or null when the application defines
	 * its own
	 * @param create creates a factory (not yet started) for a group
	 */
	public RedisHaConnectionFactories(Collection<String> groups, @Nullable MasterFollowingConnectionFactory primary,
			Function<String, MasterFollowingConnectionFactory> create) {
		this.groups = List.copyOf(groups);
		this.primary = primary;
		this.create = create;
	}

	/**
	 * The factory following the group's master.
	 * @throws IllegalArgumentException naming the configured groups when there is no such
	 * group
	 */
	public MasterFollowingConnectionFactory get(String group) {
		if (!this.groups.contains(group)) {
			throw new IllegalArgumentException(
					"No redis-ha group '" + group + "': the configured groups are " + this.groups);
		}
		if (this.primary != null && this.primary.getRoute().group().equals(group)) {
			return this.primary;
		}
		if (this.closed) {
			throw new IllegalStateException("The redis-ha connection factories are closed");
		}
		return this.created.computeIfAbsent(group, (name) -> {
			MasterFollowingConnectionFactory factory = this.create.apply(name);
			factory.afterPropertiesSet();
			factory.start();
			return factory;
		});
	}

	/** Destroys the factories created here (not the primary bean: the context does). */
	@Override
	public void close() {
		this.closed = true;
		this.created.values().forEach(MasterFollowingConnectionFactory::destroy);
		this.created.clear();
	}

}
