package io.redisha.sample;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A bank of accounts {@code acct:0..N-1} in Redis, to watch transactions survive a
 * failover: a transfer moves money between two accounts in one
 * {@code WATCH}/{@code MULTI}/{@code EXEC}, so the total of all balances never changes,
 * whatever the failovers. A Redis failure is answered with 503
 * ({@link RedisUnavailableAdvice}): the transfer may or may not have been committed,
 * never in part.
 */
@RestController
@RequestMapping(path = "/bank")
class BankController {

	/** Holds the number of accounts, written with them in one command. */
	private static final String ACCOUNTS_KEY = "bank:accounts";

	/**
	 * How often a transfer is tried when another client changed one of its accounts in
	 * between.
	 */
	private static final int ATTEMPTS = 5;

	private final StringRedisTemplate redis;

	BankController(StringRedisTemplate redis) {
		this.redis = redis;
	}

	/**
	 * Creates {@code accounts} accounts with {@code balance} each, replacing any bank
	 * there was.
	 */
	@PostMapping("/open")
	ResponseEntity<Map<String, Object>> open(@RequestParam int accounts, @RequestParam long balance) {
		if (accounts < 1 || balance < 0) {
			return answer(HttpStatus.BAD_REQUEST, "accounts must be >= 1 and balance >= 0");
		}
		Map<String, String> values = new LinkedHashMap<>();
		values.put(ACCOUNTS_KEY, String.valueOf(accounts));
		for (int i = 0; i < accounts; i++) {
			values.put(account(i), String.valueOf(balance));
		}
		this.redis.opsForValue().multiSet(values);
		return ResponseEntity.ok(Map.of("accounts", accounts, "total", accounts * balance));
	}

	/**
	 * Moves {@code amount} from one account to another: 200 when committed, 409 when not
	 * (insufficient funds, or other transfers kept winning the race for the same
	 * accounts).
	 */
	@PostMapping("/transfer")
	ResponseEntity<Map<String, Object>> transfer(@RequestParam int from, @RequestParam int to,
			@RequestParam long amount) {
		int accounts = accounts();
		if (from == to || from < 0 || to < 0 || from >= accounts || to >= accounts || amount <= 0) {
			return answer(HttpStatus.BAD_REQUEST,
					"from and to must be two accounts of 0.." + (accounts - 1) + " and amount > 0");
		}
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			Outcome outcome = this.redis.execute(new Transfer(account(from), account(to), amount));
			if (outcome != Outcome.RACE_LOST) {
				return (outcome == Outcome.COMMITTED) ? answer(HttpStatus.OK, "committed")
						: answer(HttpStatus.CONFLICT, "not committed: insufficient funds");
			}
		}
		return answer(HttpStatus.CONFLICT, "not committed: the accounts kept changing, " + ATTEMPTS + " attempts");
	}

	/**
	 * The number of accounts and the sum of their balances, read from the master in one
	 * command.
	 */
	@GetMapping
	Map<String, Object> total() {
		int accounts = accounts();
		List<String> keys = new ArrayList<>(accounts);
		for (int i = 0; i < accounts; i++) {
			keys.add(account(i));
		}
		List<String> balances = (accounts > 0) ? this.redis.opsForValue().multiGet(keys) : List.of();
		long total = balances.stream().mapToLong((balance) -> (balance != null) ? Long.parseLong(balance) : 0).sum();
		return Map.of("accounts", accounts, "total", total);
	}

	private int accounts() {
		String accounts = this.redis.opsForValue().get(ACCOUNTS_KEY);
		return (accounts != null) ? Integer.parseInt(accounts) : 0;
	}

	private static String account(int i) {
		return "acct:" + i;
	}

	private static ResponseEntity<Map<String, Object>> answer(HttpStatus status, String outcome) {
		return ResponseEntity.status(status).body(Map.of("outcome", outcome));
	}

	private enum Outcome {

		COMMITTED, INSUFFICIENT_FUNDS, RACE_LOST

	}

	/**
	 * {@code WATCH} both accounts, read them, then {@code MULTI}, {@code DECRBY},
	 * {@code INCRBY}, {@code EXEC}: Redis runs the two together, or neither when an
	 * account changed after the {@code WATCH}. A failure of the connection in between
	 * fails the whole transfer.
	 */
	private record Transfer(String from, String to, long amount) implements SessionCallback<Outcome> {

		@Override
		@SuppressWarnings("unchecked")
		public <K, V> Outcome execute(RedisOperations<K, V> operations) throws DataAccessException {
			RedisOperations<String, String> redis = (RedisOperations<String, String>) operations;
			redis.watch(List.of(this.from, this.to));
			String balance = redis.opsForValue().get(this.from);
			if (balance == null || Long.parseLong(balance) < this.amount) {
				redis.unwatch();
				return Outcome.INSUFFICIENT_FUNDS;
			}
			redis.multi();
			redis.opsForValue().decrement(this.from, this.amount);
			redis.opsForValue().increment(this.to, this.amount);
			List<Object> results = redis.exec();
			return (results == null || results.isEmpty()) ? Outcome.RACE_LOST : Outcome.COMMITTED;
		}

	}

}
