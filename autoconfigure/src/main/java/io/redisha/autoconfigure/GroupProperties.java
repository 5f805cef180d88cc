package io.redisha.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.ReadFrom;
import io.redisha.protocol.GroupConfig;
import io.redisha.protocol.MinReplicas;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.PartitionMode;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationUnit;

/**
 * One monitored Redis group ({@code redis-ha.groups.<name>}): a master and its replicas.
 */
public class GroupProperties extends GroupTimingProperties {

	/**
	 * Seed nodes of the group as host:port (IPv6 literals as [addr]:port), comma
	 * separated: any nodes of the group, the rest is discovered.
	 */
	private List<String> nodes = new ArrayList<>();

	/**
	 * Number of members that must see the master down before it is objectively down and a
	 * failover may start.
	 */
	private int quorum = 2;

	/**
	 * Time without a valid reply after which a node is considered down.
	 */
	private Duration downAfter = Duration.ofSeconds(5);

	/**
	 * How long one failover attempt may take before it is aborted.
	 */
	private Duration failoverTimeout = Duration.ofMinutes(3);

	/**
	 * Number of replicas that may resynchronise with a new master at the same time.
	 */
	private int parallelSyncs = 1;

	/**
	 * Redis ACL user to authenticate as, if any.
	 */
	private @Nullable String username;

	/**
	 * Redis password, if any. Never shown by the endpoint or in logs.
	 */
	private @Nullable String password;

	/**
	 * How long a command to a node may take before it counts as failed.
	 */
	private Duration commandTimeout = Duration.ofSeconds(1);

	/**
	 * How long the application's Redis commands wait for a usable master while the group
	 * has none (master objectively down and a failover under way, or no master known yet)
	 * before they fail with RedisMasterUnavailableException. Zero fails at once.
	 */
	private Duration failoverWait = Duration.ofSeconds(2);

	/**
	 * Where the application's reads go, as Lettuce's ReadFrom names it: 'master' (the
	 * default: everything goes to the master), 'replicaPreferred', 'replica',
	 * 'masterPreferred', 'any', 'nearest'... Replicas are discovered from the current
	 * master and rediscovered after every master switch.
	 */
	private @Nullable String readFrom;

	/**
	 * How many failovers and switchovers the endpoint's history keeps.
	 */
	private int historySize = GroupConfig.DEFAULT_HISTORY_SIZE;

	/**
	 * How many members elect (the voters); the other application instances observe. An
	 * odd number: 3 tolerates one voter lost, 5 two. Elections need a majority of the
	 * voters, however many instances run.
	 */
	private int voters = GroupConfig.DEFAULT_VOTERS;

	/**
	 * What the application's writes do when this instance cannot tell that a majority of
	 * the voters still reach its master: 'consistent' fails them at once with
	 * RedisHaFencedException, so that a minority side never acknowledges a write a
	 * failover on the majority side would lose; 'available' sends them to the master it
	 * knows, which a partition may lose.
	 */
	private PartitionMode partitionMode = PartitionMode.CONSISTENT;

	/**
	 * How long this instance may go without hearing a majority of the voters that reach
	 * its master before it fences the application's writes (consistent mode). Shorter
	 * than down-after: the difference is the margin for a write in flight. Defaults to
	 * 60% of down-after.
	 */
	private @Nullable Duration fenceAfter;

	/**
	 * Replicas a master needs to take writes, set by redis-ha as Redis's
	 * min-replicas-to-write on the master it promotes and kept there: a master cut off
	 * from its replicas then refuses every client's writes (NOREPLICAS) after
	 * min-replicas-max-lag, instead of acknowledging writes its demotion loses. Also
	 * refuses writes while replicas resync after a failover. Zero leaves the nodes' own
	 * setting alone.
	 */
	private int minReplicasToWrite;

