package io.redisha.redis;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.redisha.protocol.Action;
import io.redisha.protocol.Configuration;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.Reply;
import io.redisha.protocol.StoredConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands on the group's configuration hash
 * ({@link StoredConfiguration#key(String)}): read with {@code HGETALL}, stored by one
 * script so that the check of what the hash holds and the write are one atomic step on
 * the master (and replicated as such).
 */
final class ConfigurationCommands {

	private static final Logger logger = LoggerFactory.getLogger(NodeLink.class);

	/**
	 * ARGV: condition (OLDER, ABSENT or NOT_NEWER), the replaced epoch and version
	 * (NOT_NEWER), then epoch, version, master and voters to store, then the run id the
	 * node must have, or empty: -1 when it has another. Departures of members that are no
	 * longer voters are dropped. Epochs are below 2^53, so Lua's numbers compare them
	 * exactly. INFO makes the script non-deterministic, so before Redis 7 its effects,
	 * not the script, must be replicated.
	 */
	private static final String STORE = """
			if ARGV[8] ~= '' then
			  if redis.replicate_commands then redis.replicate_commands() end
			  if string.match(redis.call('INFO', 'server'), 'run_id:(%x+)') ~= ARGV[8] then return -1 end
			end
			local e = redis.call('HGET', KEYS[1], 'epoch')
			local v = redis.call('HGET', KEYS[1], 'version')
			if ARGV[1] == 'ABSENT' then
			  if e then return 0 end
			elseif ARGV[1] == 'NOT_NEWER' then
			  if e then
			    local se, sv, re, rv = tonumber(e), tonumber(v), tonumber(ARGV[2]), tonumber(ARGV[3])
			    if se > re or (se == re and sv > rv) then return 0 end
			  end
			elseif e then
			  local se, sv, ne, nv = tonumber(e), tonumber(v), tonumber(ARGV[4]), tonumber(ARGV[5])
			  if se > ne or (se == ne and sv >= nv) then return 0 end
			end
			local voters = {}
			for id in string.gmatch(ARGV[7], '([^,]+)') do voters['departed:' .. id] = true end
			for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
			  if string.sub(field, 1, 9) == 'departed:' and not voters[field] then redis.call('HDEL', KEYS[1], field) end
			end
			redis.call('HSET', KEYS[1], 'epoch', ARGV[4], 'version', ARGV[5], 'master', ARGV[6], 'voters', ARGV[7])
			return 1
			""";

	private static final String RECORD_DEPARTURE = "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1";

	private final NodeAddress node;

	private final String key;

	/**
	 * Whether the group's configuration hash was unreadable already (logged once per
	 * link).
	 */
	private volatile boolean unreadable;

	ConfigurationCommands(NodeAddress node, String key) {
		this.node = node;
		this.key = key;
	}

	/**
	 * The configuration the hash holds. A hash that cannot be read (no permission,
	 * another type, a value that does not parse) counts as none: this member then cannot
	 * found an electorate there, and says why once.
	 */
	CompletableFuture<StoredConfiguration> read(RedisAsyncCommands<String, String> redis) {
		return redis.hgetall(this.key)
			.toCompletableFuture()
			.thenApply(StoredConfiguration::parse)
			.exceptionally(this::unreadable);
	}

	private StoredConfiguration unreadable(Throwable failure) {
		if (!this.unreadable) {
			this.unreadable = true;
			logger.warn("Redis node {}: the group's configuration hash cannot be read: {}", this.node,
					Failures.rootMessage(failure));
		}
		return StoredConfiguration.NONE;
	}

	/**
	 * {@code WATCH} the hash and read it: the epoch of the configuration it holds, -1
	 * when it holds none or one that does not parse (the members adopt nothing from it
	 * either). Fails when the hash could not be read for another reason than one a node
	 * gives for good (a timeout, a broken connection): nothing may then be assumed about
	 * it.
	 */
	CompletableFuture<Long> watchEpoch(RedisAsyncCommands<String, String> redis) {
		redis.watch(this.key);
		return redis.hgetall(this.key).toCompletableFuture().handle((hash, failure) -> {
			if (failure != null && !unreadableForGood(failure)) {
				throw new CompletionException(failure);
			}
			try {
				StoredConfiguration stored = (failure == null) ? StoredConfiguration.parse(hash)
						: StoredConfiguration.NONE;
				return (stored.config() != null) ? stored.config().epoch() : -1L;
			}
			catch (IllegalArgumentException ex) {
				return -1L;
			}
		});
	}

	/**
	 * A refusal the node will repeat, as with INFO's read of the hash: no permission (an
	 * ACL without {@code HGETALL}), another type at the key, or a replica that serves no
	 * stale data ({@code replica-serve-stale-data no}) while its link is down.
	 */
	private static boolean unreadableForGood(Throwable failure) {
		String message = Failures.rootMessage(failure);
		return message.startsWith("NOPERM") || message.startsWith("WRONGTYPE") || message.startsWith("MASTERDOWN");
	}

	CompletableFuture<Reply> store(RedisAsyncCommands<String, String> redis, Action.StoreConfiguration store) {
		Configuration config = store.config();
		Configuration replacing = store.replacing();
		Map<String, String> fields = StoredConfiguration.fields(config);
		String[] args = { store.condition().name(), (replacing != null) ? Long.toString(replacing.epoch()) : "",
				(replacing != null) ? Integer.toString(replacing.version()) : "", fields.get("epoch"),
				fields.get("version"), fields.get("master"), fields.get("voters"),
				(store.runId() != null) ? store.runId() : "" };
		return redis.<Long>eval(STORE, ScriptOutputType.INTEGER, new String[] { this.key }, args)
			.toCompletableFuture()
			.thenApply((stored) -> (stored != null) ? new Reply.Text(Long.toString(stored), false)
					: new Reply.Failed("the store's transaction was discarded"));
	}

	/**
	 * Records a departure: a script, so that it passes the master-side fence as the store
	 * does (a plain {@code HSET} queued on a fenced master is refused).
	 */
	CompletableFuture<Reply> recordDeparture(RedisAsyncCommands<String, String> redis,
			Action.RecordDeparture departure) {
		Map.Entry<String, String> field = StoredConfiguration.departureField(departure.member(), departure.departure());
		return redis
			.<Long>eval(RECORD_DEPARTURE, ScriptOutputType.INTEGER, new String[] { this.key }, field.getKey(),
					field.getValue())
			.toCompletableFuture()
			.thenApply((recorded) -> (recorded != null) ? new Reply.Text("1", false)
					: new Reply.Failed("the departure's transaction was discarded"));
	}

}
