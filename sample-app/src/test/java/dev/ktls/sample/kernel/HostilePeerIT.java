package dev.ktls.sample.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hostile peer ({@link HostileClient}) against the sample app inside real kernels (6.1: no
 * rekey; 7.x: rekey) on JDK 17, with the receive direction offloaded (port 8443: the kernel
 * decrypts and reports bad records) and left to the engine (port 8444). Asserts what a
 * production TLS 1.3 server should do (RFC 8446): close only the offending connection, with the
 * matching alert where one can still be sent, never answer a request carried by a bad record,
 * never hang, keep serving everybody else and stay alive; accept what the protocol allows
 * (zero-length application data, KeyUpdate where the kernel can rekey). What the kernel counted
 * ({@code /proc/net/tls_stat}) and what the library counted (health {@code terminations}) are
 * asserted too.
 */
class HostilePeerIT {

	static final List<String> KERNELS = List.of(System.getProperty("ktls.kernel-tests.kernels", "6.1,7").split(","));

	static final int JDK = 17;

	static final int RX_PORT = 8443;

	static final int TX_PORT = 8444;

	/** KeyUpdates per keyupdateflood connection (HostileClient's default). */
	static final int FLOOD = 500;

	/** Any fatal alert that names a malformed record header; none of them is close_notify. */
	static final Set<String> BAD_HEADER_ALERTS = Set.of("decode_error", "protocol_version", "illegal_parameter",
			"bad_record_mac");

	private static final Map<String, Path> runs = new LinkedHashMap<>();

	@BeforeAll
	static void runScenarioInEveryKernel() throws Exception {
		KernelHarness harness = new KernelHarness();
		harness.requireKernels(KERNELS);
		Path jdk = harness.requireJdk(JDK);
		Path results = harness.projectRoot().resolve("sample-app/target/hostile-tests");
		// Each guest has one CPU: two at a time use both of the machine's cores
		ExecutorService guests = Executors.newFixedThreadPool(2);
		try {
			List<Future<?>> pending = new ArrayList<>();
			for (String kernel : KERNELS) {
				Path out = results.resolve("kernel-" + kernel + "-jdk-" + JDK);
				recreate(out);
				runs.put(kernel, out);
				pending.add(guests.submit(() -> runGuest(harness, kernel, jdk, out)));
			}
			for (Future<?> future : pending) {
				future.get();
			}
		}
		finally {
			guests.shutdownNow();
		}
	}

	static Stream<Arguments> everyCase() {
		return KERNELS.stream()
			.flatMap((kernel) -> Stream.of(RX_PORT, TX_PORT)
				.flatMap((port) -> HostileClient.CASES.stream().map((name) -> Arguments.of(kernel, port, name))));
	}

	static Stream<Arguments> kernels() {
		return KERNELS.stream().map(Arguments::of);
	}

