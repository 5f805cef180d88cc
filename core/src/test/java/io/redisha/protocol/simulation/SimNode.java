package io.redisha.protocol.simulation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.random.RandomGenerator;

import io.redisha.protocol.Action;
import io.redisha.protocol.Configuration;
import io.redisha.protocol.MinReplicas;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.RedisVersion;
import io.redisha.protocol.ReplicationInfo;
import io.redisha.protocol.Reply;
import io.redisha.protocol.RoleCommand;
import io.redisha.protocol.RoleInfo;
import io.redisha.protocol.StoredConfiguration;
import io.redisha.protocol.StoredHash;

/**
 * A simulated Redis server: its process state, its role and replication state, its data
 * (as a {@link Lineage}), and the answers it gives to the commands the protocol sends.
 * Replication progress is driven by {@link SimWorld}, which knows which masters are
 * reachable.
 */
final class SimNode {

	/** What the process is doing. */
	enum Process {

		RUNNING, PAUSED, DEAD

	}

	/** How a dead node comes back. */
	enum Restart {

		/**
		 * From its config file and its RDB file: the role it was last given, the data and
		 * offset it had.
		 */
		FROM_DISK,
		/**
		 * From its config file without persistence: no data, offset 0 and a new
		 * replication id.
		 */
		EMPTY,
		/**
		 * With its data, but as a standalone master: the CONFIG REWRITE that recorded its
		 * role had failed.
		 */
		AS_STANDALONE_MASTER,
		/**
		 * Without persistence nor config file: an empty master, whatever role it had.
		 */
		EMPTY_STANDALONE_MASTER;

		boolean losesData() {
			return this == EMPTY || this == EMPTY_STANDALONE_MASTER;
		}

	}

	static final String NO_REPLID = "0000000000000000000000000000000000000000";

	private final NodeAddress address;

	private final String endpoint;

	private final RandomGenerator random;

	/** {@code replica-priority}: 0 is never promoted. */
	private int priority;

	/** The server version its INFO reports. */
	private String version = "7.2.4";

	/** It answers {@code REPLICAOF NO ONE} but stays a replica. */
	private boolean ignoresPromotion;

	/** A role command renamed away ({@code rename-command}); null when none. */
	private RoleCommand renamed;

	/** Its ACL user may not run {@code CLIENT KILL}. */
	private boolean refusesClientKill;

	/** Its ACL user may not run {@code CONFIG}: the members cannot change its fence. */
	private boolean refusesConfig;

	/** Its ACL user may not run {@code CLIENT PAUSE}: a switchover cannot start. */
	private boolean refusesPause;

	/**
	 * Its link to its master stays up but no bytes of the stream arrive (a slow link, a
	 * large backlog): its offset stays where it is.
	 */
	private boolean streamStalled;

	/** How many times the members had its normal clients disconnected. */
	private int clientsDisconnected;

	private Process process = Process.RUNNING;

	private long processChangedAt;

	private String runId;

	private long startedAt;

	private long loadingUntil;

	private NodeAddress following;

	private NodeAddress configuredMaster;

	/** The newest segment of its data; its replication id is the node's. */
	private Segment history;

	private String replid2 = NO_REPLID;

	private long secondReplOffset = -1;

	private long offset;

	private long linkDownSince = -1;

	private boolean linkUp;

	/**
	 * When it last received anything from its master (the members publish there every
	 * tick or so).
	 */
	private long lastIoAt = -1;

	private long syncDoneAt = -1;

	private boolean fullSync;

	/**
	 * Whether it keeps a replication backlog, which Redis creates when the node first
	 * syncs from a master or a replica first syncs from it: a master started without data
	 * has none, and until then its writes do not advance the offset it reports
	 * ({@code master_repl_offset} and {@code ROLE} stay 0). The offset kept here goes on
	 * counting them, so that the writes stay tellable apart.
	 */
	private boolean backlog = true;

	/**
	 * Until when client writes wait ({@code CLIENT PAUSE WRITE}); a restart forgets it.
	 */
	private long writesPausedUntil = -1;

	/**
	 * The group's configuration hash in its data: replicated, kept across restarts with
	 * the data.
	 */
	private final StoredHash stored = new StoredHash();

	/**
	 * Counts the times its data was replaced (full resync, restart without data): its
	 * replicas must resync.
	 */
	private long dataVersion;

