package dev.ktls.boot.tls;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ktls.boot.jdk.JdkInternals;
import dev.ktls.boot.jdk.Tls12KeyBlock;
import dev.ktls.boot.kernel.TlsCipher;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves, without a kernel, that the TLS 1.2 keys, implicit IVs and sequence numbers read from
 * a JSSE server engine are the ones on the wire (RFC 5288 for AES-GCM, RFC 7905 for
 * ChaCha20-Poly1305).
 */
class Tls12KeyBlockJsseTests {

	private static final String[] SUITES = { "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
			"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" };

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 2 })
	void keysFromTheServerEngineOpenWhatTheClientSent(int suite) throws Exception {
		EnginePair pair = EnginePair.handshake("TLSv1.2", SUITES[suite]);
		TlsCipher cipher = TlsCipher.forTls12Suite(SUITES[suite]);
		ByteBuffer record = pair.wrap(pair.client, "request from the client".getBytes(StandardCharsets.US_ASCII));
		try (Tls12KeyBlock keys = JdkInternals.captureTls12Keys(pair.server)) {
			assertThat(keys.readSequence()).as("the client's Finished was record 0").isOne();
			byte[] plaintext = open(cipher, keys.readKey(), keys.readIv(), keys.readSequence(), record);
			assertThat(new String(plaintext, StandardCharsets.US_ASCII)).isEqualTo("request from the client");
		}
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 2 })
	void keysFromTheServerEngineSealWhatTheClientAccepts(int suite) throws Exception {
		EnginePair pair = EnginePair.handshake("TLSv1.2", SUITES[suite]);
		TlsCipher cipher = TlsCipher.forTls12Suite(SUITES[suite]);
		try (Tls12KeyBlock keys = JdkInternals.captureTls12Keys(pair.server)) {
			assertThat(keys.writeSequence()).isOne();
			byte[] plaintext = "response sealed outside the engine".getBytes(StandardCharsets.US_ASCII);
			ByteBuffer record = seal(cipher, keys.writeKey(), keys.writeIv(), keys.writeSequence(), plaintext);
			assertThat(pair.unwrap(pair.client, record)).isEqualTo(plaintext);
		}
	}

	private static byte[] open(TlsCipher cipher, byte[] key, byte[] iv, long sequence, ByteBuffer record)
			throws Exception {
		byte[] bytes = new byte[record.remaining()];
		record.get(bytes);
		boolean chacha = cipher == TlsCipher.CHACHA20_POLY1305_SHA256;
		int explicitNonce = chacha ? 0 : 8;
		int ciphertext = bytes.length - RecordLayer.HEADER_LENGTH - explicitNonce;
		Cipher aead = aead(cipher, Cipher.DECRYPT_MODE, key, nonce(cipher, iv, sequence, bytes));
		aead.updateAAD(additionalData(sequence, bytes[0], ciphertext - 16));
		return aead.doFinal(bytes, RecordLayer.HEADER_LENGTH + explicitNonce, ciphertext);
	}

	private static ByteBuffer seal(TlsCipher cipher, byte[] key, byte[] iv, long sequence, byte[] plaintext)
			throws Exception {
		boolean chacha = cipher == TlsCipher.CHACHA20_POLY1305_SHA256;
		int explicitNonce = chacha ? 0 : 8;
		int length = explicitNonce + plaintext.length + 16;
		ByteBuffer record = ByteBuffer.allocate(RecordLayer.HEADER_LENGTH + length);
		record.put((byte) 23).putShort((short) 0x0303).putShort((short) length);
		if (!chacha) {
			record.putLong(sequence);
		}
		Cipher aead = aead(cipher, Cipher.ENCRYPT_MODE, key, nonce(cipher, iv, sequence, record.array()));
		aead.updateAAD(additionalData(sequence, (byte) 23, plaintext.length));
		return record.put(aead.doFinal(plaintext)).flip();
	}

	/** GCM: salt || explicit nonce from the record; ChaCha20: IV XOR the sequence number. */
	private static byte[] nonce(TlsCipher cipher, byte[] iv, long sequence, byte[] record) {
		byte[] nonce = new byte[12];
		if (cipher == TlsCipher.CHACHA20_POLY1305_SHA256) {
			System.arraycopy(iv, 0, nonce, 0, 12);
			for (int i = 0; i < 8; i++) {
				nonce[11 - i] ^= (byte) (sequence >>> (8 * i));
			}
		}
		else {
			System.arraycopy(iv, 0, nonce, 0, 4);
			System.arraycopy(record, RecordLayer.HEADER_LENGTH, nonce, 4, 8);
		}
		return nonce;
	}

	/** seq_num || type || version || length of the plaintext (RFC 5246 §6.2.3.3). */
	private static byte[] additionalData(long sequence, byte type, int length) {
		return ByteBuffer.allocate(13).putLong(sequence).put(type).putShort((short) 0x0303)
			.putShort((short) length).array();
	}

	private static Cipher aead(TlsCipher cipher, int mode, byte[] key, byte[] nonce) throws Exception {
		boolean chacha = cipher == TlsCipher.CHACHA20_POLY1305_SHA256;
		Cipher aead = Cipher.getInstance(chacha ? "ChaCha20-Poly1305" : "AES/GCM/NoPadding");
		aead.init(mode, new SecretKeySpec(key, chacha ? "ChaCha20" : "AES"),
				chacha ? new IvParameterSpec(nonce) : new GCMParameterSpec(128, nonce));
		return aead;
	}

}
