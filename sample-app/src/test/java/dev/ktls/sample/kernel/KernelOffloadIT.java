package dev.ktls.sample.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.ktls.sample.SampleContent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app inside real kernels (6.1: no rekey; 7.x: rekey) on JDK 17 and 25, driven by
 * curl, openssl s_client, Python's {@code ssl} and the JDK's HttpClient, with the receive
 * direction offloaded (port 8443) and left to the engine (port 8444). What the kernel itself
 * reports ({@code /proc/net/tls_stat}, {@code ss -tie}) is asserted, not only what the
 * library says.
 */
class KernelOffloadIT {

	static final List<String> KERNELS = List.of(System.getProperty("ktls.kernel-tests.kernels", "6.1,7").split(","));

	static final List<Integer> JDKS = Stream.of(System.getProperty("ktls.kernel-tests.jdks", "17,25").split(","))
		.map(Integer::valueOf)
		.toList();

	static final int RX_PORT = 8443;

	static final int TX_PORT = 8444;

	static final int MTLS_PORT = 8445;

	static final int REFUSING_PORT = 8446;

	static final int SAME_FLIGHT_CONNECTIONS = 200;

	static final String[] SUITES = { "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
			"TLS_CHACHA20_POLY1305_SHA256" };

	/** OpenSSL's names of the TLS 1.2 suites curl offers, and JSSE's names for them. */
	static final Map<String, String> TLS12_SUITES = Map.of("ECDHE-ECDSA-AES128-GCM-SHA256",
			"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
			"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305",
			"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");

	static final int BODY_SIZE = 512 * 1024;

	private static final Map<String, Path> runs = new LinkedHashMap<>();

	private static String expectedDownload;

	private static String expectedUpload;

	@BeforeAll
	static void runScenarioInEveryKernelAndJdk() throws Exception {
		KernelHarness harness = new KernelHarness();
		harness.requireKernels(KERNELS);
		Map<Integer, Path> jdks = new LinkedHashMap<>();
		for (int jdk : JDKS) {
			jdks.put(jdk, harness.requireJdk(jdk));
		}
		Path results = harness.projectRoot().resolve("sample-app/target/kernel-tests");
		byte[] upload = new byte[BODY_SIZE];
		new Random(42).nextBytes(upload);
		expectedUpload = sha256(upload);
		byte[] content = new byte[BODY_SIZE];
		SampleContent.fill(0, content, BODY_SIZE);
		expectedDownload = sha256(content);
		String python = pythonExecutable();
		// Each guest has one CPU: two at a time use both of the machine's cores
		ExecutorService guests = Executors.newFixedThreadPool(2);
		try {
			List<Future<?>> pending = new ArrayList<>();
			for (String kernel : KERNELS) {
				for (Map.Entry<Integer, Path> jdk : jdks.entrySet()) {
					Path out = results.resolve(key(kernel, jdk.getKey()));
					recreate(out);
					Files.write(out.resolve("upload.bin"), upload);
					runs.put(key(kernel, jdk.getKey()), out);
					pending.add(guests.submit(() -> runGuest(harness, kernel, jdk.getValue(), python, out)));
				}
			}
			for (Future<?> future : pending) {
				future.get();
			}
		}
		finally {
			guests.shutdownNow();
		}
	}

	static Stream<Arguments> matrix() {
		return KERNELS.stream().flatMap((kernel) -> JDKS.stream().map((jdk) -> Arguments.of(kernel, jdk)));
	}

	@ParameterizedTest(name = "kernel {0}, JDK {1}")
	@MethodSource("matrix")
	void everySuiteIsServedByteExactThroughTheKernel(String kernel, int jdk) throws IOException {
		Path out = completedRun(kernel, jdk);
		for (int port : new int[] { RX_PORT, TX_PORT }) {
			for (String suite : SUITES) {
				String page = read(out, "curl." + port + "." + suite + ".page");
				assertThat(page).contains("cipher: " + suite, "protocol: TLSv1.3", "secure: true",
						"transmit: kernel", "receive: " + receiveAt(port));
				assertTransfersWereByteExact(out, port, suite);
			}
			for (Map.Entry<String, String> suite : TLS12_SUITES.entrySet()) {
				String page = read(out, "curl." + port + "." + suite.getKey() + ".page");
				assertThat(page).contains("cipher: " + suite.getValue(), "protocol: TLSv1.2", "transmit: kernel",
						"receive: " + receiveAt(port));
				assertTransfersWereByteExact(out, port, suite.getKey());
			}
			assertThat(read(out, "curl." + port + ".h2.page")).contains("http: HTTP/2.0", "transmit: kernel",
					"receive: " + receiveAt(port));
			assertThat(read(out, "curl." + port + ".h2.upload").strip()).isEqualTo(expectedUpload);
		}
	}

