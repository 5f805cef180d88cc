package io.redisha.protocol;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The fields of one gossip message being decoded, with the checks each kind of value
 * needs.
 */
record GossipFields(String type, Map<String, String> values) {

	String text(String key) {
		String value = this.values.get(key);
		if (value == null) {
			throw new IllegalArgumentException("truncated or incomplete " + this.type + ": no field " + key);
		}
		return value;
	}

	long number(String key) {
		String value = text(key);
		if (value.isEmpty() || value.length() > 18 || !allDigits(value)) {
			throw new IllegalArgumentException(
					"field " + key + " of " + this.type + " is not a number: '" + GossipCodec.shorten(value) + "'");
		}
		long number = Long.parseLong(value);
		if (number > GossipCodec.MAX_NUMBER) {
			throw new IllegalArgumentException(
					"field " + key + " of " + this.type + " is larger than " + GossipCodec.MAX_NUMBER + ": " + value);
		}
		return number;
	}

	long optionalNumber(String key) {
		return this.values.containsKey(key) ? number(key) : 0;
	}

	/** The optional configuration version, at most 9 digits. */
	int version() {
		long version = optionalNumber("cv");
		if (version > GossipCodec.MAX_VERSION) {
			throw new IllegalArgumentException("field cv of " + this.type + " is too large");
		}
		return (int) version;
	}

	Configuration configuration(long epoch, NodeAddress master) {
		try {
			return new Configuration(epoch, version(), master, Configuration.parseVoters(text(GossipCodec.VOTERS)));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("field vs of " + this.type + ": " + ex.getMessage());
		}
	}

	boolean flag(String key) {
		String value = text(key);
		if (!value.equals("0") && !value.equals("1")) {
			throw new IllegalArgumentException(
					"field " + key + " of " + this.type + " is not 0 or 1: '" + GossipCodec.shorten(value) + "'");
		}
		return value.equals("1");
	}

	/**
	 * The optional maintenance fields: all three or none (a member that never saw a pause
	 * sends none).
	 */
	GossipMessage.Maintenance maintenance() {
		if (!this.values.containsKey("pv")) {
			return GossipMessage.Maintenance.NONE;
		}
		return new GossipMessage.Maintenance(number("pv"), flag("p"), text("pby"));
	}

	@Nullable NodeAddress optionalAddress(String key) {
		return text(key).equals("-") ? null : address(key);
	}

	NodeAddress address(String key) {
		try {
			return NodeAddress.parse(text(key));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("field " + key + " of " + this.type + ": " + ex.getMessage());
		}
	}

	private static boolean allDigits(String value) {
		for (int i = 0; i < value.length(); i++) {
			if (value.charAt(i) < '0' || value.charAt(i) > '9') {
				return false;
			}
		}
		return true;
	}

}
