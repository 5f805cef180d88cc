package io.redisha.autoconfigure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.redisha.protocol.Configuration;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration of redis-ha: which Redis groups this application instance helps keep
 * available. Validates itself while it is bound, so that an invalid value stops the
 * application with a message naming the property and the value.
 */
@ConfigurationProperties("redis-ha")
public class RedisHaProperties extends GossipSecretProperties implements Validator {

	static final String PREFIX = "redis-ha";

	private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	/**
	 * Whether this application instance takes part in redis-ha.
	 */
	private boolean enabled = true;

	/**
	 * Name under which this instance appears to the other members. Defaults to
	 * 'spring.application.name', else 'application'.
	 */
	private @Nullable String applicationName;

	/**
	 * Group whose master the application's own Redis connections follow. Must name a
	 * configured group; may be omitted when there is only one group.
	 */
	private @Nullable String primaryGroup;

	/**
	 * Monitored groups by name (Sentinel's "master name").
	 */
	private Map<String, GroupProperties> groups = new LinkedHashMap<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable String getApplicationName() {
		return this.applicationName;
	}

	public void setApplicationName(@Nullable String applicationName) {
		this.applicationName = applicationName;
	}

	public @Nullable String getPrimaryGroup() {
		return this.primaryGroup;
	}

	public void setPrimaryGroup(@Nullable String primaryGroup) {
		this.primaryGroup = primaryGroup;
	}

	/**
	 * The gossip secrets of a group: its own if it has one, else the common ones; the one
	 * to sign with first.
	 */
	List<String> gossipSecrets(GroupProperties group) {
		return (group.getGossipSecret() != null) ? group.gossipSecrets() : gossipSecrets();
	}

	public Map<String, GroupProperties> getGroups() {
		return this.groups;
	}

	public void setGroups(Map<String, GroupProperties> groups) {
		this.groups = groups;
	}

	@Override
	public boolean supports(Class<?> type) {
		return RedisHaProperties.class.isAssignableFrom(type) || GroupProperties.class.isAssignableFrom(type);
	}

	/**
	 * Validates this object or one of its groups. The binder calls it for each group as
	 * soon as that group is bound (the errors' object name is then the group's full
	 * property prefix) and last for this object.
	 */
	@Override
	public void validate(Object target, Errors errors) {
		PropertyChecks checks = new PropertyChecks(errors);
		if (target instanceof GroupProperties group) {
			new GroupChecks(group, checks).validate();
		}
		else {
			validateTopLevel(checks);
		}
	}

	private void validateTopLevel(PropertyChecks checks) {
		checks.require("application-name", this.applicationName, (name) -> name == null || !name.isBlank(),
				"must not be blank");
		this.groups.keySet()
			.stream()
			.filter((name) -> !GROUP_NAME.matcher(name).matches())
			.forEach((name) -> checks.rejectObject(checks.fullName("groups") + " has a group named '" + name
					+ "' which is not a valid group name: use 1 to 64 letters, digits, '.', '-' or '_',"
					+ " starting with a letter or digit"));
		checks.require("primary-group", this.primaryGroup, (name) -> name == null || this.groups.containsKey(name),
				"refers to an unknown group: it must be one of " + this.groups.keySet());
		validateGossipSecrets(checks);
		List<String> unsigned = this.groups.entrySet()
			.stream()
			.filter((group) -> group.getValue().getGossipSecret() == null)
			.map(Map.Entry::getKey)
			.toList();
		if (getGossipSecret() == null && !unsigned.isEmpty()) {
			checks.reject("gossip-secret", "is not set (nor redis-ha.groups.<group>.gossip-secret for " + unsigned
					+ "): members sign every gossip message with it and ignore unsigned ones, so that whoever may "
					+ "PUBLISH on Redis cannot steer them. Set the same random value of at least "
					+ GossipSecretProperties.MIN_LENGTH + " characters on every instance, e.g. the output of "
					+ "'openssl rand -base64 32' (see docs/security.md)");
		}
	}

}
