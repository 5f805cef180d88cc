package io.redisha.member;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

import io.lettuce.core.resource.ClientResources;
import io.redisha.protocol.GroupCoordinator;
import io.redisha.protocol.MemberIdentity;
import io.redisha.protocol.NodeAddress;
import io.redisha.redis.ConfigurationSeal;
import io.redisha.redis.LinkSettings;
import io.redisha.redis.NodeLink;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link NodeLink links} of one {@link GroupLoop} to the nodes its coordinator
 * monitors. Used on the loop's thread only, except {@link #problems()}.
 */
final class GroupLinks {

	private static final Logger logger = LoggerFactory.getLogger(GroupLoop.class);

	/**
	 * On how many nodes an observer listens to the announcements, while they pass them
	 * on.
	 */
	static final int ANNOUNCEMENT_NODES = 1;

	/**
	 * How many hello periods an observer's node must have counted before it lets a node
	 * that stood in for it go.
	 */
	static final int SETTLE_HELLO_PERIODS = 10;

	private final GroupSettings settings;

	private final MemberIdentity identity;

	private final ClientResources resources;

	private final UnaryOperator<NodeAddress> connectVia;

	/** Receives each gossip payload with the node it came from, on a Lettuce thread. */
	private final BiConsumer<NodeAddress, String> gossip;

	private final Map<NodeAddress, NodeLink> links = new ConcurrentHashMap<>();

	/**
	 * The channel the coordinator listens to (see
	 * {@link io.redisha.protocol.Action.Listen}); links opened later subscribe to it.
	 */
	private String listening = GroupCoordinator.GOSSIP_CHANNEL;

	/**
	 * When something last arrived on the announcement channel (nanoTime), from any node.
	 */
	private volatile long lastAnnouncementNanos = System.nanoTime();

	/** When something last arrived from each node (nanoTime), on any channel. */
	private final Map<NodeAddress, Long> lastHeardNanos = new ConcurrentHashMap<>();

	/**
	 * When an observer began to listen on each node it listens on now (nanoTime): a node
	 * that has said nothing yet counts for one and a half hello periods from then.
	 */
	private final Map<NodeAddress, Long> listeningSinceNanos = new HashMap<>();

	/** The nodes an observer's announcements counted on at the last tick. */
	private Set<NodeAddress> counting = Set.of();

	/**
	 * When an observer last listened on every node, or the nodes its announcements count
	 * on last changed (nanoTime).
	 */
	private long unsettledNanos = System.nanoTime();

	private final List<CompletableFuture<Void>> closing = new ArrayList<>();

	/** Discovered nodes that the configuration does not list, each said once. */
	private final Set<NodeAddress> unlisted = new HashSet<>();

	GroupLinks(GroupSettings settings, MemberIdentity identity, ClientResources resources,
			UnaryOperator<NodeAddress> connectVia, BiConsumer<NodeAddress, String> gossip) {
		this.settings = settings;
		this.identity = identity;
		this.resources = resources;
		this.connectVia = connectVia;
		this.gossip = gossip;
	}

	private String name() {
		return this.settings.config().name();
	}

	/** The link to {@code node}, or null when it is not monitored. */
	@Nullable NodeLink get(NodeAddress node) {
		return this.links.get(node);
	}

	/**
	 * The monitored nodes that do not answer as they should, or hold what this member
	 * does not trust, with the reason.
	 */
	Map<NodeAddress, String> problems() {
		Map<NodeAddress, String> problems = new TreeMap<>();
		this.links.forEach((node, link) -> {
			String problem = (link.problem() != null) ? link.problem() : link.untrustedConfiguration();
			if (problem != null) {
				problems.put(node, problem);
			}
		});
		return problems;
	}

	/** Opens a link to {@code node} unless there is one. */
	void monitor(NodeAddress node) {
		this.links.computeIfAbsent(node, this::open);
		warnIfUnlisted(node);
	}

	/** Closes the link to {@code node}, if any, without waiting. */
	void unmonitor(NodeAddress node) {
		this.lastHeardNanos.remove(node);
		this.listeningSinceNanos.remove(node);
		NodeLink link = this.links.remove(node);
		if (link != null) {
			this.closing.removeIf(CompletableFuture::isDone);
			this.closing.add(link.closeAsync());
		}
	}

	/**
	 * Publishes on every node whose connection is open.
	 * @return completes when every node acknowledged the message or failed
	 */
	CompletableFuture<Void> publish(String channel, String payload) {
		return CompletableFuture.allOf(this.links.values()
			.stream()
			.map((link) -> link.publish(channel, payload))
			.toArray(CompletableFuture[]::new));
	}

	/**
	 * Publishes on {@code node} if it is monitored and its connection is open.
	 * @return completes when the node acknowledged the message or failed
	 */
	CompletableFuture<Void> publishOn(NodeAddress node, String channel, String payload) {
		NodeLink link = this.links.get(node);
		return (link != null) ? link.publish(channel, payload) : CompletableFuture.completedFuture(null);
	}

	/**
	 * Subscribes every link, and those opened later, to {@code channel}; an observer's
	 * then keep {@link #ANNOUNCEMENT_NODES} subscribed (see
	 * {@link #arrangeSubscriptions()}).
	 */
	void listen(String channel) {
		this.listening = channel;
		boolean observer = GroupCoordinator.ANNOUNCE_CHANNEL.equals(channel);
		this.listeningSinceNanos.clear();
		if (observer) {
			this.lastAnnouncementNanos = System.nanoTime();
		}
		for (NodeLink link : this.links.values()) {
			link.listen(channel);
			if (observer) {
				link.releasePublisher();
			}
		}
	}

