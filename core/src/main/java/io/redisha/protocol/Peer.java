package io.redisha.protocol;

import org.jspecify.annotations.Nullable;

/** What this member knows about one other member, from its latest messages. */
final class Peer {

	private final String id;

	private final SequenceWindow sequences;

	private String application = "";

	private @Nullable NodeAddress endpoint;

	private long lastSeenAt;

	private long currentEpoch;

	private @Nullable NodeAddress master;

	private long configEpoch;

	private boolean masterDown;

	private long helloAt = -1;

	/** The sequence number of the latest hello taken; -1 before the first. */
	private long helloSequence = -1;

	private long failoverEpoch;

	private long campaignEpoch;

	private @Nullable Configuration config;

	private final SenderClock clock = new SenderClock();

	/**
	 * When, on this member's clock, it last had a valid reply from {@link #master}; -1
	 * when unknown.
	 */
	private long masterReplyAt = -1;

	/** See {@link #saidMasterDownAt()}. */
	private long saidMasterDownAt = -1;

	/**
	 * Whether its latest hello gave its word on the master: it withholds it while a node
	 * promoted beside the master may take its place (see {@link Gossip#hello}).
	 */
	private boolean vouches;

	/**
	 * The epoch of the latest vote it gave and cannot call over yet; 0 when none.
	 */
	private long openVoteEpoch;

	/**
	 * @param sequences the sequence numbers already received from it (kept when it was
	 * forgotten and comes back)
	 */
	Peer(String id, long now, SequenceWindow sequences) {
		this.id = id;
		this.lastSeenAt = now;
		this.sequences = sequences;
	}

	String id() {
		return this.id;
	}

	SequenceWindow sequences() {
		return this.sequences;
	}

	boolean accept(long sequence) {
		return this.sequences.accept(sequence);
	}

	void seen(long now, long epoch) {
		this.lastSeenAt = Math.max(this.lastSeenAt, now);
		this.currentEpoch = Math.max(this.currentEpoch, epoch);
	}

	/**
	 * Takes the opinions of a hello, unless a later hello of this member was taken
	 * already: a message delivered out of order (through another node) would bring back
	 * an older master, "down" flag or epochs, and make a stale opinion look fresh. Its
	 * word that it had a reply from the master counts only in hellos that arrive
	 * {@code settling} (fence-after) or more after the first one heard: the first hellos
	 * heard may all have waited together in a frozen node, and nothing then tells how
	 * long (see {@link SenderClock}); a held batch arrives at once and counts for
	 * nothing, and a later hello is placed by the least delay seen since.
	 * @param settling how long after the first hello heard (see
	 * {@link SenderClock#since()}) its word on the master counts
	 * @return whether it was taken
	 */
	boolean hello(long now, GossipMessage.Hello hello, long settling) {
		seen(now, hello.currentEpoch());
		if (hello.sequence() < this.helloSequence) {
			return false;
		}
		this.helloSequence = hello.sequence();
		this.config = hello.config();
		this.campaignEpoch = hello.campaignEpoch();
		this.application = hello.application();
		this.endpoint = hello.endpoint();
		this.master = hello.master();
		this.configEpoch = hello.configEpoch();
		this.masterDown = hello.masterDown();
		this.failoverEpoch = hello.failoverEpoch();
		this.helloAt = now;
		this.masterReplyAt = -1;
		this.saidMasterDownAt = -1;
		this.vouches = hello.masterReplyAge() >= 0;
		this.openVoteEpoch = hello.openVoteEpoch();
		if (hello.sentAt() >= 0) {
			this.clock.sample(now, hello.sentAt());
			boolean settled = now - this.clock.since() >= settling;
			if (hello.masterReplyAge() >= 0 && settled) {
				this.masterReplyAt = this.clock.toLocal(hello.sentAt()) - hello.masterReplyAge();
			}
			if (hello.masterDown() && settled) {
				this.saidMasterDownAt = this.clock.toLocal(hello.sentAt());
			}
		}
		return true;
	}

