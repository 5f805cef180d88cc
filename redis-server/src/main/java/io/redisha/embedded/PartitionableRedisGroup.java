package io.redisha.embedded;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local master with replicas, and the clients that watch them (a test's members), wired
 * so that any link between two named parties can be cut: {@link #partition(Set, Set)}
 * cuts every link between two sides, {@link #heal()} restores them all. Nodes are named
 * {@code N0} (started as master), {@code N1}...; clients get the names they are added
 * with.
 * <p>
 * How: each node is known by the address of its <em>front</em>, a {@link TcpProxy} that
 * every replica reaches it through. Each node binds a loopback address of its own first
 * ({@code 127.0.0.10}, {@code 127.0.0.11}...), so that the replication connections it
 * opens come from there and its master's front can cut it alone; and it announces its
 * front ({@code replica-announce-ip}/{@code -port}), so that a master lists its replicas
 * by their fronts, a replica names its master's front, and every {@code REPLICAOF} a
 * member sends goes through a front again. Each client reaches each node through a proxy
 * of its own, to which {@link #route(String)} maps the node's front. Clients have no
 * links between themselves (members talk through the nodes' pub/sub, which a cut
 * replication link stops too). Processes that watch the nodes from outside the group,
 * such as Sentinels, are {@linkplain #addPeer peers}: wired like nodes (a source address
 * and a front), so that they can be cut from nodes, clients and each other. The test's
 * own commands ({@link RedisServerProcess#command}) reach the nodes directly: the test
 * stands outside every partition.
 * <p>
 * Needs every {@code 127.0.0.x} to be a local address, as on Linux (on macOS, alias them
 * on {@code lo0}). Not thread-safe: one test drives it.
 */
public final class PartitionableRedisGroup implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(PartitionableRedisGroup.class);

	private static final int FIRST_NODE_OCTET = 10;

	private final Map<String, FrontedNode> nodes = new LinkedHashMap<>();

	private final Map<String, Peer> peers = new LinkedHashMap<>();

	/**
	 * Each client's proxy to each node and peer, by client name then node or peer name.
	 */
	private final Map<String, Map<String, TcpProxy>> clients = new LinkedHashMap<>();

	private final Set<PartyLink> cuts = new HashSet<>();

	private PartitionableRedisGroup() {
	}

	/**
	 * Starts {@code N0} as master and {@code replicas} replicas of it, and waits until
	 * every link is up.
	 */
	public static PartitionableRedisGroup start(int replicas, RedisServerOptions options) {
		PartitionableRedisGroup group = new PartitionableRedisGroup();
		try {
			for (int i = 0; i <= replicas; i++) {
				group.startNode("N" + i, "127.0.0." + (FIRST_NODE_OCTET + i), options.withReplicaOf(null));
			}
			String master = group.address("N0");
			for (int i = 1; i <= replicas; i++) {
				group.node("N" + i).replicaOf(master);
			}
			for (int i = 1; i <= replicas; i++) {
				LocalRedisGroup.awaitLinkUp(group.node("N" + i));
			}
		}
		catch (RuntimeException ex) {
			group.close();
			throw ex;
		}
		logger.info("Started partitionable redis group: {}", group.nodes.values());
		return group;
	}

	private void startNode(String name, String source, RedisServerOptions options) {
		// Bound to its own address first: the connections it opens to its master come
		// from there.
		RedisServerProcess process = RedisServerProcess
			.start(options.withArgument("bind", source, RedisServerProcess.HOST));
		TcpProxy front;
		try {
			front = TcpProxy.to(process);
		}
		catch (RuntimeException ex) {
			process.close();
			throw ex;
		}
		this.nodes.put(name, new FrontedNode(name, process, source, front));
		if (RedisServerBinary.get().majorVersion() >= 7) {
			// Redis 7 opens outgoing connections from bind-source-addr, not from the
			// first bound address.
			process.command("CONFIG", "SET", "bind-source-addr", source);
		}
		process.command("CONFIG", "SET", "replica-announce-ip", front.host());
		process.command("CONFIG", "SET", "replica-announce-port", Integer.toString(front.port()));
	}

	/** The nodes' names, {@code N0} first. */
	public List<String> nodeNames() {
		return List.copyOf(this.nodes.keySet());
	}

	/** The node of this name. */
	public RedisServerProcess node(String name) {
		return nodeNamed(name).process();
	}

	/** Every node, {@code N0} first. */
	public List<RedisServerProcess> nodes() {
		return this.nodes.values().stream().map(FrontedNode::process).toList();
	}

	/**
	 * The {@code host:port} a node is known by (its front): seeds, INFO and REPLICAOF use
	 * it.
	 */
	public String address(String name) {
		return nodeNamed(name).front().address();
	}

	/** The {@code host:port} this node is known by. */
	public String address(RedisServerProcess node) {
		return address(nameOf(node));
	}

	/** The name of this node. */
	public String nameOf(RedisServerProcess node) {
		return this.nodes.values()
			.stream()
			.filter((candidate) -> candidate.process() == node)
			.map(FrontedNode::name)
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException(node + " is not a node of this group"));
	}

	/**
	 * The name of the node known by this {@code host:port}, or the address itself when
	 * none is.
	 */
	public String nameAt(String address) {
		return this.nodes.values()
			.stream()
			.filter((node) -> node.front().address().equals(address))
			.map(FrontedNode::name)
			.findFirst()
			.orElse(address);
	}

	/**
	 * Adds a client connected to every node and peer, and returns how it must connect: a
	 * node's or peer's address (its front) to the address of this client's own proxy to
	 * it; other addresses unchanged.
	 */
	public UnaryOperator<String> addClient(String name) {
		requireFree(name);
		Map<String, TcpProxy> proxies = new HashMap<>();
		this.clients.put(name, proxies);
		for (FrontedNode node : this.nodes.values()) {
			proxies.put(node.name(), TcpProxy.to(node.process()));
		}
		this.peers.values().forEach((peer) -> proxies.put(peer.name(), peer.proxy()));
		return route(name);
	}

	/**
	 * Adds a peer: a process outside the group that watches the nodes, such as a
	 * Sentinel, listening on {@code 127.0.0.1:port}, cut like a node. It must open its
	 * connections from {@link Peer#source()} (its first {@code bind} address and
	 * {@code bind-source-addr}), reach the nodes at their fronts, and announce
	 * {@link Peer#front()}, through which the other peers reach it; clients reach it
	 * through proxies of their own. Add peers before any cut.
	 */
	public Peer addPeer(String name, int port) {
		requireFree(name);
		String source = "127.0.0." + (FIRST_NODE_OCTET + this.nodes.size() + this.peers.size());
		Peer peer = new Peer(name, source, port, new TcpProxy(RedisServerProcess.HOST, port));
		this.peers.put(name, peer);
		this.clients.values().forEach((proxies) -> proxies.put(name, peer.proxy()));
		return peer;
	}

	private void requireFree(String name) {
		if (this.nodes.containsKey(name) || this.peers.containsKey(name) || this.clients.containsKey(name)) {
			throw new IllegalArgumentException("'" + name + "' is already taken");
		}
	}

	/**
	 * Adds a client on the same side as {@code sideOf} (a process restarted there): cut
	 * off from every node {@code sideOf} is cut off from.
	 */
	public UnaryOperator<String> addClient(String name, String sideOf) {
		UnaryOperator<String> route = addClient(name);
		for (PartyLink link : List.copyOf(this.cuts)) {
			if (link.has(sideOf)) {
				cut(name, link.otherThan(sideOf));
			}
		}
		return route;
	}

	/**
	 * How client {@code name} connects: a node's or peer's address to its proxy, peers
	 * added later included; other addresses unchanged.
	 */
	public UnaryOperator<String> route(String name) {
		Map<String, TcpProxy> proxies = clientProxies(name);
		return (address) -> proxies.entrySet()
			.stream()
			.filter((proxy) -> endpointNamed(proxy.getKey()).front().address().equals(address))
			.map((proxy) -> proxy.getValue().address())
			.findFirst()
			.orElse(address);
	}

	/**
	 * Cuts every link between a party of {@code sideA} and one of {@code sideB} (in
	 * addition to links already cut): client to node, and replication between nodes, both
	 * ways. Parties on neither side keep all their links.
	 */
	public void partition(Set<String> sideA, Set<String> sideB) {
		Set<String> both = new HashSet<>(sideA);
		both.retainAll(sideB);
		if (!both.isEmpty()) {
			throw new IllegalArgumentException(both + " cannot be on both sides");
		}
		for (String a : sideA) {
			for (String b : sideB) {
				cut(a, b);
			}
		}
		logger.info("Partitioned {} | {}", new TreeSet<>(sideA), new TreeSet<>(sideB));
	}

	/**
	 * Cuts every link of {@code name}, e.g. a client about to crash, so that its last
	 * words reach nobody.
	 */
	public void isolate(String name) {
		for (String other : parties()) {
			if (!other.equals(name)) {
				cut(name, other);
			}
		}
		logger.info("Isolated {}", name);
	}

	/**
	 * Restores every link cut; connections black-holed meanwhile are dropped, so clients
	 * reconnect at once.
	 */
	public void heal() {
		for (PartyLink link : this.cuts) {
			setCut(link.first(), link.second(), false);
		}
		this.cuts.clear();
		logger.info("Healed every partition");
	}

	private List<String> parties() {
		List<String> parties = new ArrayList<>(this.nodes.keySet());
		parties.addAll(this.peers.keySet());
		parties.addAll(this.clients.keySet());
		return parties;
	}

	private void cut(String one, String other) {
		requireParty(one);
		requireParty(other);
		// Clients have no link between themselves.
		if ((endpoint(one) != null || endpoint(other) != null) && this.cuts.add(new PartyLink(one, other))) {
			setCut(one, other, true);
		}
	}

	private void setCut(String one, String other, boolean cut) {
		FrontedParty endpoint = endpoint(one);
		FrontedParty otherEndpoint = endpoint(other);
		if (endpoint != null && otherEndpoint != null) {
			endpoint.front().setCutFrom(otherEndpoint.source(), cut);
			otherEndpoint.front().setCutFrom(endpoint.source(), cut);
		}
		else if (endpoint != null) {
			clientProxy(other, one).setCut(cut);
		}
		else {
			clientProxy(one, other).setCut(cut);
		}
	}

	private void requireParty(String name) {
		if (endpoint(name) == null && !this.clients.containsKey(name)) {
			throw new IllegalArgumentException("no node, peer or client named '" + name + "'");
		}
	}

	/** The node or peer of this name, or null for a client. */
	private @Nullable FrontedParty endpoint(String name) {
		FrontedNode node = this.nodes.get(name);
		return (node != null) ? node : this.peers.get(name);
	}

	private FrontedParty endpointNamed(String name) {
		return Objects.requireNonNull(endpoint(name), name);
	}

	private TcpProxy clientProxy(String client, String endpoint) {
		return Objects.requireNonNull(clientProxies(client).get(endpoint), endpoint);
	}

	private FrontedNode nodeNamed(String name) {
		FrontedNode node = this.nodes.get(name);
		if (node == null) {
			throw new IllegalArgumentException("no node named '" + name + "'");
		}
		return node;
	}

	private Map<String, TcpProxy> clientProxies(String name) {
		Map<String, TcpProxy> proxies = this.clients.get(name);
		if (proxies == null) {
			throw new IllegalArgumentException("no client named '" + name + "'");
		}
		return proxies;
	}

	/**
	 * Closes every proxy and kills every node; peers' processes are their owner's to
	 * stop.
	 */
	@Override
	public void close() {
		this.clients.values().forEach((proxies) -> proxies.values().forEach(TcpProxy::close));
		this.clients.clear();
		this.peers.values().forEach((peer) -> peer.front().close());
		this.peers.clear();
		for (FrontedNode node : this.nodes.values()) {
			node.front().close();
			node.process().close();
		}
		this.nodes.clear();
		this.cuts.clear();
	}

	/**
	 * A peer, as {@link #addPeer} made it.
	 *
	 * @param name its name in {@link #partition}
	 * @param source the address its connections must come from
	 * @param port the port it listens on, at {@code 127.0.0.1}
	 * @param front the proxy it must announce, through which the other peers reach it
	 */
	public record Peer(String name, String source, int port, TcpProxy front) implements FrontedParty {

		/** A client's own proxy to this peer. */
		private TcpProxy proxy() {
			return new TcpProxy(RedisServerProcess.HOST, this.port);
		}

	}

}
