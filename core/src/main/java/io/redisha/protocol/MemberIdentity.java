package io.redisha.protocol;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Who this member is. The id is new at every process start: a restarted member is a new
 * voter, which is part of why it cannot vote twice in one epoch (see docs/protocol.md).
 *
 * @param id its id
 * @param application its application name
 * @param endpoint where its Sentinel-protocol endpoint listens for clients, announced in
 * every hello so that clients asking any member learn of the others; null when it serves
 * none
 */
public record MemberIdentity(String id, String application, @Nullable NodeAddress endpoint) {

	public MemberIdentity {
		Objects.requireNonNull(id, "id");
		Objects.requireNonNull(application, "application");
	}

	/** A member that serves no Sentinel-protocol endpoint. */
	public MemberIdentity(String id, String application) {
		this(id, application, null);
	}

}
