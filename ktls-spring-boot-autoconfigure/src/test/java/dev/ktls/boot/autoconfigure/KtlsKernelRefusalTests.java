package dev.ktls.boot.autoconfigure;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;


import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.ktls.boot.FallbackReason;
import dev.ktls.boot.KernelTlsOffload;
import dev.ktls.boot.KernelTlsSupport;
import dev.ktls.boot.kernel.TlsCipher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Fault injection: the probe claims every cipher in both directions, but the kernel (this
 * machine's, without {@code tls}) refuses the ULP when a connection arrives. Each connection must
 * stay on userspace TLS, be served completely, and be counted as {@code KERNEL_REFUSED}.
 */
@SpringBootTest(classes = KtlsKernelRefusalTests.TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "server.ssl.key-store=classpath:test-keystore.p12",
				"server.ssl.key-store-password=changeit", "server.ssl.key-alias=test",
				"server.ssl.key-store-type=PKCS12", "server.http2.enabled=true" })
class KtlsKernelRefusalTests {

	@LocalServerPort
	private int port;

	@Autowired
	private KernelTlsOffload offload;

	@BeforeAll
	static void requireKernelWithoutTls() throws Exception {
		Path ulps = Path.of("/proc/sys/net/ipv4/tcp_available_ulp");
		assumeFalse(Files.exists(ulps) && Files.readString(ulps).contains("tls"),
				"this kernel offers tls, so it would not refuse the key");
	}

	@Test
	void whenTheKernelRefusesTheKeyAfterAGoodProbeThenConnectionsStayOnUserspaceTls() throws Exception {
		HttpClient client = HttpClient.newBuilder().sslContext(TestCertificate.trustingContext()).build();
		for (int i = 0; i < 3; i++) {
			HttpResponse<String> response = client.send(
					HttpRequest.newBuilder(URI.create("https://localhost:" + this.port + "/hello")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(response.body()).isEqualTo("hello");
			client = HttpClient.newBuilder().sslContext(TestCertificate.trustingContext()).build();
		}
		assertThat(this.offload.getServerWideReason()).isNull();
		assertThat(this.offload.getStatistics().getFallbacks()).containsEntry(FallbackReason.KERNEL_REFUSED, 3L);
		assertThat(this.offload.getStatistics().getTransmitOffloaded()).isZero();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

		@Bean
		KernelTlsOffload kernelTlsOffload() {
			EnumSet<TlsCipher> all = EnumSet.allOf(TlsCipher.class);
			return new KernelTlsOffload(true, true, () -> KernelTlsSupport.available(all, all, false, "probed"),
					null);
		}

		@RestController
		static class HelloController {

			@GetMapping("/hello")
			String hello() {
				return "hello";
			}

		}

	}

}