	@ParameterizedTest(name = "kernel {0}, port {1}: {2}")
	@MethodSource("everyCase")
	void hostileConnectionGetsTheDefinedBehaviour(String kernel, int port, String name) throws IOException {
		Path out = completedRun(kernel);
		List<CaseLine> lines = caseLines(out, port).stream().filter((line) -> line.name().equals(name)).toList();
		assertThat(lines).as("lines of case " + name + " in hostile." + port + ".txt; the client's errors: "
				+ read(out, "hostile." + port + ".err")).isNotEmpty();
		boolean rekey = kernel.startsWith("7");
		boolean kernelReceives = (port == RX_PORT);
		SoftAssertions softly = new SoftAssertions();
		for (CaseLine line : lines) {
			String what = name + " (" + line.get("suite") + ") on " + port + ", kernel " + kernel + ": " + line.text();
			// The hostile records met the decrypter this port is about
			softly.assertThat(line.get("error")).as("client-side problem; " + what).isEqualTo("none");
			if (!name.equals("earlyalert")) {
				softly.assertThat(line.get("tx")).as("transmit of the connection; " + what).isEqualTo("kernel");
				softly.assertThat(line.get("rx")).as("receive of the connection; " + what)
					.isEqualTo(kernelReceives ? "kernel" : "userspace");
			}
			// Everybody else is still served, right after
			softly.assertThat(line.get("fresh")).as("a new connection is served; " + what).isEqualTo("true");
			switch (name) {
				case "tampered" -> {
					// RFC 8446 §5.2: decryption fails -> bad_record_mac. With the kernel decrypting,
					// the socket can still send once its pending error (EBADMSG) is read
					closes(softly, line, what, Set.of("bad_record_mac"));
					terminated(softly, line, what, kernelReceives, "BAD_RECORD");
				}
				case "oversized" -> {
					if (kernelReceives) {
						// RFC 8446 §5.2: TLSCiphertext.length > 2^14 + 256 -> record_overflow
						closes(softly, line, what, Set.of("record_overflow"));
						terminated(softly, line, what, true, "BAD_RECORD");
					}
					// With the JDK decrypting, its own limit applies: JSSE accepts records up to 2^15
					// bytes (SSLRecord.maxLargeRecordSize), as it does without kernel TLS
				}
				case "badversion" -> {
					// The kernel refuses the record (EINVAL): a fatal alert, not a clean close
					closes(softly, line, what, BAD_HEADER_ALERTS);
					terminated(softly, line, what, kernelReceives, "BAD_RECORD");
				}
				case "ccs" -> {
					// RFC 8446 §5: change_cipher_spec after Finished -> unexpected_message. The kernel
					// reports this one-byte record as EBADMSG, so bad_record_mac is accepted there
					closes(softly, line, what,
							kernelReceives ? Set.of("unexpected_message", "bad_record_mac") : Set.of("unexpected_message"));
					if (kernelReceives) {
						softly.assertThat(line.delta("BAD_RECORD") + line.delta("UNEXPECTED_MESSAGE"))
							.as("BAD_RECORD or UNEXPECTED_MESSAGE counted once; " + what)
							.isOne();
					}
				}
				case "unknowntype" -> {
					// RFC 8446 §5: unexpected record type -> unexpected_message
					closes(softly, line, what, Set.of("unexpected_message"));
					terminated(softly, line, what, kernelReceives, "UNEXPECTED_MESSAGE");
				}
				case "zerolength" -> {
					if (kernelReceives) {
						// RFC 8446 §5.1: zero-length application data may be sent
						continues(softly, line, what);
						unchanged(softly, line, what);
					}
					else {
						// JSSE rejects it (JDK-8366454: "Incorrect inner plaintext: no content type"),
						// with or without kernel TLS, as a bad record on JDK 17; its alert goes out
						// through the kernel
						closes(softly, line, what, Set.of("unexpected_message", "bad_record_mac"));
					}
				}
				case "keyupdateflood" -> {
					if (rekey || !kernelReceives) {
						// The kernel (rekey) or the engine follows update_not_requested
						continues(softly, line, what);
						unchanged(softly, line, what);
						if (kernelReceives) {
							softly.assertThat(line.keyUpdateDelta("receive")).as("receive KeyUpdates followed; " + what)
								.isEqualTo(FLOOD);
						}
					}
					else {
						// Receive key in a kernel that cannot take a new one: a clean close
						closes(softly, line, what, Set.of("close_notify"));
						terminated(softly, line, what, true, "KEY_UPDATE_NOT_SUPPORTED");
					}
				}
				case "fatalalert" -> {
					// RFC 8446 §6.2: no alert goes back after a fatal one; the connection closes
					closes(softly, line, what, Set.of("none"));
					terminated(softly, line, what, kernelReceives, "PEER_ALERT");
				}
				case "earlyalert" -> {
					// The alert may come with the Finished (the engine reads it) or after (the kernel
					// does): either way no alert goes back and the connection closes
					closes(softly, line, what, Set.of("none"));
					terminated(softly, line, what, kernelReceives, "PEER_ALERT");
				}
				case "truncated" ->
					// End of stream inside a record: closed, the half request never answered
					closes(softly, line, what, null);
				default -> throw new IllegalArgumentException(name);
			}
		}
		softly.assertAll();
	}

