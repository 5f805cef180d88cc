package io.redisha.sample;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * A Redis failure, in any of the sample's controllers, is answered with 503 and its
 * reason (for a failover: the master switched, or none is usable yet).
 */
@RestControllerAdvice
class RedisUnavailableAdvice {

	@ExceptionHandler(DataAccessException.class)
	ResponseEntity<String> redisUnavailable(DataAccessException ex) {
		Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.contentType(MediaType.TEXT_PLAIN)
			.body("Redis unavailable: " + cause.getMessage());
	}

}