	@ParameterizedTest(name = "kernel {0}, JDK {1}")
	@MethodSource("matrix")
	void opensslAndTheJdkClientAreServedThroughTheKernel(String kernel, int jdk) throws IOException {
		Path out = completedRun(kernel, jdk);
		for (int port : new int[] { RX_PORT, TX_PORT }) {
			assertThat(read(out, "openssl." + port + ".page")).contains("HTTP/1.1 200", "transmit: kernel",
					"receive: " + receiveAt(port));
			assertThat(read(out, "jdk." + port + ".txt")).contains("h2.page.http=HTTP/2.0",
					"h2.page.transmit=kernel", "h2.page.receive=" + receiveAt(port), "h2.download=ok", "h2.upload=ok",
					"h2.concurrent=ok",
					"h1.page.http=HTTP/1.1", "h1.page.transmit=kernel", "h1.download=ok", "h1.upload=ok");
		}
	}

	@ParameterizedTest(name = "kernel {0}, JDK {1}")
	@MethodSource("matrix")
	void concurrentHttp2StreamsCarryLargeBodiesBothWays(String kernel, int jdk) throws Exception {
		Path out = completedRun(kernel, jdk);
		for (int port : new int[] { RX_PORT, TX_PORT }) {
			for (int i = 1; i <= 8; i++) {
				assertThat(read(out, "h2parallel." + port + ".up." + i).strip()).as("upload " + i + " on " + port)
					.isEqualTo(expectedUpload);
				assertThat(sha256(Files.readAllBytes(out.resolve("h2parallel." + port + ".down." + i))))
					.as("download " + i + " on " + port)
					.isEqualTo(expectedDownload);
			}
		}
	}

	@ParameterizedTest(name = "kernel {0}, JDK {1}")
	@MethodSource("matrix")
	void aBodyCutByFinWithoutCloseNotifyIsAnErrorNotAnEndOfBody(String kernel, int jdk) throws IOException {
		Path out = completedRun(kernel, jdk);
		for (int port : new int[] { RX_PORT, TX_PORT }) {
			String result = read(out, "truncated." + port + ".json");
			assertThat(result).as("truncated upload on " + port).contains("\"hashOfPartialBody\": false")
				.doesNotContain("HTTP/1.1 200");
		}
	}

	@ParameterizedTest(name = "kernel {0}, JDK {1}")
	@MethodSource("matrix")
	void requestsSentWithFinishedAreDeliveredBeforeReceiveMovesToTheKernel(String kernel, int jdk)
			throws IOException {
		Path out = completedRun(kernel, jdk);
		String summary = read(out, "python." + RX_PORT + ".json");
		assertThat(summary).contains("\"connections\": " + SAME_FLIGHT_CONNECTIONS,
				"\"ok\": " + SAME_FLIGHT_CONNECTIONS, "\"sameFlight\": " + SAME_FLIGHT_CONNECTIONS,
				"\"offloaded\": " + SAME_FLIGHT_CONNECTIONS, "\"closeNotify\": " + SAME_FLIGHT_CONNECTIONS,
				"\"failures\": []");
		String health = read(out, "health." + RX_PORT + ".json");
		long buffered = jsonNumber(health, "receiveAfterBufferedRecords");
		assertThat(buffered).as("connections whose first records were decrypted by the engine before RX was armed")
			.isGreaterThanOrEqualTo(SAME_FLIGHT_CONNECTIONS / 2);
	}

