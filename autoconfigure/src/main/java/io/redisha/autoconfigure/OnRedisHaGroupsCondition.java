package io.redisha.autoconfigure;

import java.util.Map;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Condition behind {@link ConditionalOnRedisHaGroups}. Binds the group names only: the
 * groups' values are validated when {@link RedisHaProperties} is bound.
 */
class OnRedisHaGroupsCondition extends SpringBootCondition {

	private static final String GROUPS = RedisHaProperties.PREFIX + ".groups";

	private static final Bindable<Map<String, Object>> GROUP_MAP = Bindable.mapOf(String.class, Object.class);

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("redis-ha groups");
		Map<String, Object> groups = Binder.get(context.getEnvironment()).bind(GROUPS, GROUP_MAP).orElse(Map.of());
		if (groups.isEmpty()) {
			return ConditionOutcome.noMatch(message.didNotFind("property").items(GROUPS + ".*"));
		}
		return ConditionOutcome.match(message.found("groups").items(groups.keySet()));
	}

}
