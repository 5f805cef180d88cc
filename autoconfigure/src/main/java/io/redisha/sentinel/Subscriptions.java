package io.redisha.sentinel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.netty.handler.codec.redis.RedisMessage;

/**
 * The channels and patterns one connection subscribed to, and the messages (pushes in
 * RESP3) an event becomes for it: {@code message} for a channel, {@code pmessage} for
 * each matching pattern, in that order, as Redis sends them.
 */
final class Subscriptions {

	/**
	 * Channels and patterns one connection may subscribe to: Sentinel has a few dozen
	 * event channels.
	 */
	static final int MAX = 64;

	private final Set<String> channels = new LinkedHashSet<>();

	private final Map<String, ChannelPattern> patterns = new LinkedHashMap<>();

	/**
	 * Adds a channel or pattern; false when the connection has {@value #MAX} already and
	 * this is a new one.
	 */
	boolean add(String target, boolean pattern) {
		boolean known = pattern ? this.patterns.containsKey(target) : this.channels.contains(target);
		if (!known && count() >= MAX) {
			return false;
		}
		if (pattern) {
			this.patterns.computeIfAbsent(target, ChannelPattern::of);
		}
		else {
			this.channels.add(target);
		}
		return true;
	}

	void remove(String target, boolean pattern) {
		if (pattern) {
			this.patterns.remove(target);
		}
		else {
			this.channels.remove(target);
		}
	}

	/** The channels, or the patterns, subscribed to. */
	List<String> targets(boolean pattern) {
		return List.copyOf(pattern ? this.patterns.keySet() : this.channels);
	}

	int count() {
		return this.channels.size() + this.patterns.size();
	}

	/**
	 * What this connection receives of a message on {@code channel}; empty when it
	 * subscribed to none of it.
	 */
	List<RedisMessage> messages(String channel, String payload) {
		List<RedisMessage> messages = new ArrayList<>(1);
		if (this.channels.contains(channel)) {
			messages.add(Resp.push(Resp.bulk("message"), Resp.bulk(channel), Resp.bulk(payload)));
		}
		this.patterns.forEach((glob, pattern) -> {
			if (pattern.matches(channel)) {
				messages.add(Resp.push(Resp.bulk("pmessage"), Resp.bulk(glob), Resp.bulk(channel), Resp.bulk(payload)));
			}
		});
		return messages;
	}

}