	@ParameterizedTest(name = "kernel {0}, JDK {1}")
	@MethodSource("matrix")
	void kernelCountersShowEveryConnectionOffloaded(String kernel, int jdk) throws IOException {
		Path out = completedRun(kernel, jdk);
		TlsStat before = TlsStat.read(out.resolve("tls_stat.before"));
		TlsStat after = TlsStat.read(out.resolve("tls_stat.end"));
		long rxConnections = jsonNumber(read(out, "health." + RX_PORT + ".json"), "receive");
		long txConnections = jsonNumber(read(out, "health." + RX_PORT + ".json"), "transmit")
				+ jsonNumber(read(out, "health." + TX_PORT + ".json"), "transmit");
		assertThat(rxConnections).isGreaterThanOrEqualTo(SAME_FLIGHT_CONNECTIONS + 10);
		assertThat(after.delta(before, "TlsTxSw")).isGreaterThanOrEqualTo(txConnections - 2);
		assertThat(after.delta(before, "TlsRxSw")).isGreaterThanOrEqualTo(rxConnections - 1);
		assertThat(after.get("TlsDecryptError")).isZero();
		assertThat(jsonNumber(read(out, "health." + TX_PORT + ".json"), "receive")).isZero();
	}

	@ParameterizedTest(name = "kernel {0}, JDK {1}")
	@MethodSource("matrix")
	void keyUpdateIsFollowedWhereTheKernelCanRekeyAndClosesCleanlyElsewhere(String kernel, int jdk)
			throws IOException {
		Path out = completedRun(kernel, jdk);
		boolean rekey = kernel.startsWith("7");
		TlsStat before = TlsStat.read(out.resolve("tls_stat.after"));
		TlsStat end = TlsStat.read(out.resolve("tls_stat.keyupdates"));
		if (rekey) {
			for (int port : new int[] { RX_PORT, TX_PORT }) {
				assertThat(responses(read(out, "keyupdate." + port + ".k.txt"))).as("k on " + port).isEqualTo(2);
				assertThat(responses(read(out, "keyupdate." + port + ".K.txt"))).as("K on " + port).isEqualTo(2);
				assertThat(read(out, "health." + port + ".json")).doesNotContain("KEY_UPDATE_NOT_SUPPORTED");
			}
			// k and K each move the receive key; K also the transmit key, on both ports
			assertThat(end.delta(before, "TlsRxRekeyOk")).isEqualTo(2);
			assertThat(end.delta(before, "TlsTxRekeyOk")).isEqualTo(2);
			assertThat(read(out, "health." + RX_PORT + ".json")).contains("\"keyUpdates\":{\"receive\":2,\"transmit\":1}");
			assertThat(read(out, "health." + TX_PORT + ".json")).contains("\"keyUpdates\":{\"receive\":0,\"transmit\":1}");
		}
		else {
			// Receive in the kernel: any KeyUpdate from the client needs the kernel's receive key
			assertThat(responses(read(out, "keyupdate." + RX_PORT + ".k.txt"))).isOne();
			assertThat(responses(read(out, "keyupdate." + RX_PORT + ".K.txt"))).isOne();
			assertThat(read(out, "health." + RX_PORT + ".json")).contains("\"KEY_UPDATE_NOT_SUPPORTED\":2");
			// Receive in the engine: it follows the update, unless the client asks for ours too
			assertThat(responses(read(out, "keyupdate." + TX_PORT + ".k.txt"))).isEqualTo(2);
			assertThat(responses(read(out, "keyupdate." + TX_PORT + ".K.txt"))).isOne();
			assertThat(read(out, "health." + TX_PORT + ".json")).contains("\"KEY_UPDATE_NOT_SUPPORTED\":1");
		}
		for (int port : new int[] { RX_PORT, TX_PORT }) {
			assertThat(read(out, "health." + port + ".json")).as("no KeyUpdate is taken for a bad record")
				.doesNotContain("BAD_RECORD");
		}
		for (String file : new String[] { "keyupdate." + RX_PORT + ".k.txt", "keyupdate." + RX_PORT + ".K.txt",
				"keyupdate." + TX_PORT + ".k.txt", "keyupdate." + TX_PORT + ".K.txt" }) {
			assertThat(read(out, file)).doesNotContainIgnoringCase("bad record mac").doesNotContain("decrypt");
		}
		assertThat(end.get("TlsDecryptError")).isZero();
	}

