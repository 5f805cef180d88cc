package io.redisha.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Redis nodes reduced to what the protocol sees of them: alive or not, role, master,
 * offset, priority, replication ids. Answers the coordinator's commands as Redis would.
 */
final class FakeRedis {

	private final Map<NodeAddress, Node> nodes = new LinkedHashMap<>();

	private int runIds;

	Node master(String address) {
		Node node = new Node(NodeAddress.parse(address), "run" + (++this.runIds));
		node.replicationId = "history-" + address;
		this.nodes.put(node.address, node);
		return node;
	}

	Node replica(String address, Node master) {
		Node node = master(address);
		node.follow(master);
		return node;
	}

	Node node(String address) {
		return this.nodes.get(NodeAddress.parse(address));
	}

	/**
	 * The node's process starts again (a new run id) as a master without its data, as a
	 * node without persistence or config file does: a history of its own and offset 0.
	 */
	void restartEmpty(Node node) {
		node.alive = true;
		node.runId = "run" + (++this.runIds);
		node.following = null;
		node.replicationId = "history-" + node.address + "-" + node.runId;
		node.secondReplicationId = ReplicationInfo.NO_REPLICATION_ID;
		node.secondOffset = -1;
		node.offset = 0;
		node.stored.clear();
	}

	Reply answer(Action.NodeCommand command) {
		Node node = this.nodes.get(command.node());
		if (node == null || !node.alive) {
			return new Reply.Failed("connection refused");
		}
		if (command instanceof Action.Ping) {
			return node.loading ? new Reply.Text("LOADING Redis is loading the dataset in memory", true)
					: new Reply.Text("PONG", false);
		}
		if (command instanceof Action.QueryInfo) {
			return new Reply.Info(ReplicationInfo.parse(info(node)), stored(node).content());
		}
		if (command instanceof Action.QueryRole) {
			return new Reply.Role(new RoleInfo(node.following == null, node.offset, node.following));
		}
		if (command instanceof Action.FenceMaster fence) {
			if (node.refusesConfig) {
				return new Reply.Failed("min-replicas-to-write cannot be set on " + node.address
						+ ": NOPERM this user has no permissions to run the 'config|get' command");
			}
			boolean changed = !fence.minReplicas().equals(node.minReplicas);
			node.minReplicas = fence.minReplicas();
			return new Reply.Text(changed ? "1" : "0", false);
		}
		if (command instanceof Action.DisconnectClients) {
			if (node.refusesClientKill) {
				return new Reply.Failed("DisconnectClients on " + node.address
						+ " refused by the node's ACL: NOPERM this user has no permissions to run the 'client|kill' command");
			}
			node.clientsDisconnected++;
			return new Reply.Text("3", false);
		}
		RoleCommand roleCommand = (command instanceof Action.Promote promote) ? promote.command()
				: (command instanceof Action.Replicate replicate) ? replicate.command() : null;
		if (roleCommand != null && !node.knows(roleCommand)) {
			return new Reply.Failed(command.getClass().getSimpleName() + " on " + node.address
					+ " answered an error: ERR unknown command '" + roleCommand + "', with args beginning with: ");
		}
		if (command instanceof Action.Promote promote) {
			if (promote.minReplicas().managed() && !node.refusesConfig) {
				node.minReplicas = promote.minReplicas();
			}
			if (!node.ignoresPromotion && node.following != null) {
				node.following = null;
				node.secondReplicationId = node.replicationId;
				node.secondOffset = node.offset + 1;
				node.replicationId = "history-" + node.address + "-promoted";
			}
			return new Reply.Info(ReplicationInfo.parse(info(node)));
		}
		if (command instanceof Action.PauseWrites) {
			if (node.refusesPause) {
				return new Reply.Failed("PauseWrites on " + node.address
						+ " answered an error: NOPERM this user has no permissions to run the 'client|pause' command");
			}
			node.writesPaused = true;
			return new Reply.Info(ReplicationInfo.parse(info(node)));
		}
		if (command instanceof Action.ResumeWrites) {
			node.writesPaused = false;
			return new Reply.Text("OK", false);
		}
		if (command instanceof Action.Replicate replicate) {
			if (node.loading) {
				// the block's WATCH and HGET, as every data command, wait for the load
				return new Reply.Text("LOADING Redis is loading the dataset in memory", true);
			}
			if (replicate.minReplicas().managed() && !node.refusesConfig) {
				node.minReplicas = new MinReplicas(0, node.minReplicas.maxLag());
			}
			node.follow(this.nodes.get(replicate.master()));
			return new Reply.Info(ReplicationInfo.parse(info(node)));
		}
		if (node.following != null) {
			return new Reply.Text("READONLY You can't write against a read only replica.", true);
		}
		if (command instanceof Action.StoreConfiguration store) {
			return node.stored.store(store);
		}
		return node.stored.record((Action.RecordDeparture) command);
	}

