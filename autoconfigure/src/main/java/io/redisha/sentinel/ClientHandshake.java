package io.redisha.sentinel;

import java.util.List;
import java.util.Locale;

import io.netty.handler.codec.redis.RedisMessage;

/**
 * Who a client of the endpoint is and the protocol it speaks: {@code AUTH}, {@code HELLO}
 * and {@code CLIENT}, with Sentinel's replies and error texts. Owned by one
 * {@link SentinelSession}, on its event loop thread.
 */
final class ClientHandshake {

	private static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";

	private final SentinelEndpointSettings settings;

	private final long id;

	/** Switched to RESP3 by {@code HELLO 3} and back by {@code HELLO 2}. */
	private final Resp3Encoder replies;

	private boolean authenticated;

	private String name = "";

	ClientHandshake(SentinelEndpointSettings settings, long id, Resp3Encoder replies) {
		this.settings = settings;
		this.id = id;
		this.replies = replies;
		this.authenticated = settings.password() == null;
	}

	boolean authenticated() {
		return this.authenticated;
	}

	RedisMessage auth(List<String> argv) {
		if (argv.size() > 3) {
			return Resp.error("ERR syntax error");
		}
		if (argv.size() == 2 && this.settings.password() == null) {
			return Resp.error("ERR AUTH <password> called without any password configured for the default user."
					+ " Are you sure your configuration is correct?");
		}
		String user = (argv.size() == 3) ? argv.get(1) : SentinelEndpointSettings.DEFAULT_USER;
		if (!this.settings.accepts(user, argv.get(argv.size() - 1))) {
			return Resp.error(WRONGPASS);
		}
		this.authenticated = true;
		return Resp.OK;
	}

	RedisMessage hello(List<String> argv) {
		long version = this.replies.resp3() ? 3 : 2;
		if (argv.size() >= 2) {
			try {
				version = Long.parseLong(argv.get(1));
			}
			catch (NumberFormatException ex) {
				return Resp.error("ERR Protocol version is not an integer or out of range");
			}
			if (version < 2 || version > 3) {
				return Resp.error("NOPROTO unsupported protocol version");
			}
		}
		String user = null;
		String password = null;
		String clientName = null;
		for (int i = 2; i < argv.size(); i++) {
			int more = argv.size() - 1 - i;
			String option = argv.get(i);
			if (option.equalsIgnoreCase("AUTH") && more >= 2) {
				user = argv.get(++i);
				password = argv.get(++i);
			}
			else if (option.equalsIgnoreCase("SETNAME") && more >= 1) {
				clientName = argv.get(++i);
				if (!isValidName(clientName)) {
					return Resp.error(invalidNameError());
				}
			}
			else {
				return Resp.error("ERR Syntax error in HELLO option '" + option + "'");
			}
		}
		if (user != null && password != null) {
			if (!this.settings.accepts(user, password)) {
				return Resp.error(WRONGPASS);
			}
			this.authenticated = true;
		}
		if (!this.authenticated) {
			return Resp.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the"
					+ " HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the"
					+ " RESP protocol version at the same time");
		}
		if (clientName != null) {
			this.name = clientName;
		}
		// The reply is the first in the new protocol. Sentinel tells no role, unlike a
		// Redis server.
		this.replies.resp3(version == 3);
		return new Resp.Fields().add("server", "redis")
			.add("version", SentinelSession.REDIS_VERSION)
			.add("proto", Resp.integer(version))
			.add("id", Resp.integer(this.id))
			.add("mode", "sentinel")
			.add("modules", Resp.array(List.of()))
			.toMap();
	}

	RedisMessage client(List<String> argv) {
		return switch (argv.get(1).toLowerCase(Locale.ROOT)) {
			case "setname" -> {
				if (!isValidName(argv.get(2))) {
					yield Resp.error(invalidNameError());
				}
				this.name = argv.get(2);
				yield Resp.OK;
			}
			case "getname" -> this.name.isEmpty() ? Resp.NULL_BULK : Resp.bulk(this.name);
			case "id" -> Resp.integer(this.id);
			case "setinfo" -> {
				String attribute = argv.get(2).toLowerCase(Locale.ROOT);
				if (!attribute.equals("lib-name") && !attribute.equals("lib-ver")) {
					yield Resp.error("ERR Unrecognized option '" + argv.get(2) + "'");
				}
				yield isValidName(argv.get(3)) ? Resp.OK
						: Resp.error("ERR " + argv.get(2) + " cannot contain spaces, newlines or special characters.");
			}
			case "help" -> Resp.array(SentinelCommand.clientHelp().stream().map(Resp::simple).toList());
			default -> throw new IllegalStateException("unchecked CLIENT subcommand " + argv.get(1));
		};
	}

	/** Redis's client names: printable ASCII without spaces. */
	private static boolean isValidName(String name) {
		return name.chars().allMatch((c) -> c > ' ' && c <= '~');
	}

	private static String invalidNameError() {
		return "ERR Client names cannot contain spaces, newlines or special characters.";
	}

}