	/** The data version of the master when this replica's link came up. */
	private long masterDataVersion;

	/** Since when it is a master, across restarts; -1 while a replica. */
	private long masterSince;

	/** {@code min-replicas-to-write} and {@code min-replicas-max-lag} now. */
	private MinReplicas fence = MinReplicas.UNMANAGED;

	/**
	 * The same as its config file has them: written by the CONFIG REWRITE of a promotion
	 * or repointing.
	 */
	private MinReplicas configuredFence = MinReplicas.UNMANAGED;

	/**
	 * When each replica last acknowledged its stream ({@code REPLCONF ACK}); forgotten on
	 * restart.
	 */
	private final Map<NodeAddress, Long> acknowledgedAt = new HashMap<>();

	/**
	 * The members' fence, when they manage it: their store of the configuration passes
	 * it.
	 */
	private MinReplicas managedFence = MinReplicas.UNMANAGED;

	SimNode(NodeAddress address, int priority, NodeAddress master, long now, RandomGenerator random) {
		this.address = address;
		this.endpoint = address.toString();
		this.priority = priority;
		this.random = random;
		this.following = master;
		this.configuredMaster = master;
		this.history = Segment.root(newId(), address, now, "started");
		this.masterSince = (master == null) ? now : -1;
		this.runId = newId();
		this.startedAt = now;
		this.processChangedAt = now;
	}

	NodeAddress address() {
		return this.address;
	}

	/** Its name on the simulated network. */
	String endpoint() {
		return this.endpoint;
	}

	int priority() {
		return this.priority;
	}

	Process process() {
		return this.process;
	}

	/** When the process last changed state (started, paused, resumed, died). */
	long processChangedAt() {
		return this.processChangedAt;
	}

	boolean isRunning() {
		return this.process == Process.RUNNING;
	}

	boolean isLoading(long now) {
		return now < this.loadingUntil;
	}

	/** When its process last started. */
	long startedAt() {
		return this.startedAt;
	}

	boolean isMaster() {
		return this.following == null;
	}

	NodeAddress following() {
		return this.following;
	}

	String replid() {
		return this.history.replid();
	}

	String replid2() {
		return this.replid2;
	}

	long offset() {
		return this.offset;
	}

	/** The offset its INFO and ROLE report: 0 on a master without a backlog. */
	private long reportedOffset() {
		return (isMaster() && !this.backlog) ? 0 : this.offset;
	}

	/** Its data now. */
	Lineage lineage() {
		return new Lineage(this.history, this.offset);
	}

	/** Its data and the master it follows now. */
	State state() {
		return new State(lineage(), this.following);
	}

	/** The master its config file names; null when it starts as a master. */
	NodeAddress configuredMaster() {
		return this.configuredMaster;
	}

	/** Since when it is a master (restarts included); -1 while a replica. */
	long masterSince() {
		return this.masterSince;
	}

	/**
	 * The group's configuration stored in its data; {@link StoredConfiguration#NONE} when
	 * none.
	 */
	StoredConfiguration storedConfiguration() {
		return this.stored.content();
	}

	boolean linkUp() {
		return this.linkUp;
	}

	String runId() {
		return this.runId;
	}

	boolean isSyncing() {
		return this.syncDoneAt >= 0;
	}

	// Process control (kill -9, SIGSTOP / SIGCONT, restart from the rewritten config
	// file)

	void kill(long now) {
		this.process = Process.DEAD;
		this.processChangedAt = now;
		dropLink(now);
	}

	void pause(long now) {
		if (this.process == Process.RUNNING) {
			this.process = Process.PAUSED;
			this.processChangedAt = now;
		}
	}

	void resume(long now) {
		if (this.process == Process.PAUSED) {
			this.process = Process.RUNNING;
			this.processChangedAt = now;
		}
	}