	/** The hash as the node has it: a replica with its link up has its master's. */
	private StoredHash stored(Node node) {
		Node master = (node.following != null) ? this.nodes.get(node.following) : null;
		if (master != null && master.alive && node.linkUp && master != node) {
			node.stored.copyFrom(master.stored);
		}
		return node.stored;
	}

	private String info(Node node) {
		StringBuilder info = new StringBuilder("# Server\r\nredis_version:" + node.version + "\r\nrun_id:" + node.runId
				+ "\r\n# Persistence\r\nloading:" + (node.loading ? 1 : 0) + "\r\n# Replication\r\n");
		if (node.following == null) {
			info.append("role:master\r\n");
			int i = 0;
			for (Node replica : this.nodes.values()) {
				if (replica.alive && node.address.equals(replica.following)) {
					info.append("slave")
						.append(i++)
						.append(":ip=")
						.append(replica.address.host())
						.append(",port=")
						.append(replica.address.port())
						.append(",state=online,offset=")
						.append(replica.offset)
						.append(",lag=0\r\n");
				}
			}
		}
		else {
			Node master = this.nodes.get(node.following);
			// A node replicating itself (a switchover's demotion) never gets a link up.
			boolean linkUp = node.linkUp && master != null && master.alive && master != node;
			info.append("role:slave\r\nmaster_host:")
				.append(node.following.host())
				.append("\r\nmaster_port:")
				.append(node.following.port())
				.append("\r\nmaster_link_status:")
				.append(linkUp ? "up" : "down")
				.append("\r\nmaster_sync_in_progress:")
				.append(node.syncing ? 1 : 0)
				.append("\r\nslave_repl_offset:")
				.append(node.offset)
				.append("\r\n");
			if (linkUp) {
				// a master sends its stream; a replica without a link of its own sends
				// nothing
				boolean streaming = master.following == null || master.linkUp && master.following != master.address;
				info.append("master_last_io_seconds_ago:").append(streaming ? 0 : 100).append("\r\n");
			}
			else {
				info.append("master_link_down_since_seconds:").append(node.neverSynced ? -1 : 0).append("\r\n");
			}
			info.append("slave_priority:").append(node.priority).append("\r\n");
		}
		info.append("master_replid:")
			.append(node.replicationId)
			.append("\r\nmaster_replid2:")
			.append(node.secondReplicationId)
			.append("\r\nmaster_repl_offset:")
			.append(node.offset)
			.append("\r\nsecond_repl_offset:")
			.append(node.secondOffset)
			.append("\r\n");
		return info.toString();
	}

	/** One node; tests change its fields to stage failures. */
	static final class Node {

		final NodeAddress address;

		String runId;

		boolean alive = true;

		boolean loading;

		boolean linkUp = true;

		boolean ignoresPromotion;

		/** Between {@code CLIENT PAUSE WRITE} and {@code CLIENT UNPAUSE}. */
		boolean writesPaused;

		/** An ACL user without {@code CLIENT PAUSE}. */
		boolean refusesPause;

		/**
		 * {@code min-replicas-to-write} and {@code min-replicas-max-lag}: its config
		 * file's, or the members'.
		 */
		MinReplicas minReplicas = MinReplicas.UNMANAGED;

		/**
		 * An ACL user without {@code CONFIG}: the promotion block falls back to the role
		 * change alone.
		 */
		boolean refusesConfig;

		NodeAddress following;

		long offset = 1000;

		int priority = 100;

		String replicationId;

		final StoredHash stored = new StoredHash();

		/**
		 * The history it was in before it was promoted ({@code master_replid2}), from
		 * offset {@link #secondOffset}.
		 */
		String secondReplicationId = ReplicationInfo.NO_REPLICATION_ID;

		long secondOffset = -1;

		/** A replica receiving a full copy of its master's data. */
		boolean syncing;

		/** A replica that has not been in sync with its master since it started. */
		boolean neverSynced;

		/** How many times its normal clients were disconnected ({@code CLIENT KILL}). */
		int clientsDisconnected;

		/** Its ACL refuses {@code CLIENT KILL}. */
		boolean refusesClientKill;

		/** The server version its INFO reports. */
		String version = "7.2.4";

		/** A role command renamed away ({@code rename-command}); null when none. */
		RoleCommand renamed;

		Node(NodeAddress address, String runId) {
			this.address = address;
			this.runId = runId;
		}

		/**
		 * Whether it takes this role command: REPLICAOF since Redis 5, unless renamed.
		 */
		boolean knows(RoleCommand command) {
			return command != this.renamed
					&& (command == RoleCommand.SLAVEOF || RoleCommand.forVersion(this.version) != RoleCommand.SLAVEOF);
		}

		void follow(Node master) {
			this.following = master.address;
			this.replicationId = master.replicationId;
		}

		@Override
		public String toString() {
			return this.address.toString();
		}

	}

}
