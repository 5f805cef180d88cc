package io.redisha.autoconfigure;

import io.redisha.embedded.RedisGroupExtension;
import io.redisha.member.RedisHaMember;
import io.redisha.member.TestGossip;
import io.redisha.protocol.GroupSnapshot;
import io.redisha.protocol.GroupSnapshot.MemberSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.redisha.testing.Members.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link RedisHaMemberLifecycle} with two application contexts as members of
 * one real group: closing a context says goodbye, so the other member drops it at once
 * instead of after the member expiry.
 */
class RedisHaMemberLifecycleTest {

	@RegisterExtension
	final RedisGroupExtension redis = RedisGroupExtension.withReplicas(1);

	@Test
	void closingTheContextSaysGoodbyeToTheOtherMembers() {
		ApplicationContextRunner runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RedisHaAutoConfiguration.class))
			.withPropertyValues("redis-ha.groups.orders.nodes=" + this.redis.group().master().address(),
					"redis-ha.groups.orders.quorum=1", "redis-ha.gossip-secret=" + TestGossip.SECRET);
		runner.run((first) -> {
			RedisHaMember stays = first.getBean(RedisHaMember.class);
			String[] leaverId = new String[1];
			runner.run((second) -> {
				leaverId[0] = second.getBean(RedisHaMember.class).identity().id();
				await().atMost(EVENTUALLY).until(() -> seen(stays, leaverId[0]));
			});
			await().atMost(EVENTUALLY).until(() -> !seen(stays, leaverId[0]));
		});
	}

	private static boolean seen(RedisHaMember member, String id) {
		GroupSnapshot snapshot = member.snapshot("orders");
		return snapshot != null && snapshot.members().stream().map(MemberSnapshot::id).anyMatch(id::equals);
	}

}
