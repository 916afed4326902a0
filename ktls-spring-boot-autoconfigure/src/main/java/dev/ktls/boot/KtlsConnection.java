package dev.ktls.boot;

/**
 * The offload state of one open TLS connection, as {@link KernelTlsOffload#findConnection} finds
 * it for a request.
 */
public interface KtlsConnection {

	/**
	 * Return whether the kernel encrypts what this side sends.
	 * @return whether transmit is offloaded
	 */
	boolean isTransmitOffloaded();

	/**
	 * Return whether the kernel decrypts what the peer sends.
	 * @return whether receive is offloaded
	 */
	boolean isReceiveOffloaded();

	/**
	 * Return why the connection, or its receive direction, stays in userspace, or {@code null}.
	 * @return the reason or {@code null}
	 */
	FallbackReason getFallbackReason();

	/**
	 * Return the negotiated protocol and cipher suite.
	 * @return the connection's description
	 */
	TlsConnectionInfo getInfo();

}
