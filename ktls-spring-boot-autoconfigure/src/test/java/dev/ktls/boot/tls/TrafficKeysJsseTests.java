package dev.ktls.boot.tls;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.ktls.boot.jdk.JdkInternals;
import dev.ktls.boot.jdk.TrafficState;
import dev.ktls.boot.kernel.TlsCipher;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves, without a kernel, that the secrets and sequence numbers read from a JSSE server engine
 * and the keys derived from them are the ones on the wire: records the client engine sent decrypt
 * with them, and records sealed with them are accepted by the client engine.
 */
class TrafficKeysJsseTests {

	@ParameterizedTest
	@EnumSource(TlsCipher.class)
	void keysFromTheServerEngineOpenWhatTheClientSent(TlsCipher cipher) throws Exception {
		EnginePair pair = EnginePair.handshake(cipher.suiteName());
		ByteBuffer record = pair.wrap(pair.client, "request from the client".getBytes(StandardCharsets.US_ASCII));
		try (TrafficState state = JdkInternals.captureTls13State(pair.server);
				TrafficKeys keys = TrafficKeys.derive(cipher, state.readSecret())) {
			assertThat(state.readSequence()).isZero();
			byte[] inner = open(cipher, keys, state.readSequence(), record);
			int type = inner.length - 1;
			while (inner[type] == 0) {
				type--;
			}
			assertThat(new String(inner, 0, type, StandardCharsets.US_ASCII)).isEqualTo("request from the client");
			assertThat(inner[type]).as("TLSInnerPlaintext content type").isEqualTo((byte) 23);
		}
	}

	@ParameterizedTest
	@EnumSource(TlsCipher.class)
	void keysFromTheServerEngineSealWhatTheClientAccepts(TlsCipher cipher) throws Exception {
		EnginePair pair = EnginePair.handshake(cipher.suiteName());
		try (TrafficState state = JdkInternals.captureTls13State(pair.server);
				TrafficKeys keys = TrafficKeys.derive(cipher, state.writeSecret())) {
			assertThat(state.writeSequence()).as("records sent after the handshake (session tickets)").isPositive();
			byte[] plaintext = "response sealed outside the engine".getBytes(StandardCharsets.US_ASCII);
			ByteBuffer record = seal(cipher, keys, state.writeSequence(), plaintext);
			assertThat(pair.unwrap(pair.client, record)).isEqualTo(plaintext);
		}
	}

	@ParameterizedTest
	@EnumSource(TlsCipher.class)
	void sequenceNumbersFollowTheRecordsTheEngineProcessed(TlsCipher cipher) throws Exception {
		EnginePair pair = EnginePair.handshake(cipher.suiteName());
		long writeBefore;
		try (TrafficState state = JdkInternals.captureTls13State(pair.server)) {
			writeBefore = state.writeSequence();
		}
		pair.unwrap(pair.server, pair.wrap(pair.client, new byte[] { 1 }));
		pair.unwrap(pair.server, pair.wrap(pair.client, new byte[] { 2 }));
		pair.unwrap(pair.client, pair.wrap(pair.server, new byte[] { 3 }));
		try (TrafficState state = JdkInternals.captureTls13State(pair.server)) {
			assertThat(state.readSequence()).isEqualTo(2);
			assertThat(state.writeSequence()).isEqualTo(writeBefore + 1);
		}
	}

	private static byte[] open(TlsCipher cipher, TrafficKeys keys, long sequence, ByteBuffer record)
			throws Exception {
		byte[] bytes = new byte[record.remaining()];
		record.get(bytes);
		Cipher aead = aead(cipher, Cipher.DECRYPT_MODE, keys, sequence);
		aead.updateAAD(bytes, 0, RecordLayer.HEADER_LENGTH);
		return aead.doFinal(bytes, RecordLayer.HEADER_LENGTH, bytes.length - RecordLayer.HEADER_LENGTH);
	}

	private static ByteBuffer seal(TlsCipher cipher, TrafficKeys keys, long sequence, byte[] plaintext)
			throws Exception {
		byte[] inner = Arrays.copyOf(plaintext, plaintext.length + 1);
		inner[plaintext.length] = 23;
		int length = inner.length + 16;
		byte[] header = { 23, 3, 3, (byte) (length >>> 8), (byte) length };
		Cipher aead = aead(cipher, Cipher.ENCRYPT_MODE, keys, sequence);
		aead.updateAAD(header);
		byte[] sealed = aead.doFinal(inner);
		return ByteBuffer.allocate(header.length + sealed.length).put(header).put(sealed).flip();
	}

	/** RFC 8446 §5.3: the nonce is the IV XORed with the sequence number, left-padded. */
	private static Cipher aead(TlsCipher cipher, int mode, TrafficKeys keys, long sequence) throws Exception {
		byte[] nonce = keys.iv().clone();
		for (int i = 0; i < 8; i++) {
			nonce[nonce.length - 1 - i] ^= (byte) (sequence >>> (8 * i));
		}
		boolean chacha = cipher == TlsCipher.CHACHA20_POLY1305_SHA256;
		Cipher aead = Cipher.getInstance(chacha ? "ChaCha20-Poly1305" : "AES/GCM/NoPadding");
		AlgorithmParameterSpec parameters = chacha ? new IvParameterSpec(nonce) : new GCMParameterSpec(128, nonce);
		aead.init(mode, new SecretKeySpec(keys.key(), chacha ? "ChaCha20" : "AES"), parameters);
		return aead;
	}

}
