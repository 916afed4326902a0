package dev.ktls.boot.tls;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import dev.ktls.boot.kernel.TlsCipher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class HkdfTests {

	private static final HexFormat HEX = HexFormat.of();

	@Test
	void expandMatchesRfc5869TestCase1() {
		byte[] prk = HEX.parseHex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
		byte[] info = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9");
		byte[] okm = Hkdf.forDigest("SHA-256").expand(prk, info, 42);
		assertThat(HEX.formatHex(okm)).isEqualTo(
				"3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
	}

	@Test
	void expandLabelDerivesRfc8448ServerApplicationKeys() {
		byte[] secret = HEX.parseHex("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643");
		try (TrafficKeys keys = TrafficKeys.derive(TlsCipher.AES_128_GCM_SHA256, secret)) {
			assertThat(HEX.formatHex(keys.key())).isEqualTo("9f02283b6c9c07efc26bb9f2ac92e356");
			assertThat(HEX.formatHex(keys.iv())).isEqualTo("cf782b88dd83549aadf1e984");
		}
	}

	@Test
	void hmacMatchesTheJdkForBothHashes() throws Exception {
		Random random = new Random(42);
		for (String[] algorithms : new String[][] { { "SHA-256", "HmacSHA256" }, { "SHA-384", "HmacSHA384" } }) {
			Hkdf hkdf = Hkdf.forDigest(algorithms[0]);
			for (int length : new int[] { 1, 12, 32, 48, 100 }) {
				byte[] prk = new byte[hkdf.hashLength()];
				random.nextBytes(prk);
				byte[] info = "tls13 info".getBytes(StandardCharsets.US_ASCII);
				assertThat(hkdf.expand(prk, info, length)).isEqualTo(jdkExpand(algorithms[1], prk, info, length));
			}
		}
	}

	@Test
	void nextSecretIsExpandLabelTrafficUpd() throws Exception {
		byte[] secret = new byte[48];
		new Random(7).nextBytes(secret);
		byte[] label = "tls13 traffic upd".getBytes(StandardCharsets.US_ASCII);
		byte[] info = new byte[3 + label.length + 1];
		info[1] = 48;
		info[2] = (byte) label.length;
		System.arraycopy(label, 0, info, 3, label.length);
		assertThat(TrafficKeys.nextSecret(TlsCipher.AES_256_GCM_SHA384, secret))
			.isEqualTo(jdkExpand("HmacSHA384", secret, info, 48));
	}

	@Test
	void secretOfTheWrongLengthIsRejected() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TrafficKeys.derive(TlsCipher.AES_256_GCM_SHA384, new byte[32]))
			.withMessageContaining("48");
	}

	private static byte[] jdkExpand(String macAlgorithm, byte[] prk, byte[] info, int length) throws Exception {
		Mac mac = Mac.getInstance(macAlgorithm);
		mac.init(new SecretKeySpec(prk, macAlgorithm));
		byte[] output = new byte[length];
		byte[] block = new byte[0];
		for (int offset = 0, counter = 1; offset < length; counter++) {
			mac.update(block);
			mac.update(info);
			mac.update((byte) counter);
			block = mac.doFinal();
			System.arraycopy(block, 0, output, offset, Math.min(block.length, length - offset));
			offset += block.length;
		}
		return output;
	}

}