	/**
	 * Called every tick. A voter (and a member without configuration) listens on every
	 * node. An observer listens to the announcements on {@value #ANNOUNCEMENT_NODES} node
	 * only, the first in an order of its own (by member id, so that the observers spread
	 * evenly over the nodes): every node delivers each voter's hello to each of its
	 * subscribers, and the observers' deliveries are most of a node's load. A node counts
	 * only while its subscription is open, it answers, and it passed something on within
	 * the last one and a half hello periods (a replica cut off from its master answers
	 * but passes nothing on). Whenever the node that counts changes (it stopped counting,
	 * or one before it counts again), the observer listens on every node until the same
	 * node has counted for {@value #SETTLE_HELLO_PERIODS} hello periods in a row, then
	 * lets the nodes after it go: when its node was the master that just died, it hears
	 * the new master's announcement from the new master itself, not once a replica
	 * repointed there passes it on, and a busy node that misses a PING now and then does
	 * not make the observers subscribe and unsubscribe over and over. Nodes before it
	 * that do not count stay subscribed, to be heard from again. After one and a half
	 * hello periods in which nothing arrived from any node, it listens on every node
	 * until something does.
	 */
	void arrangeSubscriptions() {
		long now = System.nanoTime();
		long silence = this.settings.config().helloEvery().toNanos() * 3 / 2;
		if (!GroupCoordinator.ANNOUNCE_CHANNEL.equals(this.listening) || now - this.lastAnnouncementNanos > silence) {
			this.links.values().forEach((link) -> link.listen(this.listening));
			this.listeningSinceNanos.clear();
			this.counting = Set.of();
			this.unsettledNanos = now;
			return;
		}
		List<NodeLink> ordered = this.links.values()
			.stream()
			.sorted(Comparator.comparingLong(this::rank).thenComparing((link) -> link.node().toString()))
			.toList();
		Set<NodeAddress> counting = new HashSet<>();
		int next = 0;
		while (next < ordered.size() && counting.size() < ANNOUNCEMENT_NODES) {
			NodeLink link = ordered.get(next++);
			link.listen(this.listening);
			if (counts(link, now, silence)) {
				counting.add(link.node());
			}
		}
		if (counting.size() < ANNOUNCEMENT_NODES || !counting.equals(this.counting)) {
			this.counting = counting;
			this.unsettledNanos = now;
		}
		boolean settled = now - this.unsettledNanos > SETTLE_HELLO_PERIODS
				* this.settings.config().helloEvery().toNanos();
		for (NodeLink link : ordered.subList(next, ordered.size())) {
			if (settled) {
				link.listen(null);
				this.listeningSinceNanos.remove(link.node());
			}
			else {
				link.listen(this.listening);
			}
		}
	}

	/** Whether {@code link}'s node passes the announcements on, as far as can be told. */
	private boolean counts(NodeLink link, long now, long silence) {
		long since = this.listeningSinceNanos.computeIfAbsent(link.node(), (node) -> now);
		long heard = this.lastHeardNanos.getOrDefault(link.node(), since);
		return link.isSubscribed() && link.problem() == null && now - Math.max(since, heard) <= silence;
	}

	/**
	 * Where {@code link}'s node comes in this member's order of nodes to listen on: a
	 * hash of the member id and the node, mixed (MurmurHash3's finalizer) so that members
	 * whose ids differ a little still order the nodes independently.
	 */
	private long rank(NodeLink link) {
		long hash = this.identity.id().hashCode() * 0x9E3779B97F4A7C15L + link.node().toString().hashCode();
		hash ^= hash >>> 33;
		hash *= 0xff51afd7ed558ccdL;
		hash ^= hash >>> 33;
		hash *= 0xc4ceb9fe1a85ec53L;
		return hash ^ (hash >>> 33);
	}

	/** Closes every link and waits until they and those closing already are closed. */
	void closeAll() {
		this.links.values().forEach((link) -> this.closing.add(link.closeAsync()));
		this.links.clear();
		CompletableFuture.allOf(this.closing.toArray(CompletableFuture[]::new)).join();
		this.closing.clear();
	}

	/**
	 * Nothing is kept on disk: after every instance restarted, only the configured nodes
	 * and what they report are known, so a node that was down meanwhile (an old master
	 * coming back) would never be found again, nor demoted.
	 */
	private void warnIfUnlisted(NodeAddress node) {
		if (!this.settings.config().seeds().contains(node) && this.unlisted.add(node)) {
			logger.warn("Group {}: node {} was discovered but is not listed in redis-ha.groups.{}.nodes; list every "
					+ "node of the group (as the nodes report their addresses), so that a node that is down while "
					+ "every instance restarts is found again when it comes back", name(), node, name());
		}
	}

	private NodeLink open(NodeAddress node) {
		LinkSettings linkSettings = new LinkSettings(this.connectVia.apply(node), this.settings.username(),
				this.settings.password(), this.settings.commandTimeout(), "redis-ha-" + this.identity.id(),
				this.settings.tls());
		NodeLink link = new NodeLink(node, linkSettings, this.resources, this.listening,
				new ConfigurationSeal(name(), this.settings.gossipSeal()), this.settings.config().minReplicas(),
				(payload) -> {
					long now = System.nanoTime();
					this.lastAnnouncementNanos = now;
					this.lastHeardNanos.put(node, now);
					this.gossip.accept(node, payload);
				});
		link.connect();
		return link;
	}

}
