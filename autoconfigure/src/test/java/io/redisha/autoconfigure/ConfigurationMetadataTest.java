package io.redisha.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.beans.BeanWrapper;
import org.springframework.beans.PropertyAccessorFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.convert.ConversionService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that the generated configuration metadata, which IDEs show, tells the defaults
 * that the properties classes really bind.
 */
class ConfigurationMetadataTest {

	private static final String METADATA = "META-INF/spring-configuration-metadata.json";

	private final ConversionService conversion = ApplicationConversionService.getSharedInstance();

	@Test
	void metadataTellsEveryDefaultThatIsBound() throws IOException {
		Map<String, Object> bound = new TreeMap<>();
		bound.putAll(boundDefaults(RedisHaProperties.PREFIX, RedisHaProperties.class));
		bound.putAll(boundDefaults(RedisHaSentinelProperties.PREFIX, RedisHaSentinelProperties.class));
		Map<String, Object> documented = documentedDefaults();
		assertThat(bound).isNotEmpty();
		bound.forEach((name, value) -> {
			assertThat(documented).as("defaultValue of %s in the metadata", name).containsKey(name);
			assertThat(this.conversion.convert(documented.get(name), value.getClass()))
				.as("defaultValue of %s in the metadata", name)
				.isEqualTo(value);
		});
	}

	@Test
	void metadataTellsNoDefaultThatIsNotBound() throws IOException {
		Map<String, Object> bound = new TreeMap<>();
		bound.putAll(boundDefaults(RedisHaProperties.PREFIX, RedisHaProperties.class));
		bound.putAll(boundDefaults(RedisHaSentinelProperties.PREFIX, RedisHaSentinelProperties.class));
		documentedDefaults().keySet()
			.stream()
			.filter((name) -> name.startsWith(RedisHaProperties.PREFIX + "."))
			.forEach((name) -> assertThat(bound).as("bound default of %s", name).containsKey(name));
	}

	/**
	 * The non-null values of an empty binding, by property name: what applies when
	 * nothing is configured. Maps and lists (the groups) have no default to tell.
	 */
	private static Map<String, Object> boundDefaults(String prefix, Class<?> type) {
		Object properties = new Binder(new MapConfigurationPropertySource()).bindOrCreate(prefix, type);
		BeanWrapper wrapper = PropertyAccessorFactory.forBeanPropertyAccess(properties);
		Map<String, Object> defaults = new TreeMap<>();
		for (var property : wrapper.getPropertyDescriptors()) {
			if (property.getReadMethod() == null || property.getWriteMethod() == null) {
				continue;
			}
			Object value = wrapper.getPropertyValue(property.getName());
			if (value != null && !(value instanceof Map || value instanceof Collection)) {
				defaults.put(prefix + "." + dashed(property.getName()), value);
			}
		}
		return defaults;
	}

	private static String dashed(String camelCase) {
		return camelCase.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
	}

	/** The defaults of redis-ha's generated metadata, by property name. */
	private static Map<String, Object> documentedDefaults() throws IOException {
		List<Map<String, Object>> properties = JsonPath.read(metadata(), "$.properties");
		Map<String, Object> defaults = new TreeMap<>();
		properties.stream()
			.filter((property) -> property.containsKey("defaultValue"))
			.forEach((property) -> defaults.put((String) property.get("name"), property.get("defaultValue")));
		return defaults;
	}

	/** This module's metadata, not that of the other jars on the classpath. */
	private static String metadata() throws IOException {
		for (URL url : Collections.list(ConfigurationMetadataTest.class.getClassLoader().getResources(METADATA))) {
			try (InputStream in = url.openStream()) {
				String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
				if (json.contains("\"" + RedisHaProperties.class.getName() + "\"")) {
					return json;
				}
			}
		}
		throw new IllegalStateException("no " + METADATA + " describes " + RedisHaProperties.class.getName());
	}

}
