/**
 * Auto-configuration of kernel TLS offload for Spring Boot's embedded Tomcat.
 */
package dev.ktls.boot.autoconfigure;