	@ParameterizedTest(name = "kernel {0}")
	@MethodSource("kernels")
	void bothServersStillServeAndAreAlive(String kernel) throws IOException {
		Path out = completedRun(kernel);
		SoftAssertions softly = new SoftAssertions();
		for (int port : new int[] { RX_PORT, TX_PORT }) {
			softly.assertThat(read(out, "alive." + port + ".txt").strip()).as("JVM on " + port).isEqualTo("alive");
			softly.assertThat(read(out, "after." + port + ".page")).as("curl on " + port + " after the cases")
				.contains("secure: true", "protocol: TLSv1.3", "transmit: kernel",
						"receive: " + ((port == RX_PORT) ? "kernel" : "userspace"));
			softly.assertThat(read(out, "health." + port + ".json")).as("health of " + port)
				.contains("\"status\":\"UP\"", "\"available\":true", "\"fallbacks\":{}");
		}
		softly.assertAll();
	}

	@ParameterizedTest(name = "kernel {0}")
	@MethodSource("kernels")
	void theKernelSawTheTamperedRecordsOnlyWhereItDecrypts(String kernel) throws IOException {
		Path out = completedRun(kernel);
		TlsStat before = TlsStat.read(out.resolve("tls_stat.before"));
		TlsStat afterRx = TlsStat.read(out.resolve("tls_stat.rx"));
		TlsStat afterTx = TlsStat.read(out.resolve("tls_stat.tx"));
		long tampered = caseLines(out, RX_PORT).stream().filter((line) -> line.name().equals("tampered")).count();
		assertThat(tampered).isPositive();
		assertThat(afterRx.delta(before, "TlsDecryptError")).as("decrypt errors the kernel counted on " + RX_PORT)
			.isGreaterThanOrEqualTo(tampered);
		assertThat(afterTx.delta(afterRx, "TlsDecryptError"))
			.as("decrypt errors the kernel counted while the engine decrypted (" + TX_PORT + ")")
			.isZero();
		if (kernel.startsWith("7")) {
			long floods = caseLines(out, RX_PORT).stream().filter((line) -> line.name().equals("keyupdateflood")).count();
			assertThat(afterRx.delta(before, "TlsRxRekeyOk")).as("receive rekeys of the kernel")
				.isEqualTo(floods * FLOOD);
			assertThat(afterRx.delta(before, "TlsRxRekeyError")).isZero();
			assertThat(afterTx.delta(afterRx, "TlsRxRekeyOk")).as("the engine followed the KeyUpdates on " + TX_PORT)
				.isZero();
		}
	}

	@ParameterizedTest(name = "kernel {0}")
	@MethodSource("kernels")
	void noHostileConnectionIsLeftOpen(String kernel) throws IOException {
		Path out = completedRun(kernel);
		TlsStat end = TlsStat.read(out.resolve("tls_stat.end"));
		assertThat(end.get("TlsCurrTxSw")).as("TLS sockets still open after every client left").isZero();
		assertThat(end.get("TlsCurrRxSw")).as("TLS receive contexts still open after every client left").isZero();
	}

	private static void closes(SoftAssertions softly, CaseLine line, String what, Set<String> alerts) {
		softly.assertThat(line.get("closed")).as("the server ended the connection; " + what).isEqualTo("true");
		softly.assertThat(line.get("eof")).as("the TCP connection ended too; " + what).isEqualTo("true");
		softly.assertThat(line.get("status")).as("nothing carried by the bad record reached the application; " + what)
			.isEqualTo("none");
		if (alerts != null) {
			softly.assertThat(line.get("alert")).as("the alert the server sent; " + what).isIn(alerts);
		}
	}

	private static void continues(SoftAssertions softly, CaseLine line, String what) {
		softly.assertThat(line.get("closed")).as("the connection stays open; " + what).isEqualTo("false");
		softly.assertThat(line.get("response")).as("the next request is answered with 200; " + what)
			.isEqualTo("true");
	}

	/** On the kernel-receive port, the library counted this connection once, with this reason. */
	private static void terminated(SoftAssertions softly, CaseLine line, String what, boolean kernelReceives,
			String reason) {
		if (kernelReceives) {
			softly.assertThat(line.terminationDeltas()).as("terminations counted for this connection; " + what)
				.isEqualTo(Map.of(reason, 1L));
		}
	}

	private static void unchanged(SoftAssertions softly, CaseLine line, String what) {
		softly.assertThat(line.terminationDeltas()).as("no termination counted; " + what).isEmpty();
	}