	/**
	 * Starts the process again: with a new run id, LOADING for a while, and the role and
	 * data {@code how} says. With its data, a master keeps it under a new replication id
	 * (on Redis 7 with the old one as its second, so that its replicas resume partially:
	 * the same INFO as a promotion) and a replica keeps its id so that it can resync
	 * partially.
	 */
	void restart(long now, long loadingMillis, Restart how) {
		String replidBefore = replid();
		long offsetBefore = this.offset;
		this.process = Process.RUNNING;
		this.processChangedAt = now;
		this.runId = newId();
		this.startedAt = now;
		this.loadingUntil = now + loadingMillis;
		if (how == Restart.AS_STANDALONE_MASTER || how == Restart.EMPTY_STANDALONE_MASTER) {
			this.configuredMaster = null;
		}
		this.following = this.configuredMaster;
		this.writesPausedUntil = -1;
		this.fence = this.configuredFence;
		this.acknowledgedAt.clear();
		this.linkUp = false;
		this.syncDoneAt = -1;
		this.linkDownSince = -1;
		if (how.losesData()) {
			this.history = Segment.root(newId(), this.address, now, "restarted empty");
			this.offset = 0;
			this.backlog = false;
			this.dataVersion++;
			this.stored.clear();
		}
		else if (this.following == null) {
			this.history = Segment.on(lineage(), newId(), this.address, now, Segment.NO_EPOCH,
					(how == Restart.FROM_DISK) ? "restarted as master" : "restarted as a standalone master");
		}
		if (this.following == null || how.losesData()) {
			boolean keepsHistory = !how.losesData() && RedisVersion.atLeast(this.version, 7, 0);
			this.replid2 = keepsHistory ? replidBefore : NO_REPLID;
			this.secondReplOffset = keepsHistory ? offsetBefore + 1 : -1;
		}
		if (this.following == null && this.masterSince < 0) {
			this.masterSince = now;
		}
		else if (this.following != null) {
			this.masterSince = -1;
		}
	}

	/**
	 * Starts again from its config file and an RDB file saved when its offset was
	 * {@code savedOffset}: a replica loses what it received since, as after a kill -9
	 * between two saves, and resumes that history from there. A node that comes back as a
	 * master restarts as {@link Restart#FROM_DISK} says (what its file missed would be
	 * lost with it, a loss persistence settles, not failover).
	 * @return whether it came back with less than it had
	 */
	boolean restartFromRdbSavedAt(long now, long loadingMillis, long savedOffset) {
		long offsetBefore = this.offset;
		restart(now, loadingMillis, Restart.FROM_DISK);
		if (this.following == null || this.following.equals(this.address)) {
			return false;
		}
		this.offset = Math.max(this.history.from(), Math.min(offsetBefore, savedOffset));
		return this.offset < offsetBefore;
	}

	// Replication, advanced by the world every tick

	/** A master takes client writes, unless they are paused or it is fenced. */
	boolean takesWrites(long now) {
		return isMaster() && now >= this.writesPausedUntil && !fenced(now);
	}

	/** Between {@code CLIENT PAUSE WRITE} and its end or {@code CLIENT UNPAUSE}. */
	boolean writesPaused(long now) {
		return now < this.writesPausedUntil;
	}

	/**
	 * The members manage the fence: their configuration store passes it and leaves the
	 * node fenced as configured ({@code MULTI} with {@code CONFIG SET} around the store
	 * script).
	 */
	void manageFence(MinReplicas group) {
		this.managedFence = group;
	}

	/** A replica with its link up acknowledged the stream up to now. */
	void acknowledged(NodeAddress replica, long now) {
		this.acknowledgedAt.put(replica, now);
	}

	/**
	 * When each replica with its link up last acknowledged the stream (since this node's
	 * last restart or role change).
	 */
	Map<NodeAddress, Long> acknowledgements() {
		return Map.copyOf(this.acknowledgedAt);
	}

	/**
	 * Fewer replicas acknowledged within max-lag than min-replicas-to-write asks for.
	 * Redis counts the lag in whole seconds and recounts once a second, so a replica
	 * counts for up to two seconds longer: the model takes the latest moment, never
	 * refusing a write that Redis would take.
	 */
	private boolean fenced(long now) {
		long counted = now - this.fence.maxLag().toMillis() - 2000;
		// a loop, not a stream: asked at every write
		int recent = 0;
		for (long at : this.acknowledgedAt.values()) {
			if (at > counted) {
				recent++;
			}
		}
		return recent < this.fence.toWrite();
	}

	/**
	 * A client's write of that many bytes of replication stream; returns the offset that
	 * acknowledges it.
	 */
	long write(long bytes) {
		this.offset += bytes;
		return this.offset;
	}

