/**
 * Health indicator that reports kernel TLS availability and what happened to connections.
 */
package dev.ktls.boot.health;
