package io.redisha.protocol;

import org.jspecify.annotations.Nullable;

/**
 * What the coordinator asks its surroundings to do. Commands to a node
 * ({@link NodeCommand}) are answered with exactly one {@link Reply} through
 * {@link GroupCoordinator#onReply(long, NodeCommand, Reply)}; the other actions need no
 * answer.
 */
public sealed interface Action {

	/**
	 * Keep a connection to this node, subscribed to the channel of the latest
	 * {@link Listen}.
	 */
	record Monitor(NodeAddress node) implements Action {
	}

	/**
	 * Subscribe to this channel instead, on every monitored node:
	 * {@link GroupCoordinator#GOSSIP_CHANNEL} (a voter, and a member that holds no
	 * configuration yet; the default until the first {@code Listen}) or
	 * {@link GroupCoordinator#ANNOUNCE_CHANNEL} (an observer).
	 */
	record Listen(String channel) implements Action {
	}

	/** Drop the connection and subscription to this node. */
	record Unmonitor(NodeAddress node) implements Action {
	}

	/**
	 * Publish the payload on this channel of every monitored node that is reachable (the
	 * gossip channel {@link GroupCoordinator#GOSSIP_CHANNEL}, or a notification channel).
	 */
	record Publish(String channel, String payload) implements Action {
	}

	/**
	 * Publish the payload on this channel of this one node, if it is monitored and
	 * reachable: a PUBLISH on a master also reaches its replicas' subscribers.
	 */
	record PublishOn(NodeAddress node, String channel, String payload) implements Action {
	}

	/**
	 * Tell the application: log it, turn it into a Spring event, a metric, a
	 * notification.
	 */
	record Emit(ProtocolEvent event) implements Action {
	}

	/**
	 * Publish the notifications of this event, emitted before by an {@link Emit}, once
	 * more, for subscribers that were disconnected when it was first published (the
	 * {@code +switch-master} of a failover). Not a new event: no log line, application
	 * event or metric.
	 */
	record Reannounce(ProtocolEvent event) implements Action {
	}

	/** A command to one node; its outcome comes back as one {@link Reply}. */
	sealed interface NodeCommand extends Action {

		NodeAddress node();

	}

	/**
	 * {@code PING}; answered with {@link Reply.Text} (also for error replies such as
	 * LOADING) or {@link Reply.Failed}.
	 */
	record Ping(NodeAddress node) implements NodeCommand {
	}

	/**
	 * {@code INFO}, with the group's stored configuration ({@code HGETALL} of
	 * {@link StoredConfiguration#key(String)}) in the same round trip; answered with
	 * {@link Reply.Info} or {@link Reply.Failed}.
	 */
	record QueryInfo(NodeAddress node) implements NodeCommand {
	}

	/** {@code ROLE}; answered with {@link Reply.Role} or {@link Reply.Failed}. */
	record QueryRole(NodeAddress node) implements NodeCommand {
	}

