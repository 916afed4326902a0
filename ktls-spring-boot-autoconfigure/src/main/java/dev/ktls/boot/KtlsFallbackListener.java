package dev.ktls.boot;

/**
 * Receives every connection, or direction, that stays on userspace TLS. Register a bean of this
 * type to observe fallbacks; it is called on the connection's I/O thread, so it must be quick.
 */
@FunctionalInterface
public interface KtlsFallbackListener {

	/**
	 * Called once for each fallback.
	 * @param connection the connection
	 * @param reason why it stays in userspace
	 * @param cause the failure behind the reason, or {@code null} if there was none
	 */
	void onFallback(TlsConnectionInfo connection, FallbackReason reason, Throwable cause);

}
