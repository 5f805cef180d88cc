package io.redisha.redis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.redisha.protocol.Configuration;
import io.redisha.protocol.GossipSeal;
import io.redisha.protocol.StoredConfiguration;
import org.jspecify.annotations.Nullable;

/**
 * Seals the group's configuration hash ({@link StoredConfiguration}) with the gossip
 * secrets: whoever may write keys on the nodes but lacks the secret cannot make the
 * members follow a master, or an electorate, of its choosing. The configuration's four
 * fields are signed together in the field {@code seal}; a departure record carries its
 * own signature after its value. Each signature is made with every secret of the member,
 * so that members on either side of a rotation read what the others stored.
 */
public final class ConfigurationSeal {

	static final String SEAL = "seal";

	private static final List<String> FIELDS = List.of("epoch", "version", "master", "voters");

	static final String DEPARTED_PREFIX = "departed:";

	private static final int MAX_DEPARTURES = 4 * Configuration.MAX_VOTERS;

	private final String group;

	private final GossipSeal secrets;

	/**
	 * @param group the group whose hash this seals
	 * @param secrets the group's gossip secrets
	 */
	public ConfigurationSeal(String group, GossipSeal secrets) {
		this.group = group;
		this.secrets = secrets;
	}

	/** The hash holding the group's configuration. */
	String key() {
		return StoredConfiguration.key(this.group);
	}

	/** The seal of a configuration's fields ({@link StoredConfiguration#fields}). */
	String seal(Map<String, String> fields) {
		return this.secrets.sign(configurationText(fields));
	}

	/** A departure record's value, with its signature after a {@code '.'}. */
	String sealDeparture(String field, String value) {
		return value + "." + this.secrets.sign(departureText(field, value)).replace('.', '~');
	}

	/**
	 * What of the hash a member may trust: the configuration's fields when their seal is
	 * one of this member's secrets', and the departure records likewise (their values
	 * without the signature). The rest is reported, never passed on.
	 */
	Opened open(@Nullable Map<String, String> hash) {
		Map<String, String> trusted = new LinkedHashMap<>();
		if (hash == null || hash.isEmpty()) {
			return new Opened(trusted, null, 0, false);
		}
		String untrusted = null;
		boolean resealed = false;
		if (hash.containsKey("epoch")) {
			String seal = hash.get(SEAL);
			int signer = (seal != null) ? this.secrets.signer(configurationText(hash), seal) : -1;
			if (signer >= 0) {
				FIELDS.forEach((field) -> trusted.put(field, hash.get(field)));
				resealed = signer > 0;
			}
			else {
				untrusted = "epoch " + shorten(hash.get("epoch")) + ", master " + shorten(hash.get("master"));
			}
		}
		int rejectedDepartures = 0;
		int departures = 0;
		for (Map.Entry<String, String> field : hash.entrySet()) {
			// As many as the configuration can use (see StoredConfiguration.parse): a
			// flood of fields costs no more than that many signatures.
			if (field.getKey().startsWith(DEPARTED_PREFIX) && departures++ < MAX_DEPARTURES) {
				String value = field.getValue();
				int at = value.lastIndexOf('.');
				int signer = (at < 0) ? -1 : this.secrets.signer(departureText(field.getKey(), value.substring(0, at)),
						value.substring(at + 1).replace('~', '.'));
				if (signer >= 0) {
					trusted.put(field.getKey(), value.substring(0, at));
					resealed |= signer > 0;
				}
				else {
					rejectedDepartures++;
				}
			}
		}
		return new Opened(trusted, untrusted, rejectedDepartures, resealed);
	}

	/**
	 * Each field with its length before it, so that no two sets of values sign the same
	 * text.
	 */
	private String configurationText(Map<String, String> fields) {
		StringBuilder text = new StringBuilder("redis-ha stored configuration");
		append(text, this.group);
		FIELDS.forEach((field) -> append(text, fields.getOrDefault(field, "")));
		return text.toString();
	}

	private String departureText(String field, String value) {
		StringBuilder text = new StringBuilder("redis-ha stored departure");
		append(text, this.group);
		append(text, field);
		append(text, value);
		return text.toString();
	}

	private static void append(StringBuilder text, String value) {
		text.append(' ').append(value.length()).append(':').append(value);
	}

	private static String shorten(@Nullable String text) {
		return (text == null) ? "none" : (text.length() > 40) ? text.substring(0, 40) + "..." : text;
	}

	@Override
	public String toString() {
		return "ConfigurationSeal[" + this.group + "]";
	}

	/**
	 * The hash as a member may read it.
	 *
	 * @param trusted the sealed fields, departure records without their signatures
	 * @param untrustedConfiguration what the configuration fields hold when no secret of
	 * this member sealed them; null when they are sealed, or absent
	 * @param rejectedDepartures how many departure records no secret of this member
	 * sealed
	 * @param resealNeeded whether a seal lacks this member's current secret (a rotation):
	 * the master's hash is then sealed again
	 */
	record Opened(Map<String, String> trusted, @Nullable String untrustedConfiguration, int rejectedDepartures,
			boolean resealNeeded) {

		/** Why the hash is not trusted, for the node's problems; null when it is. */
		@Nullable String problem() {
			if (this.untrustedConfiguration == null && this.rejectedDepartures == 0) {
				return null;
			}
			String what = (this.untrustedConfiguration != null)
					? "a configuration (" + this.untrustedConfiguration + ")" : "";
			if (this.rejectedDepartures > 0) {
				what += (what.isEmpty() ? "" : " and ") + this.rejectedDepartures + " departure record(s)";
			}
			return "the group's configuration hash holds " + what
					+ " that no gossip secret of this instance sealed: ignored. A client without the secret wrote it, "
					+ "or an instance with another secret (compare gossip-secret on every instance). The members "
					+ "store their configuration over it; a group that has none yet founds its electorate only once "
					+ "the hash is deleted (see docs/security.md)";
		}

	}

}
