package io.redisha.sentinel;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.redis.ArrayHeaderRedisMessage;
import io.netty.handler.codec.redis.BulkStringHeaderRedisMessage;
import io.netty.util.ReferenceCountUtil;

/**
 * Refuses a request before Netty's aggregators buffer it when it announces more
 * arguments, or a longer argument, than any Sentinel command needs: their own limits (512
 * MB per argument) are Redis's, far beyond what a client of this endpoint may make it
 * hold. Closes the connection after Redis's protocol error, as Redis does.
 */
final class RequestLimits extends ChannelInboundHandlerAdapter {

	/** The most words in one request. */
	static final int MAX_ARGUMENTS = 64;

	/** The longest word of a request, in bytes. */
	static final int MAX_ARGUMENT_BYTES = 4096;

	private boolean refused;

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object message) throws Exception {
		String problem = null;
		if (this.refused) {
			problem = "";
		}
		else if (message instanceof ArrayHeaderRedisMessage header && header.length() > MAX_ARGUMENTS) {
			problem = "invalid multibulk length";
		}
		else if (message instanceof BulkStringHeaderRedisMessage header
				&& header.bulkStringLength() > MAX_ARGUMENT_BYTES) {
			problem = "invalid bulk length";
		}
		if (problem == null) {
			super.channelRead(ctx, message);
			return;
		}
		ReferenceCountUtil.release(message);
		if (!this.refused) {
			this.refused = true;
			ctx.channel().config().setAutoRead(false);
			ctx.channel()
				.writeAndFlush(Resp.error("ERR Protocol error: " + problem))
				.addListener(ChannelFutureListener.CLOSE);
		}
	}

}