	/**
	 * How recent a replica's acknowledgement must be to count towards
	 * min-replicas-to-write (Redis's min-replicas-max-lag): whole seconds, and a bare
	 * number is seconds, as in Redis.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private Duration minReplicasMaxLag = Duration.ofSeconds(10);

	public List<String> getNodes() {
		return this.nodes;
	}

	public void setNodes(List<String> nodes) {
		this.nodes = nodes;
	}

	public int getQuorum() {
		return this.quorum;
	}

	public void setQuorum(int quorum) {
		this.quorum = quorum;
	}

	public Duration getDownAfter() {
		return this.downAfter;
	}

	public void setDownAfter(Duration downAfter) {
		this.downAfter = downAfter;
	}

	public Duration getFailoverTimeout() {
		return this.failoverTimeout;
	}

	public void setFailoverTimeout(Duration failoverTimeout) {
		this.failoverTimeout = failoverTimeout;
	}

	public int getParallelSyncs() {
		return this.parallelSyncs;
	}

	public void setParallelSyncs(int parallelSyncs) {
		this.parallelSyncs = parallelSyncs;
	}

	public @Nullable String getUsername() {
		return this.username;
	}

	public void setUsername(@Nullable String username) {
		this.username = username;
	}

	public @Nullable String getPassword() {
		return this.password;
	}

	public void setPassword(@Nullable String password) {
		this.password = password;
	}

	public Duration getCommandTimeout() {
		return this.commandTimeout;
	}

	public void setCommandTimeout(Duration commandTimeout) {
		this.commandTimeout = commandTimeout;
	}

	public Duration getFailoverWait() {
		return this.failoverWait;
	}

	public void setFailoverWait(Duration failoverWait) {
		this.failoverWait = failoverWait;
	}

	public int getHistorySize() {
		return this.historySize;
	}

	public void setHistorySize(int historySize) {
		this.historySize = historySize;
	}

	public int getVoters() {
		return this.voters;
	}

	public void setVoters(int voters) {
		this.voters = voters;
	}

	public PartitionMode getPartitionMode() {
		return this.partitionMode;
	}

	public void setPartitionMode(PartitionMode partitionMode) {
		this.partitionMode = partitionMode;
	}

	public @Nullable Duration getFenceAfter() {
		return this.fenceAfter;
	}

	public void setFenceAfter(@Nullable Duration fenceAfter) {
		this.fenceAfter = fenceAfter;
	}

	public int getMinReplicasToWrite() {
		return this.minReplicasToWrite;
	}

	public void setMinReplicasToWrite(int minReplicasToWrite) {
		this.minReplicasToWrite = minReplicasToWrite;
	}

	public Duration getMinReplicasMaxLag() {
		return this.minReplicasMaxLag;
	}

	public void setMinReplicasMaxLag(Duration minReplicasMaxLag) {
		this.minReplicasMaxLag = minReplicasMaxLag;
	}

	public @Nullable String getReadFrom() {
		return this.readFrom;
	}

	public void setReadFrom(@Nullable String readFrom) {
		this.readFrom = readFrom;
	}

	/**
	 * The read routing, parsed. Only valid once the group passed validation.
	 * @return Lettuce's read routing, or null when everything goes to the master
	 */
	public @Nullable ReadFrom readFromSetting() {
		return (this.readFrom != null) ? ReadFrom.valueOf(this.readFrom) : null;
	}

	/**
	 * The seed nodes, parsed. Only valid once the group passed validation.
	 * @return the seed addresses in configuration order
	 */
	public List<NodeAddress> nodeAddresses() {
		return this.nodes.stream().map(NodeAddress::parse).toList();
	}

	/**
	 * The partition fence as the protocol takes it, the fence-after unset when it follows
	 * down-after. Only valid once the group passed validation.
	 * @return the fencing
	 */
	public GroupConfig.Fencing fencing() {
		return new GroupConfig.Fencing(this.partitionMode, this.fenceAfter);
	}

	/**
	 * The group as the protocol takes it. Only valid once the group passed validation.
	 * @param name the group's name
	 * @return the group's configuration
	 */
	public GroupConfig groupConfig(String name) {
		return new GroupConfig(name, nodeAddresses(), this.quorum, this.downAfter, this.failoverTimeout,
				this.parallelSyncs, timing(), this.historySize, this.voters, fencing())
			.withMinReplicas(minReplicas());
	}

	/**
	 * The master-side fence as the protocol takes it. Only valid once the group passed
	 * validation.
	 * @return the fence, unmanaged when min-replicas-to-write is 0
	 */
	public MinReplicas minReplicas() {
		return new MinReplicas(this.minReplicasToWrite, this.minReplicasMaxLag);
	}

}
