package io.redisha.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.redisha.protocol.Action;
import io.redisha.protocol.Configuration;
import io.redisha.protocol.NodeAddress;
import io.redisha.protocol.Reply;
import io.redisha.protocol.StoredConfiguration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands on the group's configuration hash
 * ({@link StoredConfiguration#key(String)}): read with {@code HGETALL}, stored by one
 * script so that the check of what the hash holds and the write are one atomic step on
 * the master (and replicated as such). What it holds is trusted only as far as it is
 * sealed ({@link ConfigurationSeal}).
 */
final class ConfigurationCommands {

	private static final Logger logger = LoggerFactory.getLogger(NodeLink.class);

	/**
	 * Sets {@code digest}, the SHA-1 of the configuration's fields as they are in Redis,
	 * each after its length: {@link #READ} and {@link #STORE} compute it alike.
	 */
	private static final String DIGEST = """
			local parts = {}
			for _, field in ipairs({ 'epoch', 'version', 'master', 'voters', 'seal' }) do
			  local value = redis.call('HGET', KEYS[1], field) or ''
			  parts[#parts + 1] = #value .. ':' .. value
			end
			local digest = redis.sha1hex(table.concat(parts))
			""";

	/**
	 * ARGV: condition (OLDER, ABSENT or NOT_NEWER), the replaced epoch and version
	 * (NOT_NEWER), then epoch, version, master, voters and seal to store, then the run id
	 * the node must have, or empty: -1 when it has another. Then the digest of the hash's
	 * epoch, version, master, voters and seal as the member read them just before
	 * ({@link #READ}), and whether they were sealed: -2 when they changed since (the
	 * member reads again). Fields no secret of the member sealed count as no
	 * configuration, except for ABSENT: a member that holds none (with another secret, it
	 * trusts nothing) must not replace them. Departures of members that are no longer
	 * voters are dropped. Epochs are below 2^53, so Lua's numbers compare them exactly.
	 * INFO makes the script non-deterministic, so before Redis 7 its effects, not the
	 * script, must be replicated.
	 */
	private static final String STORE = """
			if ARGV[9] ~= '' then
			  if redis.replicate_commands then redis.replicate_commands() end
			  if string.match(redis.call('INFO', 'server'), 'run_id:(%x+)') ~= ARGV[9] then return -1 end
			end
			""" + DIGEST
			+ """
					if digest ~= ARGV[10] then return -2 end
					local e = redis.call('HGET', KEYS[1], 'epoch')
					local v = redis.call('HGET', KEYS[1], 'version')
					if ARGV[11] ~= 'sealed' then
					  if e and ARGV[1] == 'ABSENT' then return 0 end
					  e = false
					end
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
					redis.call('HSET', KEYS[1], 'epoch', ARGV[4], 'version', ARGV[5], 'master', ARGV[6], 'voters', ARGV[7],
					  'seal', ARGV[8])
					return 1
					""";

	/**
	 * The hash, and the digest of its configuration fields as they are in Redis: a value
	 * that is not valid UTF-8 reaches the member changed, so the store compares digests
	 * made on the server, not values sent back.
	 */
	private static final String READ = DIGEST + """
			return { digest, redis.call('HGETALL', KEYS[1]) }
			""";

	private static final String RECORD_DEPARTURE = "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1";

	/**
	 * ARGV: the configuration's seal as read and the one to put in its place (empty when
	 * unchanged), then pairs of a departure field and its value as read, and the value to
	 * put in its place. Each is replaced only if it still holds what was read.
	 */
	private static final String RESEAL = """
			local n = 0
			if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'seal') == ARGV[1] then
			  redis.call('HSET', KEYS[1], 'seal', ARGV[2])
			  n = n + 1
			end
			for i = 3, #ARGV, 3 do
			  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
			    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
			    n = n + 1
			  end
			end
			return n
			""";

	/** How often a store reads the hash again when it changed between read and write. */
	private static final int STORE_ATTEMPTS = 3;

	private final NodeAddress node;

	private final String key;

	private final ConfigurationSeal seal;

	private final ProblemLog problems;

	/**
	 * Whether the group's configuration hash was unreadable already (logged once per
	 * link).
	 */
	private volatile boolean unreadable;

	/** The link's lock: commands written from a reply's thread take it. */
	private final Object dispatchLock;

	ConfigurationCommands(NodeAddress node, ConfigurationSeal seal, ProblemLog problems, Object dispatchLock) {
		this.node = node;
		this.dispatchLock = dispatchLock;
		this.key = seal.key();
		this.seal = seal;
		this.problems = problems;
	}

	/**
	 * The configuration the hash holds, as far as it is sealed. A hash that cannot be
	 * read (no permission, another type, a value that does not parse) counts as none:
	 * this member then cannot found an electorate there, and says why once.
	 */
	CompletableFuture<Read> read(RedisAsyncCommands<String, String> redis) {
		return redis.hgetall(this.key).toCompletableFuture().thenApply((hash) -> {
			ConfigurationSeal.Opened opened = open(hash);
			return new Read(StoredConfiguration.parse(opened.trusted()), opened.resealNeeded() ? hash : null);
		}).exceptionally((failure) -> new Read(unreadable(failure), null));
	}

	private ConfigurationSeal.Opened open(@Nullable Map<String, String> hash) {
		ConfigurationSeal.Opened opened = this.seal.open(hash);
		this.problems.recordStoredHash(opened.problem());
		return opened;
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
	 * Seals again, with every secret of this member, what in the hash {@code read} only a
	 * secret other than its current one sealed (a rotation under way), so that the hash
	 * is still trusted once the previous secret is gone.
	 */
	CompletableFuture<Reply> reseal(RedisAsyncCommands<String, String> redis, Map<String, String> read) {
		ConfigurationSeal.Opened opened = this.seal.open(read);
		boolean sealed = read.containsKey("epoch") && opened.untrustedConfiguration() == null;
		String readSeal = read.getOrDefault(ConfigurationSeal.SEAL, "");
		String seal = sealed ? this.seal.seal(read) : readSeal;
		List<String> args = new ArrayList<>(List.of(readSeal, seal.equals(readSeal) ? "" : seal));
		opened.trusted().forEach((field, value) -> {
			String sealedValue = this.seal.sealDeparture(field, value);
			if (field.startsWith(ConfigurationSeal.DEPARTED_PREFIX) && !sealedValue.equals(read.get(field))) {
				args.add(field);
				args.add(read.get(field));
				args.add(sealedValue);
			}
		});
		return redis
			.<Long>eval(RESEAL, ScriptOutputType.INTEGER, new String[] { this.key }, args.toArray(String[]::new))
			.toCompletableFuture()
			.thenApply((resealed) -> (Reply) new Reply.Text(String.valueOf(resealed), false));
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
				StoredConfiguration stored = (failure == null) ? StoredConfiguration.parse(open(hash).trusted())
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
	/**
	 * The hash as read with INFO.
	 *
	 * @param stored what a member may trust of it
	 * @param resealFrom the hash as read when part of it should be sealed again (see
	 * {@link #reseal}), else null
	 */
	record Read(StoredConfiguration stored, @Nullable Map<String, String> resealFrom) {
	}

	private static boolean unreadableForGood(Throwable failure) {
		String message = Failures.rootMessage(failure);
		return message.startsWith("NOPERM") || message.startsWith("WRONGTYPE") || message.startsWith("MASTERDOWN");
	}

	/**
	 * Reads the hash, then runs {@code write} with the store's script for what it read
	 * ({@link #store}); reads again when the hash changed in between.
	 */
	CompletableFuture<Reply> store(RedisAsyncCommands<String, String> redis, Action.StoreConfiguration store,
			Function<Supplier<CompletableFuture<Reply>>, CompletableFuture<Reply>> write) {
		return store(redis, store, write, STORE_ATTEMPTS);
	}

	private CompletableFuture<Reply> store(RedisAsyncCommands<String, String> redis, Action.StoreConfiguration store,
			Function<Supplier<CompletableFuture<Reply>>, CompletableFuture<Reply>> write, int attempts) {
		return redis.<List<Object>>eval(READ, ScriptOutputType.MULTI, this.key)
			.toCompletableFuture()
			.thenCompose((read) -> {
				String digest = String.valueOf(read.get(0));
				boolean sealed = open(hash(read.get(1))).untrustedConfiguration() == null;
				return write.apply(() -> eval(redis, store, digest, sealed));
			})
			.thenCompose((reply) -> {
				if (!(reply instanceof Reply.Text text && "-2".equals(text.text()))) {
					return CompletableFuture.completedFuture(reply);
				}
				if (attempts <= 1) {
					return CompletableFuture.completedFuture(
							new Reply.Failed("the configuration hash changed between its read and the store, "
									+ STORE_ATTEMPTS + " times in a row"));
				}
				synchronized (this.dispatchLock) {
					return store(redis, store, write, attempts - 1);
				}
			});
	}

	/** An {@code HGETALL} reply inside a script's: field, value, field, value... */
	private static Map<String, String> hash(Object reply) {
		Map<String, String> hash = new LinkedHashMap<>();
		if (reply instanceof List<?> flat) {
			for (int i = 0; i + 1 < flat.size(); i += 2) {
				hash.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
			}
		}
		return hash;
	}

	private CompletableFuture<Reply> eval(RedisAsyncCommands<String, String> redis, Action.StoreConfiguration store,
			String digest, boolean sealed) {
		Configuration config = store.config();
		Configuration replacing = store.replacing();
		Map<String, String> fields = StoredConfiguration.fields(config);
		List<String> args = new ArrayList<>(
				List.of(store.condition().name(), (replacing != null) ? Long.toString(replacing.epoch()) : "",
						(replacing != null) ? Integer.toString(replacing.version()) : "", fields.get("epoch"),
						fields.get("version"), fields.get("master"), fields.get("voters"), this.seal.seal(fields),
						(store.runId() != null) ? store.runId() : ""));
		args.add(digest);
		args.add(sealed ? "sealed" : "unsealed");
		return redis.<Long>eval(STORE, ScriptOutputType.INTEGER, new String[] { this.key }, args.toArray(String[]::new))
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
					this.seal.sealDeparture(field.getKey(), field.getValue()))
			.toCompletableFuture()
			.thenApply((recorded) -> (recorded != null) ? new Reply.Text("1", false)
					: new Reply.Failed("the departure's transaction was discarded"));
	}

}