	private static void runGuest(KernelHarness harness, String kernel, Path jdk, Path out) {
		Path scenario = harness.projectRoot().resolve("sample-app/src/test/kernel/hostile-scenario.sh");
		KernelHarness.Result result = harness.runInKernel(kernel, Map.of("JAVA_HOME", jdk.toString()),
				List.of(scenario.toString(), out.toString()), 900);
		try {
			Files.writeString(out.resolve("guest.log"), "exit " + result.exitCode() + "\n" + result.output());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Path completedRun(String kernel) throws IOException {
		Path out = runs.get(kernel);
		assertThat(out.resolve("done.txt")).as("scenario completed; see " + out.resolve("guest.log")).exists();
		assertThat(out.resolve("errors.txt")).doesNotExist();
		assertThat(read(out, "kernel.txt")).startsWith(kernel + ".");
		assertThat(read(out, "java.txt")).contains("version \"" + JDK);
		return out;
	}

	/**
	 * The client's lines of one port, each with the counters of the line before it (a
	 * {@code baseline} line starts each client run), so that a case's own effect is the
	 * difference.
	 */
	private static List<CaseLine> caseLines(Path out, int port) throws IOException {
		List<CaseLine> lines = new ArrayList<>();
		CaseLine previous = null;
		for (String text : read(out, "hostile." + port + ".txt").split("\n")) {
			if (!text.startsWith("case=")) {
				continue;
			}
			CaseLine line = CaseLine.parse(text, previous);
			if (!line.name().equals("baseline")) {
				lines.add(line);
			}
			previous = line;
		}
		return lines;
	}

	private static String read(Path out, String name) throws IOException {
		Path file = out.resolve(name);
		assertThat(file).as("output of the scenario in " + out).exists();
		return Files.readString(file, StandardCharsets.UTF_8);
	}

	private static void recreate(Path dir) throws IOException {
		if (Files.exists(dir)) {
			try (Stream<Path> files = Files.walk(dir)) {
				for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
					Files.delete(file);
				}
			}
		}
		Files.createDirectories(dir);
	}

	/** One line of HostileClient's output, and the line before it. */
	record CaseLine(String text, Map<String, String> fields, CaseLine previous) {

		static CaseLine parse(String text, CaseLine previous) {
			Map<String, String> fields = new HashMap<>();
			for (String token : text.strip().split(" ")) {
				int equals = token.indexOf('=');
				if (equals > 0) {
					fields.put(token.substring(0, equals), token.substring(equals + 1));
				}
			}
			return new CaseLine(text.strip(), fields, previous);
		}

		String name() {
			return get("case");
		}

		String get(String field) {
			return this.fields.getOrDefault(field, "<missing>");
		}

		Map<String, Long> terminationDeltas() {
			Map<String, Long> now = counters(get("terminations"));
			Map<String, Long> before = (this.previous != null) ? counters(this.previous.get("terminations")) : Map.of();
			Map<String, Long> deltas = new LinkedHashMap<>();
			now.forEach((reason, count) -> {
				long delta = count - before.getOrDefault(reason, 0L);
				if (delta != 0) {
					deltas.put(reason, delta);
				}
			});
			return deltas;
		}

		long delta(String reason) {
			return terminationDeltas().getOrDefault(reason, 0L);
		}

		long keyUpdateDelta(String direction) {
			long before = (this.previous != null) ? counters(this.previous.get("keyupdates")).getOrDefault(direction, 0L)
					: 0;
			return counters(get("keyupdates")).getOrDefault(direction, 0L) - before;
		}

		/** {@code A:1,B:2} (empty when there are none). */
		private static Map<String, Long> counters(String text) {
			Map<String, Long> counters = new LinkedHashMap<>();
			if (text.equals("?") || text.equals("<missing>")) {
				throw new IllegalStateException("The client could not read the health counters");
			}
			for (String pair : text.split(",")) {
				int colon = pair.indexOf(':');
				if (colon > 0) {
					counters.put(pair.substring(0, colon), Long.parseLong(pair.substring(colon + 1)));
				}
			}
			return counters;
		}

	}

}
