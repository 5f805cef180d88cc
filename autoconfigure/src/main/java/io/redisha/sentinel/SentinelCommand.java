package io.redisha.sentinel;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The commands the endpoint knows, with Redis's arity (positive: exactly that many words,
 * negative: at least that many) and the checks Redis makes before running one: whether it
 * exists, its subcommand, its number of arguments; then whether it may run before AUTH
 * and on a subscribed connection.
 */
enum SentinelCommand {

	PING(-1, false, true), AUTH(-2, true, false), HELLO(-1, true, false), QUIT(-1, true, true),
	CLIENT(-2, false, false), SENTINEL(-2, false, false), ROLE(1, false, false), INFO(-1, false, false),
	SUBSCRIBE(-2, false, true), PSUBSCRIBE(-2, false, true), UNSUBSCRIBE(-1, false, true),
	PUNSUBSCRIBE(-1, false, true);

	/** The subcommands of SENTINEL, with their arity counting every word. */
	private static final Map<String, Integer> SENTINEL_SUBCOMMANDS = Map.of("get-master-addr-by-name", 3, "masters", 2,
			"master", 3, "replicas", 3, "slaves", 3, "sentinels", 3, "ckquorum", 3, "myid", 2, "failover", 3, "help",
			2);

	private static final Map<String, Integer> CLIENT_SUBCOMMANDS = Map.of("setname", 3, "getname", 2, "id", 2,
			"setinfo", 4, "help", 2);

	private final int arity;

	private final boolean beforeAuth;

	private final boolean whileSubscribed;

	SentinelCommand(int arity, boolean beforeAuth, boolean whileSubscribed) {
		this.arity = arity;
		this.beforeAuth = beforeAuth;
		this.whileSubscribed = whileSubscribed;
	}

	/** The command of that lower-case name; null when there is none. */
	static @Nullable SentinelCommand find(String name) {
		for (SentinelCommand command : values()) {
			if (command.name().toLowerCase(Locale.ROOT).equals(name)) {
				return command;
			}
		}
		return null;
	}

	/** Why the request cannot run as written, in Redis's words; null when it can. */
	@Nullable String check(List<String> argv) {
		@Nullable Map<String, Integer> subcommands = (this == SENTINEL) ? SENTINEL_SUBCOMMANDS
				: (this == CLIENT) ? CLIENT_SUBCOMMANDS : null;
		if (subcommands != null && argv.size() >= 2) {
			Integer arity = subcommands.get(argv.get(1).toLowerCase(Locale.ROOT));
			if (arity == null) {
				return "ERR unknown subcommand '" + shorten(argv.get(1)) + "'. Try " + name() + " HELP.";
			}
			return (argv.size() == arity) ? null : wrongArity(argv);
		}
		boolean fits = (this.arity > 0) ? argv.size() == this.arity : argv.size() >= -this.arity;
		return fits ? null : wrongArity(argv);
	}

	boolean beforeAuth() {
		return this.beforeAuth;
	}

	boolean whileSubscribed() {
		return this.whileSubscribed;
	}

	/** How Redis names a command in errors: {@code ping}, {@code sentinel|masters}. */
	static String fullName(List<String> argv) {
		String name = argv.get(0).toLowerCase(Locale.ROOT);
		SentinelCommand command = find(name);
		boolean container = command == SENTINEL || command == CLIENT;
		return (container && argv.size() >= 2) ? name + "|" + argv.get(1).toLowerCase(Locale.ROOT) : name;
	}

	/** The lines of SENTINEL HELP: the subcommands this endpoint answers. */
	static List<String> sentinelHelp() {
		return List.of("SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "CKQUORUM <master-name>",
				"    Check if the quorum and the majority needed to authorize a failover can be reached.",
				"GET-MASTER-ADDR-BY-NAME <master-name>",
				"    Return the ip and port number of the master with that name.", "FAILOVER <master-name>",
				"    Force a failover of the master, led by this member once a majority of the",
				"    voters elect it (only when redis-ha.sentinel.allow-failover is set).", "MASTER <master-name>",
				"    Show the state and info of the specified master.", "MASTERS",
				"    Show a list of monitored masters and their state.", "MYID", "    Return the ID of this member.",
				"REPLICAS <master-name>", "    Show a list of replicas for this master and their state.",
				"SENTINELS <master-name>",
				"    Show a list of the other members' endpoints for this master and their state.", "HELP",
				"    Print this help.");
	}

	/** The lines of CLIENT HELP. */
	static List<String> clientHelp() {
		return List.of("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "GETNAME",
				"    Return the name of the current connection.", "ID", "    Return the ID of the current connection.",
				"SETINFO <option> <value>", "    Set client meta attr. Options are: LIB-NAME, LIB-VER.",
				"SETNAME <connection-name>", "    Assign the name <connection-name> to the current connection.", "HELP",
				"    Print this help.");
	}

	private static String wrongArity(List<String> argv) {
		return "ERR wrong number of arguments for '" + shorten(fullName(argv)) + "' command";
	}

	private static String shorten(String text) {
		return (text.length() > 128) ? text.substring(0, 128) : text;
	}

}
