package dev.ktls.boot.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The {@code tls12_crypto_info_*} structure handed to {@code setsockopt(SOL_TLS, TLS_TX/TLS_RX)}
 * ({@code include/uapi/linux/tls.h}). The header ({@code u16 version, u16 cipher_type}) is in
 * native byte order; {@code rec_seq} is big-endian. For TLS 1.3 AES-GCM the 12-byte IV is split
 * into a 4-byte {@code salt} and an 8-byte {@code iv}; ChaCha20-Poly1305 takes all 12 bytes as
 * {@code iv}.
 *
 * <pre>
 * AES-GCM-128:       version(2) cipher(2) iv[8]  key[16] salt[4] rec_seq[8]  = 40 bytes
 * AES-GCM-256:       version(2) cipher(2) iv[8]  key[32] salt[4] rec_seq[8]  = 56 bytes
 * CHACHA20-POLY1305: version(2) cipher(2) iv[12] key[32]         rec_seq[8]  = 56 bytes
 * </pre>
 *
 * The encoded bytes hold key material: {@link #close()} wipes them.
 */
public final class CryptoInfo implements AutoCloseable {

	/** {@code TLS_1_3_VERSION}. */
	static final int TLS_1_3_VERSION = 0x0304;

	/** {@code TLS_1_2_VERSION}. */
	static final int TLS_1_2_VERSION = 0x0303;

	private static final int SALT_LENGTH = 4;

	private static final int SEQUENCE_LENGTH = 8;

	private final TlsCipher cipher;

	private final byte[] bytes;

	private CryptoInfo(TlsCipher cipher, byte[] bytes) {
		this.cipher = cipher;
		this.bytes = bytes;
	}

	/**
	 * Encode a TLS 1.3 {@code crypto_info}.
	 * @param cipher the cipher
	 * @param key the traffic key ({@link TlsCipher#keyLength()} bytes)
	 * @param iv the 12-byte traffic IV
	 * @param recordSequence the sequence number of the next record
	 * @return the encoded structure
	 */
	public static CryptoInfo tls13(TlsCipher cipher, byte[] key, byte[] iv, long recordSequence) {
		if (key.length != cipher.keyLength() || iv.length != TlsCipher.IV_LENGTH) {
			throw new IllegalArgumentException("Key or IV length does not match " + cipher.suiteName());
		}
		ByteBuffer out = header(cipher, TLS_1_3_VERSION);
		if (cipher == TlsCipher.CHACHA20_POLY1305_SHA256) {
			out.put(iv).put(key);
		}
		else {
			out.put(iv, SALT_LENGTH, TlsCipher.IV_LENGTH - SALT_LENGTH).put(key).put(iv, 0, SALT_LENGTH);
		}
		out.putLong(recordSequence);
		return new CryptoInfo(cipher, out.array());
	}

	/**
	 * Encode a TLS 1.2 {@code crypto_info} (RFC 5288 for AES-GCM, RFC 7905 for
	 * ChaCha20-Poly1305).
	 * @param cipher the cipher
	 * @param key the write key
	 * @param iv for AES-GCM the 4-byte implicit salt ({@code fixed_iv}); for ChaCha20-Poly1305
	 * the 12-byte IV
	 * @param recordSequence the sequence number of the next record; for AES-GCM it is also the
	 * first explicit nonce the kernel sends, as JSSE does
	 * @return the encoded structure
	 */
	public static CryptoInfo tls12(TlsCipher cipher, byte[] key, byte[] iv, long recordSequence) {
		boolean chacha = cipher == TlsCipher.CHACHA20_POLY1305_SHA256;
		if (key.length != cipher.keyLength() || iv.length != (chacha ? TlsCipher.IV_LENGTH : SALT_LENGTH)) {
			throw new IllegalArgumentException("Key or IV length does not match " + cipher.suiteName());
		}
		ByteBuffer out = header(cipher, TLS_1_2_VERSION);
		if (chacha) {
			out.put(iv).put(key);
		}
		else {
			out.putLong(recordSequence).put(key).put(iv);
		}
		out.putLong(recordSequence);
		return new CryptoInfo(cipher, out.array());
	}

	private static ByteBuffer header(TlsCipher cipher, int version) {
		ByteBuffer out = ByteBuffer.allocate(sizeOf(cipher));
		out.order(ByteOrder.nativeOrder()).putShort((short) version).putShort((short) cipher.kernelCipherType());
		return out.order(ByteOrder.BIG_ENDIAN);
	}

	/**
	 * Return the size of the structure for a cipher; {@code setsockopt} and {@code getsockopt}
	 * reject any other length with {@code EINVAL}.
	 * @param cipher the cipher
	 * @return the size in bytes
	 */
	public static int sizeOf(TlsCipher cipher) {
		int ivLength = (cipher == TlsCipher.CHACHA20_POLY1305_SHA256) ? TlsCipher.IV_LENGTH
				: TlsCipher.IV_LENGTH - SALT_LENGTH;
		int saltLength = (cipher == TlsCipher.CHACHA20_POLY1305_SHA256) ? 0 : SALT_LENGTH;
		return 4 + ivLength + cipher.keyLength() + saltLength + SEQUENCE_LENGTH;
	}

	/**
	 * Read {@code rec_seq}, the sequence number of the next record, from an encoded structure
	 * such as the one {@code getsockopt(SOL_TLS, TLS_TX)} returns.
	 * @param cipher the cipher the structure was encoded for
	 * @param encoded the structure
	 * @return the record sequence number
	 */
	public static long recordSequence(TlsCipher cipher, byte[] encoded) {
		return ByteBuffer.wrap(encoded).getLong(sizeOf(cipher) - SEQUENCE_LENGTH);
	}

	public TlsCipher cipher() {
		return this.cipher;
	}

	byte[] bytes() {
		return this.bytes;
	}

	@Override
	public void close() {
		Arrays.fill(this.bytes, (byte) 0);
	}

}