	@ParameterizedTest(name = "kernel {0}, JDK {1}")
	@MethodSource("matrix")
	void clientCertificatesReachTheRequestOnOffloadedConnections(String kernel, int jdk) throws IOException {
		Path out = completedRun(kernel, jdk);
		assertThat(read(out, "mtls.cert.page")).contains("peer: CN=kernel-test-client", "transmit: kernel",
				"receive: kernel", "protocol: TLSv1.3");
		assertThat(read(out, "mtls.nocert.page")).contains("peer: none", "transmit: kernel", "receive: kernel");
		// The client's Certificate, CertificateVerify, Finished and request leave in one write
		assertThat(read(out, "python." + MTLS_PORT + ".json")).contains("\"connections\": 50", "\"ok\": 50",
				"\"sameFlight\": 50", "\"offloaded\": 50", "\"peerCertificate\": 50", "\"failures\": []");
	}

	@ParameterizedTest(name = "kernel {0}, JDK {1}")
	@MethodSource("matrix")
	void transmitKeyIsReplacedAtItsUsageLimitOrTheConnectionEndsCleanly(String kernel, int jdk)
			throws IOException {
		Path out = completedRun(kernel, jdk);
		byte[] body = Files.readAllBytes(out.resolve("limit.download"));
		for (int i = 0; i < body.length; i++) {
			if (body[i] != SampleContent.byteAt(i)) {
				throw new AssertionError("Byte " + i + " of the download is wrong");
			}
		}
		String health = read(out, "health." + MTLS_PORT + ".json");
		TlsStat before = TlsStat.read(out.resolve("tls_stat.keyupdates"));
		TlsStat end = TlsStat.read(out.resolve("tls_stat.end"));
		if (kernel.startsWith("7")) {
			assertThat(body).hasSize(2 * 1024 * 1024);
			assertThat(read(out, "limit.curl-exit").strip()).isEqualTo("0");
			assertThat(health).doesNotContain("KEY_USAGE_LIMIT");
			Matcher updates = Pattern
				.compile("\"keyUpdates\":\\{\"receive\":0,\"transmit\":(\\d+)}")
				.matcher(health);
			assertThat(updates.find()).as("keyUpdates in " + health).isTrue();
			long transmitUpdates = Long.parseLong(updates.group(1));
			// Over 128 records in at most 100 per key: one KeyUpdate or more, each seen by the kernel
			assertThat(transmitUpdates).isPositive();
			assertThat(end.delta(before, "TlsTxRekeyOk")).isEqualTo(transmitUpdates);
		}
		else {
			assertThat(body.length).as("bytes before the limit closed the connection")
				.isBetween(100 * 1024, 2 * 1024 * 1024 - 1);
			assertThat(read(out, "limit.curl-exit").strip()).isNotEqualTo("0");
			assertThat(health).contains("\"KEY_USAGE_LIMIT\":1");
		}
		assertThat(end.get("TlsDecryptError")).isZero();
	}

	@ParameterizedTest(name = "kernel {0}, JDK {1}")
	@MethodSource("matrix")
	void whenTheKernelRefusesTheReceiveKeyThenDecryptionStaysInTheEngine(String kernel, int jdk)
			throws IOException {
		Path out = completedRun(kernel, jdk);
		assertThat(read(out, "curl." + REFUSING_PORT + ".refused.page")).contains("transmit: kernel",
				"receive: userspace", "fallback: RECEIVE_NOT_OFFLOADED");
		assertTransfersWereByteExact(out, REFUSING_PORT, "refused");
		String health = read(out, "health." + REFUSING_PORT + ".json");
		assertThat(health).contains("\"receive\":0", "\"RECEIVE_NOT_OFFLOADED\":");
		assertThat(jsonNumber(health, "transmit")).isPositive();
	}

	@ParameterizedTest(name = "kernel {0}, JDK {1}")
	@MethodSource("matrix")
	void tls12RenegotiationIsRefusedAndClosesOnlyThatConnection(String kernel, int jdk) throws IOException {
		Path out = completedRun(kernel, jdk);
		for (int port : new int[] { RX_PORT, TX_PORT }) {
			String output = read(out, "renegotiate." + port + ".txt");
			assertThat(output).contains("Protocol  : TLSv1.2", "RENEGOTIATING");
			assertThat(responses(output)).as("responses before and after R on " + port).isOne();
			assertThat(read(out, "health." + port + ".json")).contains("\"RENEGOTIATION_REFUSED\":1");
		}
	}