	/**
	 * Make the node a master:
	 * {@code MULTI; REPLICAOF NO ONE; CONFIG REWRITE; CLIENT KILL TYPE
	 * normal; CLIENT KILL TYPE pubsub; INFO; EXEC}, with the {@code command} given
	 * ({@code SLAVEOF NO ONE} for {@link RoleCommand#SLAVEOF}, also in the names of the
	 * fence's settings; a failing CONFIG REWRITE is harmless). When {@code minReplicas}
	 * is managed, the block sets it first ({@code CONFIG SET min-replicas-max-lag},
	 * {@code min-replicas-to-write}), so the new master never takes a write unfenced.
	 * Answered with the {@link Reply.Info} of the block, the node as it is right after
	 * the change, or {@link Reply.Failed} (naming the node's error, such as
	 * {@code ERR unknown command 'REPLICAOF'}, when the command itself was refused). With
	 * {@code refuseStreamingSeconds} >= 0 the node is first read ({@code INFO
	 * replication}, the configuration epoch still watched): a replica whose link to its
	 * master is up and carried something within that many seconds is left as it is,
	 * answered with the error {@link #STREAMING}. A promotion decided while the master
	 * was silent but delivered late (its leader frozen, the network holding it) so never
	 * lands beside a master that answers again. With {@code runId} non-null the node is
	 * first read too ({@code INFO server}, in the same round trip, on the connection the
	 * block then goes out on): a process with another {@code run_id} (the node restarted
	 * since the INFO the leader decided on, maybe from an older RDB file) is left as it
	 * is, answered with the error {@link #RESTARTED}. A restart in between breaks that
	 * connection, so the block never reaches the new process.
	 */
	record Promote(NodeAddress node, long epoch, MinReplicas minReplicas, RoleCommand command,
			long refuseStreamingSeconds, @Nullable String runId) implements NodeCommand {

		/** A promotion that leaves the node's min-replicas settings alone. */
		public Promote(NodeAddress node, long epoch) {
			this(node, epoch, MinReplicas.UNMANAGED);
		}

		/** A promotion with {@code REPLICAOF}, whatever the node's link. */
		public Promote(NodeAddress node, long epoch, MinReplicas minReplicas) {
			this(node, epoch, minReplicas, RoleCommand.REPLICAOF, -1);
		}

		/** A promotion of whatever process runs on the node. */
		public Promote(NodeAddress node, long epoch, MinReplicas minReplicas, RoleCommand command,
				long refuseStreamingSeconds) {
			this(node, epoch, minReplicas, command, refuseStreamingSeconds, null);
		}

		/**
		 * The error a promotion refused for the node running another process than
		 * {@link #runId} starts with.
		 */
		public static final String RESTARTED = "RESTARTED";

		/** The error text of a refusal for the node running {@code actualRunId}. */
		public static String restartedError(NodeAddress node, String expectedRunId, String actualRunId) {
			return RESTARTED + " " + node + " runs " + actualRunId + ", not " + expectedRunId
					+ ": it restarted, not promoted";
		}

		/**
		 * The error a promotion refused for its replica streaming from a live master
		 * starts with.
		 */
		public static final String STREAMING = "STREAMING";

		/** The error text of a refusal for streaming {@code lastIoSeconds} ago. */
		public static String streamingError(NodeAddress node, long lastIoSeconds) {
			return STREAMING + " " + node + " streams from its master (last I/O " + lastIoSeconds
					+ " s ago): not promoted";
		}

		/** This change with that command; itself when it has it already. */
		Promote with(RoleCommand roleCommand) {
			return (roleCommand == this.command) ? this : new Promote(this.node, this.epoch, this.minReplicas,
					roleCommand, this.refuseStreamingSeconds, this.runId);
		}

	}

	/**
	 * Stop the master taking writes for a switchover:
	 * {@code CLIENT PAUSE <pauseMillis> WRITE} (Redis 6.2+; reads go on, writes, expiry
	 * and eviction wait), then {@code INFO}, whose offset is final while the pause holds.
	 * Answered with {@link Reply.Info}, an error {@link Reply.Text} or
	 * {@link Reply.Failed}.
	 */
	record PauseWrites(NodeAddress node, long pauseMillis, long epoch) implements NodeCommand {
	}

	/**
	 * {@code CLIENT UNPAUSE}: end a {@link PauseWrites}; answered with {@link Reply.Text}
	 * or {@link Reply.Failed}.
	 */
	record ResumeWrites(NodeAddress node) implements NodeCommand {
	}

	/**
	 * Make the node a replica of {@code master} with {@code command}, in the same kind of
	 * MULTI block as {@link Promote}, answered the same way. With {@code master} the node
	 * itself, a switchover's demotion: the old master stops taking writes for good, and
	 * since a replica without a link to its own master refuses to resync anyone
	 * ({@code NOMASTERLINK}), it keeps every write it acknowledged; the INFO of the block
	 * gives its final offset. When {@code minReplicas} is managed, the block also clears
	 * the fence ({@code min-replicas-to-write 0}): a replica ignores it, but one later
	 * made master by hand would refuse every write with it while its replicas are still
	 * gone.
	 */
	record Replicate(NodeAddress node, NodeAddress master, long epoch, MinReplicas minReplicas,
			RoleCommand command) implements NodeCommand {

		/** A repointing that leaves the node's min-replicas settings alone. */
		public Replicate(NodeAddress node, NodeAddress master, long epoch) {
			this(node, master, epoch, MinReplicas.UNMANAGED);
		}

		/** A repointing with {@code REPLICAOF}. */
		public Replicate(NodeAddress node, NodeAddress master, long epoch, MinReplicas minReplicas) {
			this(node, master, epoch, minReplicas, RoleCommand.REPLICAOF);
		}

		/** This change with that command; itself when it has it already. */
		Replicate with(RoleCommand roleCommand) {
			return (roleCommand == this.command) ? this
					: new Replicate(this.node, this.master, this.epoch, this.minReplicas, roleCommand);
		}

		/**
		 * The switchover's demotion of {@code node}: {@code REPLICAOF} its own address.
		 */
		static Replicate itself(NodeAddress node, long epoch, MinReplicas minReplicas) {
			return new Replicate(node, node, epoch, minReplicas);
		}

	}

