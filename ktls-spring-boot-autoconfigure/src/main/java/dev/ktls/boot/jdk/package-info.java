/**
 * Access to JDK internals: JSSE's record-layer state and a socket channel's descriptor.
 */
package dev.ktls.boot.jdk;
