package io.redisha.sentinel;

import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Refuses connections beyond the limit with Redis's error, as Redis does beyond
 * {@code maxclients}.
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {

	private final int max;

	private final AtomicInteger open = new AtomicInteger();

	ConnectionLimit(int max) {
		this.max = max;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) throws Exception {
		if (this.open.incrementAndGet() > this.max) {
			ctx.channel().config().setAutoRead(false);
			ctx.channel()
				.writeAndFlush(Resp.error("ERR max number of clients reached"))
				.addListener(ChannelFutureListener.CLOSE);
			return;
		}
		super.channelActive(ctx);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		this.open.decrementAndGet();
		super.channelInactive(ctx);
	}

}
