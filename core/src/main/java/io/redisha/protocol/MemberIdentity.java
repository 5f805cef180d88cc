package io.redisha.protocol;

import java.util.Objects;

/**
 * Who this member is. The id is new at every process start: a restarted member is a new
 * voter, which is part of why it cannot vote twice in one epoch (see docs/protocol.md).
 */
public record MemberIdentity(String id, String application) {

	public MemberIdentity {
		Objects.requireNonNull(id, "id");
		Objects.requireNonNull(application, "application");
	}

}
