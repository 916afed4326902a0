package dev.ktls.boot.tls;

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

	public static final int NO_RENEGOTIATION = 100;

	private Alert() {
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