	/** Starts in sync with its master: a replica set up before the scenario begins. */
	void inSyncWith(SimNode master, long now) {
		this.backlog = true;
		master.backlog = true;
		this.history = master.history;
		this.offset = master.offset;
		this.linkUp = true;
		this.lastIoAt = now;
		this.masterDataVersion = master.dataVersion;
	}

	/** The link to the master is gone (master dead, paused or cut off). */
	void dropLink(long now) {
		if (this.linkUp) {
			this.linkDownSince = now;
		}
		this.linkUp = false;
		this.syncDoneAt = -1;
	}

	/**
	 * The master is reachable but the link is down: start the PSYNC handshake, unless the
	 * master is itself a replica without a link to its own master, which answers
	 * {@code NOMASTERLINK} (a demoted master replicating itself never resyncs anyone).
	 */
	void startSync(long now, SimNode master) {
		if (!master.isMaster() && !master.linkUp) {
			return;
		}
		this.fullSync = !canContinue(master);
		this.syncDoneAt = now + (this.fullSync ? 600 + this.random.nextLong(1400) : 100 + this.random.nextLong(200));
	}

	private boolean canContinue(SimNode master) {
		return (replid().equals(master.replid()) && this.offset <= master.offset)
				|| (replid().equals(master.replid2) && this.offset < master.secondReplOffset);
	}

	/**
	 * The handshake is over when it is due; then the replica streams from its master. A
	 * master whose own data was replaced since drops its replicas, which then resync.
	 */
	void progressSync(long now, SimNode master, long masterOffsetBefore) {
		if (this.linkUp && this.masterDataVersion != master.dataVersion) {
			dropLink(now);
			return;
		}
		if (isSyncing() && now >= this.syncDoneAt) {
			this.syncDoneAt = -1;
			this.linkUp = true;
			this.linkDownSince = -1;
			this.masterDataVersion = master.dataVersion;
			this.backlog = true;
			master.backlog = true;
			if (this.fullSync) {
				this.offset = master.offset;
				this.dataVersion++;
				this.replid2 = NO_REPLID;
				this.secondReplOffset = -1;
			}
		}
		if (this.linkUp) {
			if (master.isMaster() || master.linkUp) {
				// a replica without a link of its own (a demoted master replicating
				// itself) sends nothing
				this.lastIoAt = now;
			}
			this.stored.copyFrom(master.stored);
			// the replication stream carries the master's history and id changes (a
			// promoted chained master)
			this.history = master.history;
			this.replid2 = master.replid2;
			this.secondReplOffset = master.secondReplOffset;
			if (!this.streamStalled) {
				this.offset = Math.max(this.offset, masterOffsetBefore);
			}
		}
	}

	// Commands

