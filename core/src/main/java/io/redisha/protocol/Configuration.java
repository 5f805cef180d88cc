package io.redisha.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

/**
 * The group's agreed configuration: which node is the master and which members are the
 * <b>voters</b>, the only members whose votes elect a leader. Every configuration is made
 * by the leader of one epoch, elected by a majority of the voters of the configuration it
 * replaces; its voters differ from those by at most one member. Configurations are
 * ordered by {@code (epoch, version)}; a leader makes version 0 of its epoch and, for a
 * change of voters, version 1. Not to be confused with {@link GroupConfig}, the static
 * settings.
 *
 * @param epoch the epoch of the election that made it
 * @param version its number within that epoch
 * @param master the master
 * @param voters the voters' member ids, sorted, at least one
 */
public record Configuration(long epoch, int version, NodeAddress master, List<String> voters) {

	/** The most voters a configuration may have: bounds every message and vote count. */
	public static final int MAX_VOTERS = 9;

	public Configuration {
		Objects.requireNonNull(master, "master");
		if (epoch < 0 || version < 0) {
			throw new IllegalArgumentException("epoch and version must be >= 0 but were " + epoch + " and " + version);
		}
		// Gossip brings the voters sorted already: sorting them again was a good part of
		// decoding a hello.
		voters = sortedAndDistinct(voters) ? List.copyOf(voters) : List.copyOf(new TreeSet<>(voters));
		if (voters.isEmpty() || voters.size() > MAX_VOTERS) {
			throw new IllegalArgumentException(
					"a configuration has 1 to " + MAX_VOTERS + " voters but this one has " + voters.size());
		}
		for (String voter : voters) {
			if (voter.isEmpty() || voter.length() > GossipCodec.MAX_TEXT_LENGTH || voter.indexOf(',') >= 0) {
				throw new IllegalArgumentException(
						"a voter id has 1 to " + GossipCodec.MAX_TEXT_LENGTH + " characters and no comma");
			}
		}
	}

	private static boolean sortedAndDistinct(List<String> voters) {
		for (int i = 1; i < voters.size(); i++) {
			if (voters.get(i - 1).compareTo(voters.get(i)) >= 0) {
				return false;
			}
		}
		return true;
	}

	/**
	 * The first configuration of a group, or the one that succeeds an electorate that has
	 * all departed.
	 */
	static Configuration founding(long epoch, NodeAddress master, String founder) {
		return new Configuration(epoch, 0, master, List.of(founder));
	}

	/**
	 * Whether this configuration comes after {@code other} (null comes before every
	 * configuration).
	 */
	public boolean newerThan(@Nullable Configuration other) {
		return other == null || compare(this.epoch, this.version, other.epoch, other.version) > 0;
	}

	/** Whether this is the configuration numbered {@code (epoch, version)}. */
	public boolean is(long epoch, int version) {
		return this.epoch == epoch && this.version == version;
	}

	/** Orders {@code (epoch, version)} pairs. */
	static int compare(long epoch, int version, long otherEpoch, int otherVersion) {
		int byEpoch = Long.compare(epoch, otherEpoch);
		return (byEpoch != 0) ? byEpoch : Integer.compare(version, otherVersion);
	}

	public boolean isVoter(String member) {
		return this.voters.contains(member);
	}

	/** The same voters under a new master, made by the leader of {@code epoch}. */
	Configuration withMaster(long epoch, NodeAddress master) {
		return new Configuration(epoch, 0, master, this.voters);
	}

	/** The next version of this epoch with one voter added or removed. */
	Configuration withVoterChange(String member, boolean add) {
		List<String> changed = new ArrayList<>(this.voters);
		if (add) {
			changed.add(member);
		}
		else {
			changed.remove(member);
		}
		return new Configuration(this.epoch, this.version + 1, this.master, changed);
	}

	/**
	 * The voters that may still vote: those not known to have departed holding this
	 * configuration or an older one.
	 */
	List<String> liveVoters(Map<String, Departure> departed) {
		return liveVoters(departed, Long.MAX_VALUE);
	}

	/**
	 * The voters an election in {@code epoch} counts: a departed voter still counts in
	 * the epochs up to the last one it knew, where it may have voted before it left.
	 */
	List<String> liveVoters(Map<String, Departure> departed, long epoch) {
		if (departed.isEmpty()) {
			// the common case, asked at every step
			return this.voters;
		}
		List<String> live = new ArrayList<>();
		for (String voter : this.voters) {
			Departure departure = departed.get(voter);
			if (departure == null || !departure.countsOut(this, epoch)) {
				live.add(voter);
			}
		}
		return live;
	}

	/** A strict majority of the voters that may still vote. */
	int majority(Map<String, Departure> departed) {
		return majority(departed, Long.MAX_VALUE);
	}

	/**
	 * A strict majority of the voters an election in {@code epoch} counts: the votes it
	 * needs (with the quorum).
	 */
	int majority(Map<String, Departure> departed, long epoch) {
		return liveVoters(departed, epoch).size() / 2 + 1;
	}

	/** The voters, comma-separated, for gossip and the stored copy. */
	String votersText() {
		return String.join(",", this.voters);
	}

	static List<String> parseVoters(String text) {
		// What text.split(",", -1) gives, without its intermediate list: every hello
		// carries the voters.
		List<String> voters = new ArrayList<>(MAX_VOTERS);
		int start = 0;
		for (int comma = text.indexOf(','); comma >= 0; comma = text.indexOf(',', start)) {
			voters.add(text.substring(start, comma));
			start = comma + 1;
		}
		voters.add(text.substring(start));
		return voters;
	}

	/**
	 * That a member stopped for good while holding configuration
	 * {@code (epoch, version)}, with no vote of its own still open: it never votes again.
	 * A candidate holding that configuration or a later one counts it out of the
	 * electorate, in the epochs after {@code lastEpoch}; a candidate holding an older one
	 * may not (the member may have helped to commit a configuration that candidate does
	 * not know), and neither may an election in an epoch the member knew (it may have
	 * voted in it before it left), see docs/protocol.md.
	 *
	 * @param lastEpoch the member's current epoch when it stopped: it voted and stood in
	 * none after it
	 */
	public record Departure(long epoch, int version, long lastEpoch) {

		boolean after(Configuration config) {
			return compare(this.epoch, this.version, config.epoch, config.version) > 0;
		}

		/**
		 * Whether the voters of {@code config} that an election in {@code electionEpoch}
		 * counts leave this member out.
		 */
		boolean countsOut(Configuration config, long electionEpoch) {
			return !after(config) && this.lastEpoch < electionEpoch;
		}

		static Departure of(@Nullable Configuration config, long lastEpoch) {
			return (config != null) ? new Departure(config.epoch, config.version, lastEpoch)
					: new Departure(0, 0, lastEpoch);
		}

	}

}
