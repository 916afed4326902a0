package dev.ktls.boot;

/**
 * Why an offloaded connection was closed by this library rather than carried on. Each reason is
 * counted and shown by the health indicator.
 */
public enum TerminationReason {

	/**
	 * The peer sent a KeyUpdate that needs a direction the kernel holds, and this version of the
	 * library cannot re-key the kernel.
	 */
	KEY_UPDATE_NOT_SUPPORTED("the peer sent a KeyUpdate for a key held by the kernel"),

	/**
	 * The transmit key reached its usage limit (RFC 8446 §5.5) on a connection whose key the
	 * kernel cannot replace (a kernel before 6.14, or TLS 1.2).
	 */
	KEY_USAGE_LIMIT("the transmit key reached its usage limit and the kernel cannot replace it"),

	/** The peer sent a handshake message, or a change_cipher_spec, after the handshake. */
	UNEXPECTED_MESSAGE("the peer sent an unexpected record after the handshake"),

	/** The peer sent a fatal alert. */
	PEER_ALERT("the peer sent a fatal alert"),

	/** The kernel reported a bad record (authentication failure, oversized record, bad version). */
	BAD_RECORD("the kernel rejected a record from the peer"),

	/**
	 * The peer started a TLS 1.2 renegotiation, or the application asked for a new handshake or
	 * post-handshake authentication.
	 */
	RENEGOTIATION_REFUSED("a new handshake cannot run on an offloaded connection");

	private final String description;

	TerminationReason(String description) {
		this.description = description;
	}

	/**
	 * Return a sentence that says what happened.
	 * @return the description
	 */
	public String getDescription() {
		return this.description;
	}

}