	/** Executes one command; a master's INFO lists the replicas connected to it. */
	Reply execute(Action.NodeCommand command, long now, List<SimNode> connectedReplicas) {
		if (command instanceof Action.Ping) {
			return isLoading(now) ? new Reply.Text("LOADING Redis is loading the dataset in memory", true)
					: new Reply.Text("PONG", false);
		}
		if (command instanceof Action.QueryInfo) {
			return new Reply.Info(ReplicationInfo.parse(info(now, connectedReplicas)), this.stored.content());
		}
		if (command instanceof Action.QueryRole) {
			return new Reply.Role(new RoleInfo(isMaster(), reportedOffset(), this.following));
		}
		if (command instanceof Action.PauseWrites && this.refusesPause) {
			return new Reply.Failed("PauseWrites on " + this.address
					+ " answered an error: NOPERM this user has no permissions to run the 'client|pause' command");
		}
		if (command instanceof Action.PauseWrites pause) {
			// CLIENT PAUSE WRITE, then INFO on the same connection: its offset is final
			// while the pause holds.
			this.writesPausedUntil = now + pause.pauseMillis();
			return new Reply.Info(ReplicationInfo.parse(info(now, connectedReplicas)));
		}
		if (command instanceof Action.ResumeWrites) {
			this.writesPausedUntil = -1;
			return new Reply.Text("OK", false);
		}
		if (command instanceof Action.FenceMaster fenceMaster) {
			if (this.refusesConfig) {
				return new Reply.Failed("min-replicas-to-write cannot be set on " + this.address
						+ ": NOPERM this user has no permissions to run the 'config|get' command");
			}
			boolean changed = !fenceMaster.minReplicas().equals(this.fence);
			this.fence = fenceMaster.minReplicas();
			return new Reply.Text(changed ? "1" : "0", false);
		}
		if (command instanceof Action.Promote promote && promote.runId() != null
				&& !promote.runId().equals(this.runId)) {
			// read before the block (INFO answers while loading too), on the connection
			// the block then goes out on, which a restart would have broken
			return new Reply.Text(Action.Promote.restartedError(this.address, promote.runId(), this.runId), true);
		}
		if (isLoading(now)) {
			return new Reply.Text("LOADING Redis is loading the dataset in memory", true);
		}
		if (command instanceof Action.Promote || command instanceof Action.Replicate) {
			RoleCommand roleCommand = (command instanceof Action.Promote promote) ? promote.command()
					: ((Action.Replicate) command).command();
			if (!knows(roleCommand)) {
				return new Reply.Failed(command.getClass().getSimpleName() + " on " + this.address
						+ " answered an error: ERR unknown command '" + roleCommand + "', with args beginning with: ");
			}
			Configuration stored = this.stored.content().config();
			long epoch = (command instanceof Action.Promote promote) ? promote.epoch()
					: ((Action.Replicate) command).epoch();
			if (stored != null && stored.epoch() > epoch) {
				// NodeLink checks the stored epoch under WATCH before the block: a
				// command of an
				// older configuration (held by a frozen member, or by the network)
				// changes nothing.
				return new Reply.Text(StoredConfiguration.newerEpochError(stored.epoch(), epoch), true);
			}
			if (command instanceof Action.Promote promote && streamsFor(now, promote.refuseStreamingSeconds())) {
				return new Reply.Text(Action.Promote.streamingError(this.address, lastIoSeconds(now)), true);
			}
			if (command instanceof Action.Replicate replicate) {
				replicate(replicate.master(), now);
				changeFence(replicate.minReplicas(), 0);
			}
			else {
				Action.Promote promote = (Action.Promote) command;
				if (!this.ignoresPromotion) {
					promote(now, promote.epoch());
				}
				changeFence(promote.minReplicas(), promote.minReplicas().toWrite());
			}
			// INFO inside the MULTI block: the node right after its change.
			return new Reply.Info(ReplicationInfo.parse(info(now, connectedReplicas)));
		}
		if (!isMaster()) {
			return new Reply.Text("READONLY You can't write against a read only replica.", true);
		}
		if (command instanceof Action.StoreConfiguration store && store.runId() != null
				&& !store.runId().equals(this.runId)) {
			return new Reply.Text("-1", false);
		}
		// the group's own writes (configuration, departures) pass a managed fence in one
		// MULTI block that sets it again
		if (this.managedFence.managed()) {
			if (!this.refusesConfig) {
				this.fence = this.managedFence;
			}
		}
		else if (fenced(now)) {
			return new Reply.Text("NOREPLICAS Not enough good replicas to write.", true);
		}
		if (command instanceof Action.StoreConfiguration store) {
			return this.stored.store(store);
		}
		if (command instanceof Action.RecordDeparture departure) {
			return this.stored.record(departure);
		}
		throw new IllegalArgumentException("unknown command " + command);
	}

	/**
	 * Whether it takes this role command: SLAVEOF always, REPLICAOF since Redis 5; unless
	 * renamed away.
	 */
	private boolean knows(RoleCommand command) {
		return command != this.renamed
				&& (command == RoleCommand.SLAVEOF || RoleCommand.forVersion(this.version) != RoleCommand.SLAVEOF);
	}

	/**
	 * The members' {@code CLIENT KILL TYPE normal} on a demoted master, unless its ACL
	 * refuses it.
	 * @param killNormalClients cuts the clients' connections, returns how many it cut
	 */
	Reply disconnectClients(IntSupplier killNormalClients) {
		if (this.refusesClientKill) {
			return new Reply.Failed("DisconnectClients on " + this.address
					+ " refused by the node's ACL: NOPERM this user has no permissions to run the 'client|kill' command");
		}
		this.clientsDisconnected++;
		return new Reply.Text(Integer.toString(killNormalClients.getAsInt()), false);
	}

	/** {@code min-replicas-to-write} and {@code min-replicas-max-lag} now. */
	MinReplicas fence() {
		return this.fence;
	}

