package io.redisha.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small key-value web application whose instances keep their Redis highly available.
 * Without {@code redis-ha.groups} it starts a local master and two replicas of its own
 * (see {@link EmbeddedRedisEnvironmentPostProcessor}).
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
