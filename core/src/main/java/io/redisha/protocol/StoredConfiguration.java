package io.redisha.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.redisha.protocol.Configuration.Departure;

/**
 * The copy of the group's {@link Configuration} kept in the group's own data, in the hash
 * {@link #key(String)} on the master and, by replication, on every replica: a member that
 * starts, even cut off from the master and from every other member, learns from any node
 * it reaches which configuration that node's data continues and who the voters are. It
 * also holds the departures recorded by voters that stopped ({@code departed:<id>} =
 * {@code <epoch>.<version>} of the configuration they held).
 *
 * @param config the stored configuration; null when the node holds none (or the hash was
 * unreadable)
 * @param departed the recorded departures
 */
public record StoredConfiguration(@Nullable Configuration config, Map<String, Departure> departed) {

	/**
	 * No configuration: a new group, an emptied node, or data flushed by an application.
	 */
	public static final StoredConfiguration NONE = new StoredConfiguration(null, Map.of());

	private static final String DEPARTED_PREFIX = "departed:";

	public StoredConfiguration {
		departed = Map.copyOf(departed);
	}

	/** The hash holding the configuration of {@code group}. */
	public static String key(String group) {
		return "__redis-ha__:config:" + group;
	}

	/**
	 * The error a node's guard answers to a promotion or repointing of an older
	 * configuration than the one its data holds: the command was decided before the group
	 * moved on (a member frozen meanwhile, or a connection that held it), so it changes
	 * nothing.
	 */
	public static String newerEpochError(long storedEpoch, long commandEpoch) {
		return "STALE the node's configuration is of epoch " + storedEpoch + ", newer than the command's epoch "
				+ commandEpoch + ": role not changed";
	}

	/**
	 * Whether the reply is a node's refusal of a role change of an older configuration
	 * ({@link #newerEpochError}).
	 */
	public static boolean refusedAsStale(Reply reply) {
		return reply instanceof Reply.Text text && text.error() && text.text().startsWith("STALE ");
	}

	/** The hash's fields for a configuration (departures are recorded separately). */
	public static Map<String, String> fields(Configuration config) {
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put("epoch", Long.toString(config.epoch()));
		fields.put("version", Integer.toString(config.version()));
		fields.put("master", config.master().toString());
		fields.put("voters", config.votersText());
		return fields;
	}

	/**
	 * The field recording that {@code member} departed holding {@code config}, and its
	 * value.
	 */
	public static Map.Entry<String, String> departureField(String member, Departure departure) {
		return Map.entry(DEPARTED_PREFIX + member,
				departure.epoch() + "." + departure.version() + "." + departure.lastEpoch());
	}

	/**
	 * Reads the hash as a node returned it. What arrives from a node may be anything: a
	 * field that does not parse makes the whole copy unusable.
	 * @throws IllegalArgumentException naming the field that is wrong
	 */
	public static StoredConfiguration parse(Map<String, String> hash) {
		if (hash == null || hash.isEmpty()) {
			return NONE;
		}
		Map<String, Departure> departed = new LinkedHashMap<>();
		for (Map.Entry<String, String> field : hash.entrySet()) {
			if (field.getKey().startsWith(DEPARTED_PREFIX) && departed.size() < 4 * Configuration.MAX_VOTERS) {
				Departure departure = departure(field.getValue());
				if (departure != null) {
					departed.put(field.getKey().substring(DEPARTED_PREFIX.length()), departure);
				}
			}
		}
		if (!hash.containsKey("epoch")) {
			return new StoredConfiguration(null, departed);
		}
		Configuration config = new Configuration(number(hash, "epoch"),
				(int) Math.min(Integer.MAX_VALUE, number(hash, "version")), NodeAddress.parse(required(hash, "master")),
				Configuration.parseVoters(required(hash, "voters")));
		return new StoredConfiguration(config, departed);
	}

	/**
	 * A departure; null for a record of an earlier version without the last epoch, which
	 * may hide an open vote: that voter counts as crashed.
	 */
	private static @Nullable Departure departure(String text) {
		String[] parts = text.split("\\.", -1);
		if (parts.length == 2) {
			return null;
		}
		if (parts.length != 3) {
			throw new IllegalArgumentException(
					"stored departure is not <epoch>.<version>.<last epoch>: '" + shorten(text) + "'");
		}
		return new Departure(parseNumber("departure epoch", parts[0]),
				(int) Math.min(Integer.MAX_VALUE, parseNumber("departure version", parts[1])),
				parseNumber("departure last epoch", parts[2]));
	}

	private static String required(Map<String, String> hash, String field) {
		String value = hash.get(field);
		if (value == null || value.isEmpty()) {
			throw new IllegalArgumentException("stored configuration has no field " + field);
		}
		return value;
	}

	private static long number(Map<String, String> hash, String field) {
		return parseNumber("stored " + field, required(hash, field));
	}

	private static long parseNumber(String what, String value) {
		if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch((c) -> c >= '0' && c <= '9')) {
			throw new IllegalArgumentException(what + " is not a number: '" + shorten(value) + "'");
		}
		return Long.parseLong(value);
	}

	private static String shorten(String text) {
		return (text.length() > 40) ? text.substring(0, 40) + "..." : text;
	}

}