	/** {@code CONFIG SET} of its fence by hand, not kept in its config file. */
	void setFence(MinReplicas fence) {
		this.fence = fence;
	}

	void refuseConfig() {
		this.refusesConfig = true;
	}

	int clientsDisconnected() {
		return this.clientsDisconnected;
	}

	void refuseClientKill() {
		this.refusesClientKill = true;
	}

	void refusePause() {
		this.refusesPause = true;
	}

	/** {@code CONFIG SET replica-priority}. */
	void setPriority(int priority) {
		this.priority = priority;
	}

	/** The server version its INFO reports, and so the role command it knows. */
	void setVersion(String version) {
		this.version = version;
	}

	/** Loads its data set until told otherwise, or has loaded it. */
	void setLoading(boolean loading) {
		this.loadingUntil = loading ? Long.MAX_VALUE : -1;
	}

	/** Answers {@code REPLICAOF NO ONE} without changing its role, or takes it again. */
	void ignorePromotion(boolean ignores) {
		this.ignoresPromotion = ignores;
	}

	/** Stalls its stream from its master, or lets it flow again. */
	void stallStream(boolean stalled) {
		this.streamStalled = stalled;
	}

	/** {@code rename-command} in its config file hides the role command. */
	void renameAway(RoleCommand command) {
		this.renamed = command;
	}

	/**
	 * The block's {@code CONFIG SET min-replicas-to-write}, when managed, kept by its
	 * CONFIG REWRITE.
	 */
	private void changeFence(MinReplicas managed, int toWrite) {
		if (managed.managed() && !this.refusesConfig) {
			this.fence = new MinReplicas(toWrite, managed.maxLag());
			this.configuredFence = this.fence;
		}
	}

	/** {@code master_last_io_seconds_ago}: -1 with the link down. */
	private long lastIoSeconds(long now) {
		return this.linkUp ? Math.max(0, now - this.lastIoAt) / 1000 : -1;
	}

	/**
	 * Whether a promotion refusing a replica that streams within {@code limitSeconds}
	 * refuses this node (see {@link Action.Promote}).
	 */
	private boolean streamsFor(long now, long limitSeconds) {
		return limitSeconds >= 0 && this.linkUp && lastIoSeconds(now) <= limitSeconds;
	}

	/**
	 * {@code REPLICAOF NO ONE} followed by {@code CONFIG REWRITE}, sent by the leader of
	 * {@code epoch}.
	 */
	void promote(long now, long epoch) {
		if (!isMaster()) {
			this.replid2 = replid();
			this.secondReplOffset = this.offset + 1;
			this.history = Segment.on(lineage(), newId(), this.address, now, epoch, "promoted in epoch " + epoch);
			this.following = null;
			this.masterSince = now;
			this.linkUp = false;
			this.syncDoneAt = -1;
			this.linkDownSince = -1;
		}
		this.configuredMaster = null;
	}

	/** {@code REPLICAOF host port} followed by {@code CONFIG REWRITE}. */
	void replicate(NodeAddress master, long now) {
		this.configuredMaster = master;
		if (master.equals(this.following)) {
			return;
		}
		if (isMaster()) {
			// like Redis, a demoted master keeps its history so that it can resync
			// partially
			this.replid2 = NO_REPLID;
			this.secondReplOffset = -1;
			this.masterSince = -1;
		}
		this.following = master;
		// like Redis, only a link that was up is down since now: a replica that never
		// synced since its start (or a demoted master) still says -1
		if (this.linkUp) {
			this.linkDownSince = now;
		}
		this.linkUp = false;
		this.syncDoneAt = -1;
	}