	/**
	 * When, on this member's clock, its latest hello says it last had a valid reply from
	 * the master of configuration {@code held}, holding a configuration of the same epoch
	 * (its version may differ by the voter change under way); -1 when it follows another
	 * master or epoch, or did not say, and while it may be helping to fail that master
	 * over already: a candidate, a leader, or a voter whose vote for a failover is still
	 * open. Otherwise it grants no vote to fail that master over before this time plus
	 * down-after.
	 */
	long masterReplyAt(Configuration held) {
		boolean inFailover = this.campaignEpoch > 0 || this.failoverEpoch > 0 || this.openVoteEpoch > held.epoch();
		return (this.config != null && this.config.epoch() == held.epoch() && held.master().equals(this.master)
				&& !inFailover) ? this.masterReplyAt : -1;
	}

	/**
	 * When, on this member's clock, its latest hello said it sees the master down: placed
	 * when it was sent (a hello held in a frozen node is no fresh word), and only once
	 * its hellos settled as for {@link #masterReplyAt}; -1 otherwise.
	 */
	long saidMasterDownAt() {
		return this.saidMasterDownAt;
	}

	/** The configuration its latest hello holds; null when none. */
	@Nullable Configuration config() {
		return this.config;
	}

	/**
	 * Whether its latest hello, sent after its message numbered {@code sequence}, says it
	 * is neither a candidate nor a leader in {@code epoch} any more: that election is
	 * over.
	 */
	boolean doneWith(long epoch, long sequence) {
		return this.helloSequence > sequence && this.campaignEpoch != epoch && this.failoverEpoch != epoch;
	}

	/**
	 * Whether its latest hello, sent after its message numbered {@code sequence}, says
	 * its failover of {@code epoch} is over and left no promoted node standing: it is
	 * neither candidate nor leader in that epoch, holds no configuration of that epoch or
	 * a later one, and gives its word on the master again. A leader that gave up on a
	 * promotion that landed after all (it woke in TILT to the node's master role)
	 * withholds its word while that node is a master, and a later leader would adopt that
	 * node over what the old master takes meanwhile. One whose failover succeeded gives
	 * its word on the node it promoted: only that configuration settles the vote.
	 */
	boolean settledFailover(long epoch, long sequence) {
		return doneWith(epoch, sequence) && this.vouches && this.configEpoch < epoch;
	}

	/** Whether its latest hello, at most {@code validity} old, says it is a candidate. */
	boolean campaigns(long now, long validity) {
		return this.helloAt >= 0 && now - this.helloAt <= validity && this.campaignEpoch > 0;
	}

	String application() {
		return this.application;
	}

	long lastSeenAt() {
		return this.lastSeenAt;
	}

	long currentEpoch() {
		return this.currentEpoch;
	}

	@Nullable NodeAddress master() {
		return this.master;
	}

	long configEpoch() {
		return this.configEpoch;
	}

	boolean masterDown() {
		return this.masterDown;
	}

	/**
	 * Whether its latest hello, at most {@code validity} old, says {@code master} is
	 * down.
	 */
	boolean seesDown(NodeAddress master, long now, long validity) {
		return this.masterDown && master.equals(this.master) && now - this.helloAt <= validity;
	}

	/**
	 * The epoch of the failover it said it leads, if that hello is at most
	 * {@code validity} old; else 0.
	 */
	long leadsFailover(long now, long validity) {
		return (this.helloAt >= 0 && now - this.helloAt <= validity) ? this.failoverEpoch : 0;
	}

	GroupSnapshot.MemberSnapshot snapshot(long now) {
		return new GroupSnapshot.MemberSnapshot(this.id, this.application, false, Math.max(0, now - this.lastSeenAt),
				this.currentEpoch, this.master, this.configEpoch, this.masterDown, this.endpoint);
	}

}
