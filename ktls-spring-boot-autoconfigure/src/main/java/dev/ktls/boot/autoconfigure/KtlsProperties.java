package dev.ktls.boot.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of kernel TLS offload.
 */
@ConfigurationProperties("server.ktls")
public class KtlsProperties {

	/**
	 * Whether to move TLS record encryption of the embedded Tomcat's connector into the kernel
	 * after each handshake.
	 */
	private boolean enabled = true;

	/**
	 * Whether to move record decryption into the kernel too. Encryption always moves when
	 * offload is enabled.
	 */
	private boolean rx = false;

	/**
	 * Whether to offload TLS 1.2 connections too (ECDHE with AES-GCM or ChaCha20-Poly1305).
	 * When false they stay in userspace; TLS 1.3 is always offloaded.
	 */
	private boolean tls12 = true;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public boolean isRx() {
		return this.rx;
	}

	public void setRx(boolean rx) {
		this.rx = rx;
	}

	public boolean isTls12() {
		return this.tls12;
	}

	public void setTls12(boolean tls12) {
		this.tls12 = tls12;
	}

}
