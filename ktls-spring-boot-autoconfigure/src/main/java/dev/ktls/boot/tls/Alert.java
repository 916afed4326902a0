package dev.ktls.boot.tls;

import java.util.Map;

/**
 * TLS alerts (RFC 8446 §6) this library sends or interprets.
 */
public final class Alert {

	public static final int LEVEL_WARNING = 1;

	public static final int LEVEL_FATAL = 2;

	public static final int CLOSE_NOTIFY = 0;

	public static final int UNEXPECTED_MESSAGE = 10;

	public static final int BAD_RECORD_MAC = 20;

	public static final int RECORD_OVERFLOW = 22;

	public static final int DECODE_ERROR = 50;

	public static final int INTERNAL_ERROR = 80;

	public static final int NO_RENEGOTIATION = 100;

	/** RFC 8446 §6 and RFC 5246 §7.2 alert descriptions by the names JSSE uses for them. */
	private static final Map<String, Integer> DESCRIPTIONS = Map.ofEntries(Map.entry("close_notify", 0),
			Map.entry("unexpected_message", 10), Map.entry("bad_record_mac", 20), Map.entry("record_overflow", 22),
			Map.entry("handshake_failure", 40), Map.entry("bad_certificate", 42),
			Map.entry("unsupported_certificate", 43), Map.entry("certificate_revoked", 44),
			Map.entry("certificate_expired", 45), Map.entry("certificate_unknown", 46),
			Map.entry("illegal_parameter", 47), Map.entry("unknown_ca", 48), Map.entry("access_denied", 49),
			Map.entry("decode_error", 50), Map.entry("decrypt_error", 51), Map.entry("protocol_version", 70),
			Map.entry("insufficient_security", 71), Map.entry("internal_error", 80),
			Map.entry("inappropriate_fallback", 86), Map.entry("user_canceled", 90),
			Map.entry("no_renegotiation", 100), Map.entry("missing_extension", 109),
			Map.entry("unsupported_extension", 110), Map.entry("unrecognized_name", 112),
			Map.entry("bad_certificate_status_response", 113), Map.entry("unknown_psk_identity", 115),
			Map.entry("certificate_required", 116), Map.entry("no_application_protocol", 120));

	private Alert() {
	}

	/**
	 * Return the code of an alert description given by name.
	 * @param name the name, such as {@code bad_record_mac}
	 * @return the code, or -1 for an unknown name
	 */
	public static int code(String name) {
		return DESCRIPTIONS.getOrDefault(name, -1);
	}

	/**
	 * Return the payload of an alert record.
	 * @param level the level
	 * @param description the description
	 * @return the two-byte payload
	 */
	public static byte[] payload(int level, int description) {
		return new byte[] { (byte) level, (byte) description };
	}

	/**
	 * Return whether an alert record's payload is a close_notify.
	 * @param payload the payload
	 * @return whether it is a close_notify
	 */
	public static boolean isCloseNotify(byte[] payload) {
		return payload.length == 2 && payload[1] == CLOSE_NOTIFY;
	}

	/**
	 * Describe an alert record's payload for an error message.
	 * @param payload the payload
	 * @return a description such as {@code fatal alert 40}
	 */
	public static String describe(byte[] payload) {
		if (payload.length != 2) {
			return "malformed alert of " + payload.length + " bytes";
		}
		String level = (payload[0] == LEVEL_FATAL) ? "fatal" : "warning";
		return level + " alert " + (payload[1] & 0xff);
	}

}