	/**
	 * {@code INFO}: the server, persistence and replication sections, as Redis 7 writes
	 * them.
	 */
	String info(long now, List<SimNode> connectedReplicas) {
		StringBuilder info = new StringBuilder(1500);
		info.append("# Server\r\n")
			.append("redis_version:")
			.append(this.version)
			.append("\r\n")
			.append("redis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:5a6c8d2fd0ec2f9a\r\n")
			.append("redis_mode:standalone\r\nos:Linux 6.1.0-18-amd64 x86_64\r\narch_bits:64\r\n")
			.append("monotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\n")
			.append("gcc_version:12.2.0\r\nprocess_id:")
			.append(1000 + (this.address.port() % 1000))
			.append("\r\n")
			.append("process_supervised:no\r\nrun_id:")
			.append(this.runId)
			.append("\r\n")
			.append("tcp_port:")
			.append(this.address.port())
			.append("\r\n")
			.append("server_time_usec:")
			.append(1_700_000_000_000_000L + now * 1000)
			.append("\r\n")
			.append("uptime_in_seconds:")
			.append((now - this.startedAt) / 1000)
			.append("\r\n")
			.append("uptime_in_days:")
			.append((now - this.startedAt) / 86_400_000)
			.append("\r\n")
			.append("hz:10\r\nconfigured_hz:10\r\nlru_clock:")
			.append((now / 1000) & 0xFFFFFF)
			.append("\r\n")
			.append("executable:/usr/bin/redis-server\r\nconfig_file:/etc/redis/redis.conf\r\nio_threads_active:0\r\n")
			.append("\r\n# Persistence\r\n")
			.append("loading:")
			.append(isLoading(now) ? 1 : 0)
			.append("\r\n")
			.append("async_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\nrdb_changes_since_last_save:0\r\n")
			.append("rdb_bgsave_in_progress:0\r\nrdb_last_bgsave_status:ok\r\naof_enabled:0\r\n")
			.append("\r\n# Replication\r\n");
		if (isMaster()) {
			info.append("role:master\r\nconnected_slaves:").append(connectedReplicas.size()).append("\r\n");
			for (int i = 0; i < connectedReplicas.size(); i++) {
				SimNode replica = connectedReplicas.get(i);
				info.append("slave")
					.append(i)
					.append(":ip=")
					.append(replica.address.host())
					.append(",port=")
					.append(replica.address.port())
					.append(",state=")
					.append(replica.linkUp ? "online" : "wait_bgsave")
					.append(",offset=")
					.append(replica.offset)
					.append(",lag=")
					.append(replica.linkUp ? 0 : 1)
					.append("\r\n");
			}
		}
		else {
			info.append("role:slave\r\nmaster_host:")
				.append(this.following.host())
				.append("\r\n")
				.append("master_port:")
				.append(this.following.port())
				.append("\r\n")
				.append("master_link_status:")
				.append(this.linkUp ? "up" : "down")
				.append("\r\n")
				.append("master_last_io_seconds_ago:")
				.append(lastIoSeconds(now))
				.append("\r\n")
				.append("master_sync_in_progress:")
				.append(isSyncing() ? 1 : 0)
				.append("\r\n")
				.append("slave_read_repl_offset:")
				.append(this.offset)
				.append("\r\n")
				.append("slave_repl_offset:")
				.append(this.offset)
				.append("\r\n");
			if (!this.linkUp) {
				info.append("master_link_down_since_seconds:")
					.append((this.linkDownSince >= 0) ? (now - this.linkDownSince) / 1000 : -1)
					.append("\r\n");
			}
			info.append("slave_priority:")
				.append(this.priority)
				.append("\r\n")
				.append("slave_read_only:1\r\nreplica_announced:1\r\n")
				.append("connected_slaves:")
				.append(connectedReplicas.size())
				.append("\r\n");
		}
		info.append("master_failover_state:no-failover\r\n")
			.append("master_replid:")
			.append(replid())
			.append("\r\n")
			.append("master_replid2:")
			.append(this.replid2)
			.append("\r\n")
			.append("master_repl_offset:")
			.append(reportedOffset())
			.append("\r\n")
			.append("second_repl_offset:")
			.append(this.secondReplOffset)
			.append("\r\n")
			.append("repl_backlog_active:1\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:1\r\n")
			.append("repl_backlog_histlen:")
			.append(Math.min(reportedOffset(), 1048576))
			.append("\r\n");
		return info.toString();
	}

	private String newId() {
		StringBuilder id = new StringBuilder(40);
		for (int i = 0; i < 40; i++) {
			id.append(Character.forDigit(this.random.nextInt(16), 16));
		}
		return id.toString();
	}

	/**
	 * A node's data and master at one moment.
	 *
	 * @param following the master it replicates; null for a master
	 */
	record State(Lineage data, NodeAddress following) {
	}

	@Override
	public String toString() {
		return this.address + "[" + this.process + ", " + (isMaster() ? "master" : "replica of " + this.following)
				+ (this.linkUp ? " link up" : "") + ", offset " + this.offset + ", prio " + this.priority + "]";
	}

}
