/**
 * Linux kernel TLS ({@code net/tls}): socket options, {@code crypto_info} layouts, control
 * records and the availability probe.
 */
package dev.ktls.boot.kernel;
