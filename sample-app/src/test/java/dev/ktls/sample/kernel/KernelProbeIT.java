package dev.ktls.sample.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ktls.sample.SampleContent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The availability probe on kernels that offer less than the ones {@link KernelOffloadIT} uses:
 * 5.10 has no ChaCha20-Poly1305 in kernel TLS and no rekey, 6.12 no rekey. What the probe finds
 * must decide per connection: a suite the kernel lacks stays in userspace and is still served.
 */
class KernelProbeIT {

	private static final String CHACHA = "TLS_CHACHA20_POLY1305_SHA256";

	private static final List<String> AES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384");

	private static Path results;

	private static String expectedDownload;

	@BeforeAll
	static void runProbeScenarios() throws Exception {
		KernelHarness harness = new KernelHarness();
		harness.requireKernels(List.of("5.10", "6.12"));
		Path jdk = harness.requireJdk(17);
		byte[] content = new byte[512 * 1024];
		SampleContent.fill(0, content, content.length);
		expectedDownload = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
		results = harness.projectRoot().resolve("sample-app/target/kernel-tests");
		Path scenario = harness.projectRoot().resolve("sample-app/src/test/kernel/probe-scenario.sh");
		CompletableFuture<?>[] runs = List.of("5.10", "6.12").stream().map((kernel) -> CompletableFuture.runAsync(() -> {
			Path out = results.resolve("probe-kernel-" + kernel);
			try {
				KernelOffloadIT.recreate(out);
				KernelHarness.Result result = harness.runInKernel(kernel, Map.of("JAVA_HOME", jdk.toString()),
						List.of(scenario.toString(), out.toString()), 900);
				Files.writeString(out.resolve("guest.log"), "exit " + result.exitCode() + "\n" + result.output());
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		})).toArray(CompletableFuture[]::new);
		CompletableFuture.allOf(runs).get();
	}

	@Test
	void onLinux510ChaChaStaysInUserspaceAndAesGoesToTheKernel() throws IOException {
		Path out = completed("5.10");
		String health = read(out, "health.json");
		assertThat(health).contains("\"transmitCiphers\":[\"aes-128-gcm\",\"aes-256-gcm\"]",
				"\"receiveCiphers\":[\"aes-128-gcm\",\"aes-256-gcm\"]", "\"rekey\":false", "\"available\":true",
				"\"CIPHER_NOT_SUPPORTED\":");
		assertThat(read(out, "curl." + CHACHA + ".page")).contains("cipher: " + CHACHA, "transmit: userspace",
				"fallback: CIPHER_NOT_SUPPORTED");
		assertAesOffloadedAndEverythingServed(out);
	}

	@Test
	void onLinux612EverySuiteGoesToTheKernelWithoutRekey() throws IOException {
		Path out = completed("6.12");
		assertThat(read(out, "health.json")).contains(
				"\"transmitCiphers\":[\"aes-128-gcm\",\"aes-256-gcm\",\"chacha20-poly1305\"]", "\"rekey\":false",
				"\"fallbacks\":{}");
		assertThat(read(out, "curl." + CHACHA + ".page")).contains("transmit: kernel", "receive: kernel");
		assertAesOffloadedAndEverythingServed(out);
	}

	private static void assertAesOffloadedAndEverythingServed(Path out) throws IOException {
		for (String suite : AES) {
			assertThat(read(out, "curl." + suite + ".page")).contains("cipher: " + suite, "transmit: kernel",
					"receive: kernel");
		}
		for (String suite : List.of(AES.get(0), AES.get(1), CHACHA)) {
			assertThat(read(out, "curl." + suite + ".download").strip()).as(suite).isEqualTo(expectedDownload);
		}
		TlsStat before = TlsStat.read(out.resolve("tls_stat.before"));
		TlsStat after = TlsStat.read(out.resolve("tls_stat.after"));
		assertThat(after.delta(before, "TlsTxSw")).isGreaterThanOrEqualTo(4);
		assertThat(after.get("TlsDecryptError")).isZero();
	}

	private static Path completed(String kernel) throws IOException {
		Path out = results.resolve("probe-kernel-" + kernel);
		assertThat(out.resolve("done.txt")).as("scenario completed; see " + out.resolve("guest.log")).exists();
		assertThat(out.resolve("errors.txt")).doesNotExist();
		assertThat(read(out, "kernel.txt")).startsWith(kernel + ".");
		return out;
	}

	private static String read(Path out, String name) throws IOException {
		return Files.readString(out.resolve(name), StandardCharsets.UTF_8);
	}

}
