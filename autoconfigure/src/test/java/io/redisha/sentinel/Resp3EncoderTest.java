package io.redisha.sentinel;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.handler.codec.redis.RedisMessage;
import org.junit.jupiter.api.Test;

import static io.redisha.sentinel.Wire.bulk;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bytes of each reply shape in either protocol, behind Netty's encoder as on the
 * endpoint; the RESP3 forms are those Redis Sentinel 7 sends.
 */
class Resp3EncoderTest {

	private final Resp3Encoder replies = new Resp3Encoder();

	private final EmbeddedChannel channel = new EmbeddedChannel(new RedisEncoder(), this.replies);

	@Test
	void writesRespTwoAsNettyDoes() {
		assertThat(written(fields())).isEqualTo("*4\r\n" + bulk("name") + bulk("orders") + bulk("port") + ":6379\r\n");
		assertThat(written(push())).isEqualTo("*3\r\n" + bulk("message") + bulk("+sdown") + bulk("x"));
		assertThat(written(Resp.NULL_ARRAY)).isEqualTo("*-1\r\n");
		assertThat(written(Resp.NULL_BULK)).isEqualTo("$-1\r\n");
	}

	@Test
	void writesRespThreesMapPushAndNull() {
		this.replies.resp3(true);
		assertThat(written(fields())).isEqualTo("%2\r\n" + bulk("name") + bulk("orders") + bulk("port") + ":6379\r\n");
		assertThat(written(push())).isEqualTo(">3\r\n" + bulk("message") + bulk("+sdown") + bulk("x"));
		assertThat(written(Resp.NULL_ARRAY)).isEqualTo("_\r\n");
		assertThat(written(Resp.NULL_BULK)).isEqualTo("_\r\n");
		assertThat(written(Resp.push(Resp.bulk("unsubscribe"), Resp.NULL_BULK, Resp.integer(0))))
			.isEqualTo(">3\r\n" + bulk("unsubscribe") + "_\r\n:0\r\n");
	}

	@Test
	void writesMapsInsideArraysAndTheRestUnchanged() {
		this.replies.resp3(true);
		assertThat(written(Resp.array(fields(), Resp.array(List.of()))))
			.isEqualTo("*2\r\n%2\r\n" + bulk("name") + bulk("orders") + bulk("port") + ":6379\r\n*0\r\n");
		assertThat(written(Resp.array(Resp.bulk("sentinel"), Resp.array(Resp.bulk("orders")))))
			.isEqualTo("*2\r\n" + bulk("sentinel") + "*1\r\n" + bulk("orders"));
		assertThat(written(Resp.simple("PONG"))).isEqualTo("+PONG\r\n");
		assertThat(written(Resp.error("ERR x"))).isEqualTo("-ERR x\r\n");
		assertThat(written(Resp.bulk("hi"))).isEqualTo(bulk("hi"));
	}

	@Test
	void switchesBackToRespTwo() {
		this.replies.resp3(true);
		assertThat(written(fields())).startsWith("%2\r\n");
		this.replies.resp3(false);
		assertThat(written(fields())).startsWith("*4\r\n");
	}

	private static RedisMessage fields() {
		return new Resp.Fields().add("name", "orders").add("port", Resp.integer(6379)).toMap();
	}

	private static RedisMessage push() {
		return Resp.push(Resp.bulk("message"), Resp.bulk("+sdown"), Resp.bulk("x"));
	}

	private String written(RedisMessage message) {
		assertThat(this.channel.writeOutbound(message)).isTrue();
		StringBuilder bytes = new StringBuilder();
		ByteBuf part;
		while ((part = this.channel.readOutbound()) != null) {
			bytes.append(part.toString(StandardCharsets.UTF_8));
			part.release();
		}
		return bytes.toString();
	}

}
