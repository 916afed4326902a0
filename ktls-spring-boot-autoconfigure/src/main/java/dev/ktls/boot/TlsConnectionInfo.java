package dev.ktls.boot;

/**
 * What is known of a connection when it falls back or is terminated.
 *
 * @param remoteAddress the peer's address, or {@code null} if unknown
 * @param protocol the negotiated protocol, such as {@code TLSv1.3}, or {@code null}
 * @param cipherSuite the negotiated cipher suite, or {@code null}
 */
public record TlsConnectionInfo(String remoteAddress, String protocol, String cipherSuite) {

}
