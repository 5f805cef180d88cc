package io.redisha.connection;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.lettuce.core.protocol.RedisCommand;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import org.jspecify.annotations.Nullable;

/**
 * An outbound handler that lets each command Lettuce writes to the channel go on (as it
 * is, or wrapped), or refuses it: a refused command is completed by {@link #admit} and
 * never reaches the socket. Of a batch (a pipeline flushed at once) only the refused
 * commands are taken out, the others keep their order.
 * <p>
 * Last in the pipeline, where Lettuce's endpoint hands its commands over: a refused
 * command never reaches Lettuce's command handler, which would wait for a reply to it.
 */
abstract class CommandFilter extends ChannelOutboundHandlerAdapter {

	@Override
	public final void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
		Channel channel = context.channel();
		Object admitted = (message instanceof Collection<?> batch) ? admitted(channel, batch)
				: admitMessage(channel, message);
		if (admitted != null) {
			context.write(admitted, promise);
		}
		else {
			// As Lettuce's command handler does for a command completed before it was
			// written.
			promise.trySuccess();
		}
	}

	/**
	 * What goes on to the socket for the command: itself, or a wrapper of it; null when
	 * it is refused, in which case it must be completed here (exceptionally, saying why).
	 */
	protected abstract @Nullable RedisCommand<?, ?, ?> admit(Channel channel, RedisCommand<?, ?, ?> command);

	private @Nullable Object admitMessage(Channel channel, Object message) {
		return (message instanceof RedisCommand<?, ?, ?> command) ? admit(channel, command) : message;
	}

	/** The commands of a batch that go on, in order; null when none does. */
	private @Nullable Object admitted(Channel channel, Collection<?> batch) {
		List<Object> admitted = new ArrayList<>(batch.size());
		boolean unchanged = true;
		for (Object message : batch) {
			Object passed = admitMessage(channel, message);
			if (passed != null) {
				admitted.add(passed);
			}
			unchanged &= (passed == message);
		}
		if (unchanged) {
			return batch;
		}
		return admitted.isEmpty() ? null : admitted;
	}

}
