/**
 * Kernel TLS offload for embedded Tomcat: the per-server runtime, fallback reasons and statistics.
 */
package dev.ktls.boot;
