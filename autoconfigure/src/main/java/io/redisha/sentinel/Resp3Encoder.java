package io.redisha.sentinel;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.redis.ArrayHeaderRedisMessage;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.util.ReferenceCountUtil;

/**
 * Writes a connection's replies in the protocol it chose with {@code HELLO}, as Redis's
 * {@code networking.c} does. In RESP2 every reply goes on unchanged to Netty's
 * {@link RedisEncoder}, which writes a {@link Resp.MapMessage map} or a
 * {@link Resp.PushMessage push} as the plain array it also is. In RESP3 a reply is taken
 * apart: the header of a map ({@code %}, counting pairs) or a push ({@code >}) and the
 * null ({@code _}), which Netty does not know, are written here; every other part, array
 * headers included, still goes to Netty's encoder, which sits after this one on the way
 * out.
 */
final class Resp3Encoder extends MessageToMessageEncoder<RedisMessage> {

	private boolean resp3;

	Resp3Encoder() {
		super(RedisMessage.class);
	}

	/** Whether the connection speaks RESP3; set on its event loop. */
	boolean resp3() {
		return this.resp3;
	}

	/**
	 * Writes the replies from now on in RESP3, or in RESP2: a reply written before is
	 * encoded already.
	 */
	void resp3(boolean resp3) {
		this.resp3 = resp3;
	}

	@Override
	protected void encode(ChannelHandlerContext ctx, RedisMessage message, List<Object> out) {
		if (this.resp3) {
			takeApart(ctx.alloc(), message, out);
		}
		else {
			out.add(ReferenceCountUtil.retain(message));
		}
	}

	private static void takeApart(ByteBufAllocator allocator, RedisMessage message, List<Object> out) {
		if (isNull(message)) {
			out.add(line(allocator, "_"));
		}
		else if (message instanceof ArrayRedisMessage array) {
			int size = array.children().size();
			if (array instanceof Resp.MapMessage) {
				out.add(line(allocator, "%" + (size / 2)));
			}
			else if (array instanceof Resp.PushMessage) {
				out.add(line(allocator, ">" + size));
			}
			else {
				out.add(new ArrayHeaderRedisMessage(size));
			}
			for (RedisMessage child : array.children()) {
				takeApart(allocator, child, out);
			}
		}
		else {
			out.add(ReferenceCountUtil.retain(message));
		}
	}

	private static boolean isNull(RedisMessage message) {
		return (message instanceof FullBulkStringRedisMessage bulk && bulk.isNull())
				|| (message instanceof ArrayRedisMessage array && array.isNull());
	}

	private static ByteBuf line(ByteBufAllocator allocator, String text) {
		ByteBuf line = allocator.buffer(text.length() + 2);
		ByteBufUtil.writeAscii(line, text);
		return line.writeByte('\r').writeByte('\n');
	}

}
