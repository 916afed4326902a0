/**
 * Tomcat NIO extension: a protocol, endpoint and secure channel that hand TLS records to the
 * kernel after the JSSE handshake.
 */
package dev.ktls.boot.tomcat;
