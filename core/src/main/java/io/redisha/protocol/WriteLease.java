package io.redisha.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Until when this member lets its application write to its master in consistent partition
 * mode: the partition fence. Pure: every input is an argument.
 * <p>
 * A failover needs the votes of a majority of the voters, and a voter grants one only
 * once it has itself had no valid reply from the master for down-after. Each voter's
 * hello tells when it last had one (placed on this member's clock by {@link SenderClock},
 * so a late message never looks fresh). If a majority of the voters each had a reply
 * within fence-after, any majority that could fail the master over shares a voter with
 * them, and that voter will not vote for at least down-after minus fence-after more:
 * writes admitted until then are not lost to a failover. The write lease is therefore the
 * time at which the majority-th most recent of those replies becomes fence-after old.
 * <p>
 * Without such a majority (the other instances are gone, or cut off), the member still
 * writes while every replica it knows of was seen, within fence-after, replicating from
 * its master with its link up and recent traffic: such a replica is never promoted in
 * consistent mode (see {@link ReplicaSelector}), and there is nothing else to promote.
 */
final class WriteLease {

	private WriteLease() {
	}

	/** A voter's last valid reply from the master, on this member's clock. */
	record Evidence(String voter, long masterReplyAt) {
	}

	/**
	 * @param fenceAfter the configured fence-after in milliseconds; 0 in available mode
	 * @param held the configuration this member holds; null when none
	 * @param departures the voters known to have stopped for good
	 * @param evidence each voter's last valid reply from the master (this member's own
	 * included when it votes), of the voters that hold {@code held}
	 * @param replicasAttachedSince when the INFO read last from every replica but the
	 * oldest was asked, if each showed it streaming from the master; -1 otherwise
	 * @param startedAt when this member started, for the fence's start when it never held
	 * a lease
	 * @param configurationElsewhere with none {@code held}, whether one may exist all the
	 * same, or another master: a node this member knows is down, did not answer, or
	 * stores one, a member holds one (a master learned from the nodes' roles may then not
	 * be the group's), another node answers as a master, or a member names another
	 */
	static GroupSnapshot.FenceSnapshot of(long now, long fenceAfter, @Nullable Configuration held,
			Map<String, Configuration.Departure> departures, List<Evidence> evidence, long replicasAttachedSince,
			long startedAt, boolean configurationElsewhere) {
		if (fenceAfter <= 0) {
			return new GroupSnapshot.FenceSnapshot(PartitionMode.AVAILABLE, Long.MAX_VALUE, false, "available mode", -1,
					0, 0, false);
		}
		if (held == null && configurationElsewhere) {
			return new GroupSnapshot.FenceSnapshot(PartitionMode.CONSISTENT, Long.MIN_VALUE, true,
					"no configuration is known yet, and not every node answered without one as a replica of "
							+ "the master, or a member names another master: a node that does not answer may hold "
							+ "the group's configuration, and two masters may each take writes",
					-1, 0, 0, false);
		}
		if (held == null) {
			return new GroupSnapshot.FenceSnapshot(PartitionMode.CONSISTENT, Long.MAX_VALUE, false,
					"no electorate exists yet, so no failover can happen", -1, 0, 0, false);
		}
		// Unboxed: every tick and every write of every member takes a lease.
		long[] expiries = new long[evidence.size()];
		int count = 0;
		for (Evidence each : evidence) {
			if (held.isVoter(each.voter()) && !departures.containsKey(each.voter()) && each.masterReplyAt() >= 0) {
				expiries[count++] = each.masterReplyAt() + fenceAfter;
			}
		}
		Arrays.sort(expiries, 0, count);
		int needed = held.majority(departures);
		// the needed-th latest
		long majorityUntil = (count >= needed) ? expiries[count - needed] : Long.MIN_VALUE;
		long replicasUntil = (replicasAttachedSince >= 0) ? replicasAttachedSince + fenceAfter : Long.MIN_VALUE;
		long leaseUntil = Math.max(majorityUntil, replicasUntil);
		int withMaster = 0;
		for (int i = 0; i < count; i++) {
			if (expiries[i] > now) {
				withMaster++;
			}
		}
		boolean attached = replicasUntil > now;
		boolean fenced = now >= leaseUntil;
		String reason;
		if (now < majorityUntil) {
			reason = withMaster + " of " + held.liveVoters(departures).size() + " voters reach the master";
		}
		else if (attached) {
			reason = "every replica streams from the master, so none can be promoted";
		}
		else {
			reason = "only " + withMaster + " voters are known to reach the master within fence-after, " + needed
					+ " needed, and not every replica is seen streaming from it";
		}
		long since = fenced ? Math.max(leaseUntil, startedAt) : -1;
		return new GroupSnapshot.FenceSnapshot(PartitionMode.CONSISTENT, leaseUntil, fenced, reason, since, withMaster,
				needed, attached);
	}

}
