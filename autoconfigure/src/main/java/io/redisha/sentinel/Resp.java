package io.redisha.sentinel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;

/**
 * Builds the replies of the endpoint from Java values, in RESP2's types and the two RESP3
 * aggregates Sentinel uses, {@link MapMessage} and {@link PushMessage}; nulls are Netty's
 * null bulk string and null array. {@link Resp3Encoder} writes each in the connection's
 * protocol, as Redis's {@code addReplyMapLen}, {@code addReplyPushLen} and
 * {@code addReplyNull} do.
 */
final class Resp {

	static final RedisMessage OK = new SimpleStringRedisMessage("OK");

	static final RedisMessage NULL_ARRAY = ArrayRedisMessage.NULL_INSTANCE;

	static final RedisMessage NULL_BULK = FullBulkStringRedisMessage.NULL_INSTANCE;

	private Resp() {
	}

	static RedisMessage simple(String text) {
		return new SimpleStringRedisMessage(text);
	}

	/**
	 * An error reply; {@code text} starts with its code, e.g. {@code ERR ...} or
	 * {@code NOAUTH ...}.
	 */
	static RedisMessage error(String text) {
		// A line break inside would end the reply early: clients would read the rest as
		// another reply.
		return new ErrorRedisMessage(text.replace('\r', ' ').replace('\n', ' '));
	}

	static RedisMessage bulk(String text) {
		return new FullBulkStringRedisMessage(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
	}

	static RedisMessage bulk(long number) {
		return bulk(Long.toString(number));
	}

	static RedisMessage integer(long number) {
		return new IntegerRedisMessage(number);
	}

	static RedisMessage array(List<RedisMessage> elements) {
		return new ArrayRedisMessage(elements);
	}

	static RedisMessage array(RedisMessage... elements) {
		return new ArrayRedisMessage(List.of(elements));
	}

	/** Pub/sub's messages and confirmations: a push in RESP3, an array in RESP2. */
	static RedisMessage push(RedisMessage... elements) {
		return new PushMessage(List.of(elements));
	}

	/**
	 * A map: in RESP2 the flat array of its names and values it is made of, in RESP3 a
	 * map ({@code %}).
	 */
	static final class MapMessage extends ArrayRedisMessage {

		private MapMessage(List<RedisMessage> namesAndValues) {
			super(namesAndValues);
		}

	}

	/**
	 * Out-of-band data: in RESP2 the array of its elements, in RESP3 a push ({@code >}).
	 */
	static final class PushMessage extends ArrayRedisMessage {

		private PushMessage(List<RedisMessage> elements) {
			super(elements);
		}

	}

	/** Builds a {@link MapMessage} of name and value pairs, in the order added. */
	static final class Fields {

		private final List<RedisMessage> elements = new ArrayList<>();

		Fields add(String name, String value) {
			return add(name, bulk(value));
		}

		Fields add(String name, RedisMessage value) {
			this.elements.add(bulk(name));
			this.elements.add(value);
			return this;
		}

		Fields add(String name, long value) {
			return add(name, Long.toString(value));
		}

		RedisMessage toMap() {
			return new MapMessage(this.elements);
		}

	}

}
