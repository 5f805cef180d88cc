package io.redisha.connection;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.CommandWrapper;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.ReadOnlyCommands;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.util.AttributeKey;
import io.redisha.member.RedisHaMember;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * The partition fence on the path to the socket: while the member does not admit writes
 * (see {@link io.redisha.protocol.PartitionMode}), every command that may write fails at
 * once with a {@link RedisHaFencedException} and is never sent. Reads pass, as Lettuce
 * classifies them ({@link ReadOnlyCommands}); MULTI, EXEC, PUBLISH and scripts other than
 * the read-only ones count as writes. A write refused within a transaction closes the
 * connection, so that Redis discards the transaction instead of running what it queued at
 * a later EXEC.
 * <p>
 * An admitted write costs one look at the member's snapshot and the clock; a read not
 * even that.
 */
@ChannelHandler.Sharable
final class WriteFence extends CommandFilter {

	/**
	 * Not in Lettuce's list, which is of the commands a replica can answer, yet they
	 * write no data: Lettuce's handshake, subscriptions, and ending a transaction without
	 * running it. Refusing them would leave a fenced instance unable to read.
	 */
	private static final Set<CommandType> CONNECTION_COMMANDS = EnumSet.of(CommandType.AUTH, CommandType.HELLO,
			CommandType.PING, CommandType.SELECT, CommandType.QUIT, CommandType.DISCARD, CommandType.UNWATCH,
			CommandType.SUBSCRIBE, CommandType.PSUBSCRIBE, CommandType.SSUBSCRIBE, CommandType.UNSUBSCRIBE,
			CommandType.PUNSUBSCRIBE, CommandType.SUNSUBSCRIBE);

	/** Set while a MULTI went out on the channel and no EXEC or DISCARD since. */
	private static final AttributeKey<Boolean> IN_TRANSACTION = AttributeKey.valueOf("redis-ha-in-transaction");

	private final RedisHaMember member;

	private final String group;

	WriteFence(RedisHaMember member, String group) {
		this.member = member;
		this.group = group;
	}

	@Override
	protected @Nullable RedisCommand<?, ?, ?> admit(Channel channel, RedisCommand<?, ?, ?> command) {
		// Read once: every command of the application passes here.
		ProtocolKeyword type = command.getType();
		if (!isWrite(type)) {
			noteTransaction(channel, type);
			return command;
		}
		GroupSnapshot admitted = this.member.writableSnapshot(this.group);
		if (admitted == null) {
			refuse(channel, command);
			return null;
		}
		noteTransaction(channel, type);
		return new LeaseCheckedWrite<>(command, admitted);
	}

	private static boolean isWrite(ProtocolKeyword type) {
		return !ReadOnlyCommands.isReadOnlyCommand(type) && !CONNECTION_COMMANDS.contains(type);
	}

	private static void noteTransaction(Channel channel, ProtocolKeyword type) {
		if (type == CommandType.MULTI) {
			channel.attr(IN_TRANSACTION).set(Boolean.TRUE);
		}
		else if (type == CommandType.EXEC || type == CommandType.DISCARD) {
			channel.attr(IN_TRANSACTION).set(null);
		}
	}

	private void refuse(Channel channel, RedisCommand<?, ?, ?> command) {
		this.member.countRefusedWrite(this.group);
		command.completeExceptionally(refusal());
		if (channel.attr(IN_TRANSACTION).get() != null) {
			// Redis queues the transaction's other commands and would run them at a later
			// EXEC, when the fence may be open again: closing the connection makes it
			// discard them.
			channel.close();
		}
	}

	/**
	 * An admitted write whose reply counts as its acknowledgement only if it arrives
	 * while the member still admits writes to the master it was admitted for. The master
	 * carried it out before its reply arrived; while the lease holds then, no replica can
	 * have been promoted yet (see docs/protocol.md), so the write is in the history a
	 * promotion continues. A reply that comes later (the write waited in this process, a
	 * GC pause, a slow socket, a retransmission) may be of a master the majority has
	 * replaced: the write fails as possibly carried out, never as acknowledged.
	 */
	private final class LeaseCheckedWrite<K, V, T> extends CommandWrapper<K, V, T> {

		/** The member's snapshot when the write was admitted. */
		private final GroupSnapshot admitted;

		LeaseCheckedWrite(RedisCommand<K, V, T> command, GroupSnapshot admitted) {
			super(command);
			this.admitted = admitted;
		}

		@Override
		public void complete() {
			GroupSnapshot now = WriteFence.this.member.writableSnapshot(WriteFence.this.group);
			if (now != null && (now == this.admitted || Objects.equals(master(now), master(this.admitted)))) {
				super.complete();
				return;
			}
			WriteFence.this.member.countUnconfirmedWrite(WriteFence.this.group);
			completeExceptionally(new RedisHaUnconfirmedWriteException(WriteFence.this.group, master(this.admitted)));
		}

		private static @Nullable NodeAddress master(GroupSnapshot snapshot) {
			GroupSnapshot.NodeSnapshot master = snapshot.master();
			return (master != null) ? master.address() : null;
		}

	}

	private RedisHaFencedException refusal() {
		GroupSnapshot snapshot = this.member.snapshot(this.group);
		if (snapshot == null) {
			return new RedisHaFencedException(this.group, "this member has no picture of the group yet", null);
		}
		GroupSnapshot.FenceSnapshot fence = snapshot.fence();
		if (fence.fenced()) {
			return new RedisHaFencedException(this.group, fence.reason(), wallClock(fence.sinceMs()));
		}
		// The lease ran out before the member took a newer picture (this process was
		// paused, say).
		return new RedisHaFencedException(this.group,
				"its write lease ran out before it heard again from a majority of the voters",
				wallClock(fence.leaseUntilMs()));
	}

	/**
	 * Null for a time that is not one: a lease without end (a newer picture came in since
	 * the check).
	 */
	private @Nullable Instant wallClock(long monotonicMillis) {
		return (monotonicMillis >= 0 && monotonicMillis != Long.MAX_VALUE)
				? Instant.ofEpochMilli(this.member.toEpochMillis(monotonicMillis)) : null;
	}

}
