package dev.ktls.boot.kernel;

import java.util.Locale;

/**
 * The TLS 1.3 cipher suites (RFC 8446 §B.4) and the {@code crypto_info} variant the kernel
 * takes for each ({@code include/uapi/linux/tls.h}).
 */
public enum TlsCipher {

	/** {@code TLS_AES_128_GCM_SHA256}: {@code TLS_CIPHER_AES_GCM_128} (51), since Linux 4.13. */
	AES_128_GCM_SHA256("TLS_AES_128_GCM_SHA256", 51, 16, "SHA-256"),

	/** {@code TLS_AES_256_GCM_SHA384}: {@code TLS_CIPHER_AES_GCM_256} (52), since Linux 5.1. */
	AES_256_GCM_SHA384("TLS_AES_256_GCM_SHA384", 52, 32, "SHA-384"),

	/** {@code TLS_CHACHA20_POLY1305_SHA256}: {@code TLS_CIPHER_CHACHA20_POLY1305} (54), since 5.11. */
	CHACHA20_POLY1305_SHA256("TLS_CHACHA20_POLY1305_SHA256", 54, 32, "SHA-256");

	/** Length of the per-record nonce base (RFC 8446 §5.3), the same for all three suites. */
	public static final int IV_LENGTH = 12;

	private final String suiteName;

	private final int kernelCipherType;

	private final int keyLength;

	private final String hashAlgorithm;

	TlsCipher(String suiteName, int kernelCipherType, int keyLength, String hashAlgorithm) {
		this.suiteName = suiteName;
		this.kernelCipherType = kernelCipherType;
		this.keyLength = keyLength;
		this.hashAlgorithm = hashAlgorithm;
	}

	/**
	 * Return the cipher for a JSSE cipher suite name, or {@code null} if it is not a TLS 1.3
	 * suite the kernel knows.
	 * @param suiteName the name as {@code SSLSession.getCipherSuite()} reports it
	 * @return the cipher or {@code null}
	 */
	public static TlsCipher forSuite(String suiteName) {
		for (TlsCipher cipher : values()) {
			if (cipher.suiteName.equals(suiteName)) {
				return cipher;
			}
		}
		return null;
	}

	/**
	 * Return the cipher for a TLS 1.2 cipher suite with ephemeral ECDH key exchange and one of
	 * the AEADs the kernel knows, or {@code null} for any other suite.
	 * @param suiteName the name as {@code SSLSession.getCipherSuite()} reports it, such as
	 * {@code TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
	 * @return the cipher or {@code null}
	 */
	public static TlsCipher forTls12Suite(String suiteName) {
		if (suiteName == null || !suiteName.startsWith("TLS_ECDHE_")) {
			return null;
		}
		if (suiteName.endsWith("_WITH_AES_128_GCM_SHA256")) {
			return AES_128_GCM_SHA256;
		}
		if (suiteName.endsWith("_WITH_AES_256_GCM_SHA384")) {
			return AES_256_GCM_SHA384;
		}
		if (suiteName.endsWith("_WITH_CHACHA20_POLY1305_SHA256")) {
			return CHACHA20_POLY1305_SHA256;
		}
		return null;
	}

	public String suiteName() {
		return this.suiteName;
	}

	int kernelCipherType() {
		return this.kernelCipherType;
	}

	public int keyLength() {
		return this.keyLength;
	}

	/**
	 * Return the hash of the suite, which HKDF uses.
	 * @return a {@code MessageDigest} algorithm name
	 */
	public String hashAlgorithm() {
		return this.hashAlgorithm;
	}

	/**
	 * Return the suite name in the short form used by the health details, such as
	 * {@code aes-128-gcm}.
	 * @return the short name
	 */
	public String shortName() {
		String name = name().substring(0, name().lastIndexOf('_'));
		return name.toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
