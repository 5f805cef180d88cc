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
 * An outbound handler that lets each command Lettuce writes to the channel go on, or
 * refuses it: a refused command is completed by {@link #admits} and never reaches the
 * socket. Of a batch (a pipeline flushed at once) only the refused commands are taken
 * out, the others keep their order.
 * <p>
 * Last in the pipeline, where Lettuce's endpoint hands its commands over: a refused
 * command never reaches Lettuce's command handler, which would wait for a reply to it.
 */
abstract class CommandFilter extends ChannelOutboundHandlerAdapter {

	@Override
	public final void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
		Channel channel = context.channel();
		Object admitted = (message instanceof Collection<?> batch) ? admitted(channel, batch)
				: admitsMessage(channel, message) ? message : null;
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
	 * Whether the command goes on to the socket; a command refused must be completed here
	 * (exceptionally, saying why).
	 */
	protected abstract boolean admits(Channel channel, RedisCommand<?, ?, ?> command);

	private boolean admitsMessage(Channel channel, Object message) {
		return !(message instanceof RedisCommand<?, ?, ?> command) || admits(channel, command);
	}

	/** The commands of a batch that go on, in order; null when none does. */
	private @Nullable Object admitted(Channel channel, Collection<?> batch) {
		List<Object> admitted = new ArrayList<>(batch.size());
		for (Object message : batch) {
			if (admitsMessage(channel, message)) {
				admitted.add(message);
			}
		}
		if (admitted.size() == batch.size()) {
			return batch;
		}
		return admitted.isEmpty() ? null : admitted;
	}

}
