/**
 * TLS 1.3 key schedule pieces (RFC 8446 §7): HKDF-Expand-Label, traffic keys and their update.
 */
package dev.ktls.boot.tls;
