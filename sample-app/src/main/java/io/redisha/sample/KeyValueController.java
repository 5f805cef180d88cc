package io.redisha.sample;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reads and writes text values in Redis through the application's
 * {@link StringRedisTemplate}. A write is answered only once Redis acknowledged it; a
 * Redis failure is answered with 503 and its reason ({@link RedisUnavailableAdvice}).
 */
@RestController
@RequestMapping(path = "/kv/{key}")
class KeyValueController {

	private final StringRedisTemplate redis;

	KeyValueController(StringRedisTemplate redis) {
		this.redis = redis;
	}

	/**
	 * Takes the raw body whatever its content type, so that {@code curl -d value} works.
	 */
	@PutMapping
	ResponseEntity<Void> put(@PathVariable String key, @RequestBody String value) {
		this.redis.opsForValue().set(key, value);
		return ResponseEntity.ok().build();
	}

	@GetMapping(produces = MediaType.TEXT_PLAIN_VALUE)
	ResponseEntity<String> get(@PathVariable String key) {
		String value = this.redis.opsForValue().get(key);
		return (value != null) ? ResponseEntity.ok(value) : ResponseEntity.notFound().build();
	}

}
