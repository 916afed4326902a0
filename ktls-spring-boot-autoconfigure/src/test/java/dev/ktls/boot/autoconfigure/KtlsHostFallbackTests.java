package dev.ktls.boot.autoconfigure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import jakarta.servlet.http.HttpServletRequest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.ktls.boot.FallbackReason;
import dev.ktls.boot.KernelTlsOffload;
import dev.ktls.boot.KtlsConnection;
import dev.ktls.boot.KtlsFallbackListener;
import dev.ktls.boot.TlsConnectionInfo;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the auto-configured server over TLS on this host with a real client. A kernel without
 * the {@code tls} upper layer protocol keeps every connection in userspace: requests must work
 * exactly as without the library, and the fallback must be counted, reported to the listener
 * and shown by the health indicator. On a kernel that offers {@code tls} the same requests must
 * be offloaded instead.
 */
@SpringBootTest(classes = KtlsHostFallbackTests.TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "server.ssl.key-store=classpath:test-keystore.p12",
				"server.ssl.key-store-password=changeit", "server.ssl.key-alias=test",
				"server.ssl.key-store-type=PKCS12", "server.ktls.rx=true", "server.http2.enabled=true",
				"management.endpoints.web.exposure.include=health",
				"management.endpoint.health.show-details=always" })
class KtlsHostFallbackTests {

	private static final Path AVAILABLE_ULP = Path.of("/proc/sys/net/ipv4/tcp_available_ulp");

	private static final int MEBIBYTE = 1024 * 1024;

	private static SSLContext sslContext;

	@LocalServerPort
	private int port;

	@Autowired
	private KernelTlsOffload offload;

	@Autowired
	private RecordingListener listener;

	@BeforeAll
	static void trustTestCertificate() throws Exception {
		sslContext = TestCertificate.trustingContext();
	}

