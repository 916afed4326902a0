package dev.ktls.boot.tls;

import java.util.Arrays;

import dev.ktls.boot.kernel.CryptoInfo;
import dev.ktls.boot.kernel.TlsCipher;

/**
 * The write key and IV of one direction, derived from its traffic secret (RFC 8446 §7.3), and
 * the traffic secret's successor after a KeyUpdate (§7.2). Holds secret bytes: {@link #close()}
 * wipes them.
 */
public final class TrafficKeys implements AutoCloseable {

	private final TlsCipher cipher;

	private final byte[] key;

	private final byte[] iv;

	private TrafficKeys(TlsCipher cipher, byte[] key, byte[] iv) {
		this.cipher = cipher;
		this.key = key;
		this.iv = iv;
	}

	/**
	 * Derive key and IV: {@code HKDF-Expand-Label(secret, "key", "", key_length)} and
	 * {@code HKDF-Expand-Label(secret, "iv", "", 12)}.
	 * @param cipher the negotiated cipher
	 * @param trafficSecret the application traffic secret of the direction
	 * @return the keys
	 */
	public static TrafficKeys derive(TlsCipher cipher, byte[] trafficSecret) {
		Hkdf hkdf = Hkdf.forDigest(cipher.hashAlgorithm());
		checkSecretLength(hkdf, trafficSecret);
		byte[] key = hkdf.expandLabel(trafficSecret, "key", cipher.keyLength());
		byte[] iv = hkdf.expandLabel(trafficSecret, "iv", TlsCipher.IV_LENGTH);
		return new TrafficKeys(cipher, key, iv);
	}

	/**
	 * Compute the next application traffic secret:
	 * {@code HKDF-Expand-Label(secret, "traffic upd", "", Hash.length)}.
	 * @param cipher the negotiated cipher
	 * @param trafficSecret the current secret
	 * @return the next secret; the caller owns and wipes it
	 */
	public static byte[] nextSecret(TlsCipher cipher, byte[] trafficSecret) {
		Hkdf hkdf = Hkdf.forDigest(cipher.hashAlgorithm());
		checkSecretLength(hkdf, trafficSecret);
		return hkdf.expandLabel(trafficSecret, "traffic upd", hkdf.hashLength());
	}

	/**
	 * Encode the keys for the kernel.
	 * @param recordSequence the sequence number of the next record under these keys
	 * @return the {@code crypto_info}; the caller closes it
	 */
	public CryptoInfo toCryptoInfo(long recordSequence) {
		return CryptoInfo.tls13(this.cipher, this.key, this.iv, recordSequence);
	}

	byte[] key() {
		return this.key;
	}

	byte[] iv() {
		return this.iv;
	}

	@Override
	public void close() {
		Arrays.fill(this.key, (byte) 0);
		Arrays.fill(this.iv, (byte) 0);
	}

	private static void checkSecretLength(Hkdf hkdf, byte[] trafficSecret) {
		if (trafficSecret.length != hkdf.hashLength()) {
			throw new IllegalArgumentException("Traffic secret of " + trafficSecret.length
					+ " bytes does not match the suite's hash of " + hkdf.hashLength() + " bytes");
		}
	}

}
