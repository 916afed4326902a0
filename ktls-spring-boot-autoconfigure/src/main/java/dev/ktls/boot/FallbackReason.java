package dev.ktls.boot;

import dev.ktls.boot.jdk.JdkInternals;

/**
 * Why a connection, or one direction of it, stays on userspace TLS. Each reason is counted and
 * shown by the health indicator.
 */
public enum FallbackReason {

	/** {@code server.ktls.enabled} is {@code false}. */
	DISABLED("disabled by server.ktls.enabled=false", Severity.EXPECTED),

	/** Not Linux, or not a 64-bit JVM. */
	PLATFORM_UNSUPPORTED("kernel TLS needs Linux and a 64-bit JVM", Severity.EXPECTED),

	/** JNA could not load the C library. */
	NATIVE_ACCESS_UNAVAILABLE("the C library could not be loaded through JNA", Severity.UNEXPECTED),

	/** The JVM was started without the options that open JSSE and socket internals. */
	JDK_INTERNALS_UNREACHABLE("JDK internals are not reachable; start the JVM with "
			+ JdkInternals.REQUIRED_JVM_OPTIONS, Severity.UNEXPECTED),

	/** The kernel has no {@code tls} upper layer protocol ({@code modprobe tls}). */
	KERNEL_TLS_UNAVAILABLE("the kernel has no tls module (modprobe tls)", Severity.EXPECTED),

	/** The connector is not Tomcat's NIO connector, for example NIO2 or an application's protocol. */
	CONNECTOR_NOT_SUPPORTED("the connector is not Tomcat's NIO connector", Severity.EXPECTED),

	/** The TLS engine is not the JDK's own, for example Tomcat's OpenSSL engine. */
	ENGINE_NOT_SUPPORTED("the TLS engine is not the JDK's (JSSE)", Severity.EXPECTED),

	/**
	 * The connection negotiated a protocol that stays in userspace: TLS 1.1 or older, or TLS 1.2
	 * when {@code server.ktls.tls12} is {@code false}.
	 */
	PROTOCOL_NOT_OFFLOADED("the negotiated TLS version is not offloaded", Severity.EXPECTED),

	/**
	 * The negotiated cipher suite cannot be offloaded: not an AEAD with ECDHE (TLS 1.2), or a
	 * cipher this kernel lacks (ChaCha20-Poly1305 needs 5.11).
	 */
	CIPHER_NOT_SUPPORTED("the negotiated cipher suite cannot be offloaded", Severity.EXPECTED),

	/** The engine's traffic secrets or sequence numbers could not be read. */
	ENGINE_STATE_UNREADABLE("the TLS engine's record state could not be read", Severity.UNEXPECTED),

	/**
	 * The peer had already closed its side of the TCP connection when the handshake completed:
	 * the {@code tls} ULP attaches only to an established connection.
	 */
	CONNECTION_CLOSING("the peer had closed its side of the connection before the hand-off", Severity.EXPECTED),

	/** The kernel refused the ULP or the transmit key on a kernel whose probe succeeded. */
	KERNEL_REFUSED("the kernel refused the connection's key", Severity.UNEXPECTED),

	/** TX is in the kernel, but the receive key was refused: decryption stays in the engine. */
	RECEIVE_NOT_OFFLOADED("the kernel refused the receive key; decryption stays in userspace",
			Severity.UNEXPECTED);

	private final String description;

	private final Severity severity;

	FallbackReason(String description, Severity severity) {
		this.description = description;
		this.severity = severity;
	}

	/**
	 * Return a sentence that says what happened.
	 * @return the description
	 */
	public String getDescription() {
		return this.description;
	}

	/**
	 * Return whether this reason points at a fault (logged at WARN once) rather than at a
	 * property of the platform or the client (logged at DEBUG).
	 * @return whether the reason is unexpected
	 */
	public boolean isUnexpected() {
		return this.severity == Severity.UNEXPECTED;
	}

	private enum Severity {

		EXPECTED, UNEXPECTED

	}

}