	@ParameterizedTest(name = "kernel {0}, JDK {1}")
	@MethodSource("matrix")
	void socketsCarryTheTlsUlpAndHealthReportsTheKernel(String kernel, int jdk) throws IOException {
		Path out = completedRun(kernel, jdk);
		assertThat(read(out, "ss." + RX_PORT + ".txt")).contains("tcp-ulp-tls");
		assertThat(read(out, "ss." + TX_PORT + ".txt")).contains("tcp-ulp-tls");
		String health = read(out, "health." + RX_PORT + ".json");
		assertThat(health).contains("\"status\":\"UP\"", "\"available\":true", "\"rx\":true",
				"\"rekey\":" + kernel.startsWith("7"),
				"\"transmitCiphers\":[\"aes-128-gcm\",\"aes-256-gcm\",\"chacha20-poly1305\"]");
		assertThat(read(out, "health." + TX_PORT + ".json")).contains("\"rx\":false");
		for (int port : new int[] { RX_PORT, TX_PORT }) {
			// The truncated upload half-closes right behind its request: when the FIN is there before
			// the hand-off, the kernel refuses the ULP and that connection stays in userspace
			assertThat(fallbacks(read(out, "health." + port + ".json"))).as("fallbacks on " + port)
				.matches("(\"CONNECTION_CLOSING\":1)?");
		}
		assertThat(read(out, "java.txt")).contains("version \"" + jdk);
	}

	private static void runGuest(KernelHarness harness, String kernel, Path jdk, String python, Path out) {
		Path scenario = harness.projectRoot().resolve("sample-app/src/test/kernel/guest-scenario.sh");
		KernelHarness.Result result = harness.runInKernel(kernel,
				Map.of("JAVA_HOME", jdk.toString(), "PYTHON", python, "KTLS_UML_PASS_ENV", "PYTHON"),
				List.of(scenario.toString(), out.toString()), 1200);
		try {
			Files.writeString(out.resolve("guest.log"), "exit " + result.exitCode() + "\n" + result.output());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Path completedRun(String kernel, int jdk) throws IOException {
		Path out = runs.get(key(kernel, jdk));
		assertThat(out.resolve("done.txt")).as("scenario completed; see " + out.resolve("guest.log")).exists();
		assertThat(out.resolve("errors.txt")).doesNotExist();
		assertThat(read(out, "kernel.txt")).startsWith(kernel + ".");
		return out;
	}

	private static void assertTransfersWereByteExact(Path out, int port, String client) throws IOException {
		assertThat(read(out, "curl." + port + "." + client + ".download").strip()).as("512 KiB down, " + client)
			.isEqualTo(expectedDownload);
		assertThat(read(out, "curl." + port + "." + client + ".upload").strip()).as("512 KiB up, " + client)
			.isEqualTo(expectedUpload);
	}

	private static String fallbacks(String health) {
		Matcher fallbacks = Pattern.compile("\"fallbacks\":\\{([^}]*)}").matcher(health);
		assertThat(fallbacks.find()).as("fallbacks in " + health).isTrue();
		return fallbacks.group(1);
	}

	private static int responses(String output) {
		return output.split("HTTP/1.1 200", -1).length - 1;
	}

	private static String receiveAt(int port) {
		return (port == RX_PORT) ? "kernel" : "userspace";
	}

	private static long jsonNumber(String json, String name) {
		int at = json.indexOf("\"" + name + "\":");
		assertThat(at).as(name + " in " + json).isNotNegative();
		int start = at + name.length() + 3;
		int end = start;
		while (end < json.length() && Character.isDigit(json.charAt(end))) {
			end++;
		}
		return Long.parseLong(json.substring(start, end));
	}

	private static String read(Path out, String name) throws IOException {
		Path file = out.resolve(name);
		assertThat(file).as("output of the scenario in " + out).exists();
		return Files.readString(file, StandardCharsets.UTF_8);
	}

	private static String key(String kernel, int jdk) {
		return "kernel-" + kernel + "-jdk-" + jdk;
	}

	static void recreate(Path dir) throws IOException {
		if (Files.exists(dir)) {
			try (Stream<Path> files = Files.walk(dir)) {
				for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
					Files.delete(file);
				}
			}
		}
		Files.createDirectories(dir);
	}

	private static String sha256(byte[] bytes) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
	}

	private static String pythonExecutable() throws Exception {
		Process process = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)")
			.redirectErrorStream(true).start();
		String path = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
		return (process.waitFor() == 0 && !path.isEmpty()) ? path : "python3";
	}

}
