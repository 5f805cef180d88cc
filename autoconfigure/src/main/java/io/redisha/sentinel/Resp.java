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

/** Builds the RESP2 replies of the endpoint from Java values. */
final class Resp {

	static final RedisMessage OK = new SimpleStringRedisMessage("OK");

	static final RedisMessage NULL_ARRAY = ArrayRedisMessage.NULL_INSTANCE;

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

	/** A flat array of name and value pairs, the RESP2 form of Sentinel's maps. */
	static final class Fields {

		private final List<RedisMessage> elements = new ArrayList<>();

		Fields add(String name, String value) {
			this.elements.add(bulk(name));
			this.elements.add(bulk(value));
			return this;
		}

		Fields add(String name, long value) {
			return add(name, Long.toString(value));
		}

		RedisMessage toArray() {
			return array(this.elements);
		}

	}

}