	/**
	 * {@code CLIENT KILL TYPE normal} on a master this member's failover demoted: its
	 * clients (of this application and any other, pub/sub excepted) reconnect and find
	 * the new master instead of writing to the old one. Answered with {@link Reply.Text}
	 * (how many were disconnected), an error {@link Reply.Text} or {@link Reply.Failed};
	 * the coordinator sends it again until it succeeds or is no longer needed.
	 */
	record DisconnectClients(NodeAddress node) implements NodeCommand {
	}

	/**
	 * Fence the master as {@code minReplicas} says, unless it is already
	 * ({@code CONFIG GET}, then {@code CONFIG SET min-replicas-max-lag} and
	 * {@code min-replicas-to-write}): a master adopted rather than promoted, restarted
	 * from an older config file, or changed by hand. Answered with {@link Reply.Text}
	 * {@code 1} (set) or {@code 0} (it was already), or {@link Reply.Failed} (refused,
	 * e.g. by an ACL without {@code CONFIG SET}).
	 */
	record FenceMaster(NodeAddress node, MinReplicas minReplicas) implements NodeCommand {
	}

	/**
	 * Store the configuration in the group's hash
	 * ({@link StoredConfiguration#key(String)}) on the master, atomically (one script)
	 * and only if the hash holds what {@code condition} allows, dropping the recorded
	 * departures of members that are no longer voters; with a {@code runId}, only while
	 * the node still runs as that process (a node restarted without its data must not
	 * take the configuration of the node promoted). Answered with {@link Reply.Text}
	 * {@code 1} (stored), {@code 0} (not: the hash held something else) or {@code -1}
	 * (not: another run id), an error {@link Reply.Text} or {@link Reply.Failed}.
	 */
	record StoreConfiguration(NodeAddress node, Configuration config, StoreCondition condition,
			@Nullable Configuration replacing, @Nullable String runId) implements NodeCommand {

		/** A store over whatever older configuration the hash holds, or none. */
		public StoreConfiguration(NodeAddress node, Configuration config) {
			this(node, config, StoreCondition.OLDER, null, null);
		}

		/** A store under a condition, whatever process runs the node. */
		public StoreConfiguration(NodeAddress node, Configuration config, StoreCondition condition,
				@Nullable Configuration replacing) {
			this(node, config, condition, replacing, null);
		}

		/**
		 * A failover's store on the node it promoted, over whatever older configuration
		 * the hash holds, or none, only while the node runs as {@code runId}.
		 */
		public StoreConfiguration(NodeAddress node, Configuration config, String runId) {
			this(node, config, StoreCondition.OLDER, null, runId);
		}

	}

	/** What the group's hash must hold for a {@link StoreConfiguration} to write it. */
	enum StoreCondition {

		/**
		 * No configuration or an older one: the normal case, and after an application
		 * flushed the data.
		 */
		OLDER,
		/** No configuration at all: the founding of a group's first electorate. */
		ABSENT,
		/**
		 * No configuration newer than {@code replacing} (none, an older one, or it): the
		 * succession of an electorate that all departed. The new configuration has a
		 * later epoch, so a second succession of the same one finds it and is refused.
		 */
		NOT_NEWER

	}

	/**
	 * Record in the group's hash on the master that {@code member} stopped for good
	 * holding configuration {@code departure}; answered like {@link StoreConfiguration}.
	 */
	record RecordDeparture(NodeAddress node, String member, Configuration.Departure departure) implements NodeCommand {
	}

}