	@ParameterizedTest
	@EnumSource(ClientSetup.class)
	void whenClientConnectsThenRequestSucceeds(ClientSetup setup) throws Exception {
		HttpResponse<String> response = send(setup, get("/hello"), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("hello");
		assertThat(response.version()).isEqualTo(setup.version);
		assertThat(response.sslSession()).get().satisfies((session) -> {
			assertThat(session.getProtocol()).isEqualTo(setup.protocol);
		});
	}

	@ParameterizedTest
	@EnumSource(ClientSetup.class)
	void whenKernelLacksTlsThenEachConnectionFallsBackAndIsCounted(ClientSetup setup) throws Exception {
		FallbackReason expected = expectedReason(setup);
		long fallbacksBefore = fallbacks(expected);
		long transmitBefore = this.offload.getStatistics().getTransmitOffloaded();
		assertThat(send(setup, get("/hello"), HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("hello");
		if (expected != null) {
			assertThat(fallbacks(expected)).as("fallbacks for %s", expected).isEqualTo(fallbacksBefore + 1);
			assertThat(this.offload.getStatistics().getTransmitOffloaded()).isEqualTo(transmitBefore);
		}
		else {
			assertThat(this.offload.getStatistics().getTransmitOffloaded()).isEqualTo(transmitBefore + 1);
		}
	}

	@Test
	void whenKernelLacksTlsThenServerWideReasonIsKernelTlsUnavailable() {
		if (kernelOffersTls()) {
			assertThat(this.offload.getServerWideReason()).isNull();
			assertThat(this.offload.getSupport().isAvailable()).isTrue();
		}
		else {
			assertThat(this.offload.getServerWideReason()).isEqualTo(FallbackReason.KERNEL_TLS_UNAVAILABLE);
			assertThat(this.offload.getSupport().getUnavailabilityCause()).isNotNull();
		}
		assertThat(this.offload.isEnabled()).isTrue();
		assertThat(this.offload.isReceiveOffload()).isTrue();
		assertThat(this.offload.getConnectorRefusal()).isNull();
	}

	@ParameterizedTest
	@EnumSource(ClientSetup.class)
	void whenConnectionFallsBackThenListenerReceivesIt(ClientSetup setup) throws Exception {
		FallbackReason expected = expectedReason(setup);
		int before = this.listener.fallbacks.size();
		send(setup, get("/hello"), HttpResponse.BodyHandlers.ofString());
		if (expected == null) {
			// Offloaded; only a receive key the kernel refused may be reported
			assertThat(this.listener.fallbacks.subList(before, this.listener.fallbacks.size()))
				.allMatch((fallback) -> fallback.reason() == FallbackReason.RECEIVE_NOT_OFFLOADED);
			return;
		}
		assertThat(this.listener.fallbacks).hasSize(before + 1);
		Fallback fallback = this.listener.fallbacks.get(before);
		assertThat(fallback.reason()).isEqualTo(expected);
		assertThat(fallback.cause()).isNull();
		assertThat(fallback.connection().protocol()).isEqualTo(setup.protocol);
		assertThat(fallback.connection().cipherSuite()).startsWith("TLS_");
		assertThat(fallback.connection().remoteAddress()).contains("127.0.0.1");
	}

	@ParameterizedTest
	@EnumSource(ClientSetup.class)
	void whenRequestAsksForItsConnectionThenOffloadFindsIt(ClientSetup setup) throws Exception {
		FallbackReason expected = expectedReason(setup);
		String state = send(setup, get("/connection"), HttpResponse.BodyHandlers.ofString()).body();
		if (expected != null) {
			assertThat(state).isEqualTo("transmit=false receive=false reason=" + expected + " protocol="
					+ setup.protocol);
		}
		else {
			assertThat(state).startsWith("transmit=true ").endsWith(" protocol=" + setup.protocol);
		}
	}

	@Test
	void whenClientClosesConnectionThenOffloadForgetsIt() throws Exception {
		try (SSLSocket socket = (SSLSocket) sslContext.getSocketFactory().createSocket("127.0.0.1", this.port)) {
			socket.setEnabledProtocols(new String[] { "TLSv1.3" });
			int localPort = socket.getLocalPort();
			OutputStream out = socket.getOutputStream();
			out.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			BufferedReader in = new BufferedReader(
					new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
			assertThat(in.readLine()).startsWith("HTTP/1.1 200");
			KtlsConnection connection = this.offload.findConnection("127.0.0.1", localPort);
			assertThat(connection).isNotNull();
			assertThat(connection.getInfo().protocol()).isEqualTo("TLSv1.3");
			assertThat(connection.getFallbackReason()).isEqualTo(expectedReason(ClientSetup.TLS_1_3_HTTP_1_1));
			socket.close();
			Awaitility.await()
				.atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(this.offload.findConnection("127.0.0.1", localPort)).isNull());
		}
	}

	@Test
	void whenKernelLacksTlsThenHealthReportsItAndStaysUp() throws Exception {
		send(ClientSetup.TLS_1_3_HTTP_2, get("/hello"), HttpResponse.BodyHandlers.ofString());
		HttpResponse<String> response = send(ClientSetup.TLS_1_3_HTTP_1_1, get("/actuator/health/ktls"),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		DocumentContext health = JsonPath.parse(response.body());
		assertThat(health.read("$.status", String.class)).isEqualTo("UP");
		assertThat(health.read("$.details.rx", Boolean.class)).isTrue();
		assertThat(health.read("$.details.kernel", String.class)).isNotBlank();
		if (kernelOffersTls()) {
			assertThat(health.read("$.details.available", Boolean.class)).isTrue();
			assertThat(health.<List<Object>>read("$.details.transmitCiphers")).isNotEmpty();
			assertThat(health.read("$.details.offloaded.transmit", Long.class)).isPositive();
		}
		else {
			assertThat(health.read("$.details.available", Boolean.class)).isFalse();
			assertThat(health.read("$.details.reason", String.class)).isEqualTo("KERNEL_TLS_UNAVAILABLE");
			assertThat(health.read("$.details.reasonDescription", String.class))
				.startsWith(FallbackReason.KERNEL_TLS_UNAVAILABLE.getDescription());
			assertThat(health.<List<Object>>read("$.details.transmitCiphers")).isEmpty();
			assertThat(health.<List<Object>>read("$.details.receiveCiphers")).isEmpty();
			assertThat(health.read("$.details.offloaded.transmit", Long.class)).isZero();
			assertThat(health.read("$.details.offloaded.receive", Long.class)).isZero();
			assertThat(health.read("$.details.fallbacks.KERNEL_TLS_UNAVAILABLE", Long.class))
				.isGreaterThanOrEqualTo(2);
			assertThat(health.<Map<String, Object>>read("$.details.terminations")).isEmpty();
		}
	}

	@ParameterizedTest
	@EnumSource(ClientSetup.class)
	void whenClientUploadsOneMebibyteThenServerReceivesEveryByte(ClientSetup setup) throws Exception {
		byte[] upload = content(7);
		HttpRequest request = request("/digest").header("Content-Type", MediaType.APPLICATION_OCTET_STREAM_VALUE)
			.POST(HttpRequest.BodyPublishers.ofByteArray(upload))
			.build();
		HttpResponse<String> response = send(setup, request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo(upload.length + " " + sha256(upload));
	}

	@ParameterizedTest
	@EnumSource(ClientSetup.class)
	void whenClientDownloadsOneMebibyteThenItReceivesEveryByte(ClientSetup setup) throws Exception {
		HttpResponse<byte[]> response = send(setup, get("/download"), HttpResponse.BodyHandlers.ofByteArray());
		assertThat(response.statusCode()).isEqualTo(200);
		byte[] expected = content(TestController.DOWNLOAD_SEED);
		assertThat(response.body()).hasSize(MEBIBYTE);
		assertThat(Arrays.equals(response.body(), expected)).as("downloaded bytes match").isTrue();
	}

	@ParameterizedTest
	@EnumSource(ClientSetup.class)
	void whenClientEchoesOneMebibyteThenBothDirectionsAreByteExact(ClientSetup setup) throws Exception {
		byte[] upload = content(11);
		HttpRequest request = request("/echo").header("Content-Type", MediaType.APPLICATION_OCTET_STREAM_VALUE)
			.POST(HttpRequest.BodyPublishers.ofByteArray(upload))
			.build();
		HttpResponse<byte[]> response = send(setup, request, HttpResponse.BodyHandlers.ofByteArray());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).hasSize(MEBIBYTE);
		assertThat(Arrays.equals(response.body(), upload)).as("echoed bytes match").isTrue();
	}

	/**
	 * Return the reason a connection made with the given setup is expected to stay in
	 * userspace on this host, or {@code null} if it is expected to be offloaded.
	 */
	private static FallbackReason expectedReason(ClientSetup setup) {
		return kernelOffersTls() ? null : FallbackReason.KERNEL_TLS_UNAVAILABLE;
	}

	/**
	 * Whether the running kernel has the {@code tls} ULP. Read after the server has started, so
	 * a module that the probe loaded on demand is listed.
	 */
	private static boolean kernelOffersTls() {
		try {
			return Arrays.asList(Files.readString(AVAILABLE_ULP).trim().split("\\s+")).contains("tls");
		}
		catch (IOException ex) {
			return false;
		}
	}

	private long fallbacks(FallbackReason reason) {
		return this.offload.getStatistics().getFallbacks().getOrDefault(reason, 0L);
	}

	private HttpRequest get(String path) {
		return request(path).GET().build();
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(10));
	}

	/**
	 * Send a request on a new client, and so on a new connection.
	 */
	private static <T> HttpResponse<T> send(ClientSetup setup, HttpRequest request,
			HttpResponse.BodyHandler<T> bodyHandler) throws IOException, InterruptedException {
		SSLParameters parameters = sslContext.getDefaultSSLParameters();
		parameters.setProtocols(new String[] { setup.protocol });
		HttpClient client = HttpClient.newBuilder()
			.sslContext(sslContext)
			.sslParameters(parameters)
			.version(setup.version)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
		return client.send(request, bodyHandler);
	}

	private static byte[] content(long seed) {
		byte[] bytes = new byte[MEBIBYTE];
		new Random(seed).nextBytes(bytes);
		return bytes;
	}

	private static String sha256(byte[] bytes) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
	}

	enum ClientSetup {

		TLS_1_3_HTTP_2("TLSv1.3", HttpClient.Version.HTTP_2),

		TLS_1_3_HTTP_1_1("TLSv1.3", HttpClient.Version.HTTP_1_1),

		TLS_1_2_HTTP_2("TLSv1.2", HttpClient.Version.HTTP_2),

		TLS_1_2_HTTP_1_1("TLSv1.2", HttpClient.Version.HTTP_1_1);

		private final String protocol;

		private final HttpClient.Version version;

		ClientSetup(String protocol, HttpClient.Version version) {
			this.protocol = protocol;
			this.version = version;
		}

	}

	record Fallback(TlsConnectionInfo connection, FallbackReason reason, Throwable cause) {

	}

	static class RecordingListener implements KtlsFallbackListener {

		final List<Fallback> fallbacks = new CopyOnWriteArrayList<>();

		@Override
		public void onFallback(TlsConnectionInfo connection, FallbackReason reason, Throwable cause) {
			this.fallbacks.add(new Fallback(connection, reason, cause));
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import(TestController.class)
	static class TestApplication {

		@Bean
		RecordingListener recordingListener() {
			return new RecordingListener();
		}

	}

	@RestController
	static class TestController {

		static final long DOWNLOAD_SEED = 42;

		private final KernelTlsOffload offload;

		TestController(KernelTlsOffload offload) {
			this.offload = offload;
		}

		@GetMapping("/hello")
		String hello() {
			return "hello";
		}

		@GetMapping(path = "/download", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
		byte[] download() {
			return content(DOWNLOAD_SEED);
		}

		@PostMapping(path = "/digest", consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE)
		String digest(@RequestBody byte[] body) throws Exception {
			return body.length + " " + sha256(body);
		}

		@PostMapping(path = "/echo", consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE,
				produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
		byte[] echo(@RequestBody byte[] body) {
			return body;
		}

		@GetMapping("/connection")
		String connection(HttpServletRequest request) {
			KtlsConnection connection = this.offload.findConnection(request.getRemoteAddr(), request.getRemotePort());
			if (connection == null) {
				return "unknown";
			}
			return "transmit=" + connection.isTransmitOffloaded() + " receive=" + connection.isReceiveOffloaded()
					+ " reason=" + connection.getFallbackReason() + " protocol=" + connection.getInfo().protocol();
		}

	}

}
