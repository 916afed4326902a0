package dev.ktls.boot.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CryptoInfoTests {

	@Test
	void sizesMatchTheKernelStructures() {
		assertThat(CryptoInfo.sizeOf(TlsCipher.AES_128_GCM_SHA256)).isEqualTo(40);
		assertThat(CryptoInfo.sizeOf(TlsCipher.AES_256_GCM_SHA384)).isEqualTo(56);
		assertThat(CryptoInfo.sizeOf(TlsCipher.CHACHA20_POLY1305_SHA256)).isEqualTo(56);
	}

	@Test
	void aesGcmSplitsTheIvIntoSaltAndExplicitPart() {
		byte[] key = filled(16, 0x10);
		byte[] iv = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
		try (CryptoInfo info = CryptoInfo.tls13(TlsCipher.AES_128_GCM_SHA256, key, iv, 0x0102030405060708L)) {
			ByteBuffer bytes = ByteBuffer.wrap(info.bytes()).order(ByteOrder.nativeOrder());
			assertThat(bytes.getShort(0)).isEqualTo((short) 0x0304);
			assertThat(bytes.getShort(2)).isEqualTo((short) 51);
			assertThat(Arrays.copyOfRange(info.bytes(), 4, 12)).containsExactly(5, 6, 7, 8, 9, 10, 11, 12);
			assertThat(Arrays.copyOfRange(info.bytes(), 12, 28)).isEqualTo(key);
			assertThat(Arrays.copyOfRange(info.bytes(), 28, 32)).containsExactly(1, 2, 3, 4);
			assertThat(CryptoInfo.recordSequence(TlsCipher.AES_128_GCM_SHA256, info.bytes()))
				.isEqualTo(0x0102030405060708L);
			assertThat(info.bytes()[32]).isEqualTo((byte) 1);
		}
	}

	@Test
	void chachaTakesTheWholeIv() {
		byte[] key = filled(32, 0x20);
		byte[] iv = filled(12, 0x0c);
		try (CryptoInfo info = CryptoInfo.tls13(TlsCipher.CHACHA20_POLY1305_SHA256, key, iv, 1)) {
			ByteBuffer bytes = ByteBuffer.wrap(info.bytes()).order(ByteOrder.nativeOrder());
			assertThat(bytes.getShort(2)).isEqualTo((short) 54);
			assertThat(Arrays.copyOfRange(info.bytes(), 4, 16)).isEqualTo(iv);
			assertThat(Arrays.copyOfRange(info.bytes(), 16, 48)).isEqualTo(key);
			assertThat(CryptoInfo.recordSequence(TlsCipher.CHACHA20_POLY1305_SHA256, info.bytes())).isEqualTo(1);
		}
	}

	@Test
	void closeWipesTheKeyMaterial() {
		CryptoInfo info = CryptoInfo.tls13(TlsCipher.AES_256_GCM_SHA384, filled(32, 0x7f), filled(12, 0x7f), 9);
		info.close();
		assertThat(info.bytes()).containsOnly(0);
	}

	private static byte[] filled(int length, int value) {
		byte[] bytes = new byte[length];
		Arrays.fill(bytes, (byte) value);
		return bytes;
	}

}
