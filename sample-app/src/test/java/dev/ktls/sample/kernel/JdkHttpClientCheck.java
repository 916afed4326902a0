package dev.ktls.sample.kernel;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

import dev.ktls.sample.SampleContent;

/**
 * Exercises the sample app with the JDK's {@link HttpClient} over HTTP/2 and HTTP/1.1 and
 * prints one {@code key=value} line per result, for the kernel tests to assert on. Runs inside a
 * test kernel with nothing but the JDK and the sample's classes on the class path.
 */
public final class JdkHttpClientCheck {

	private static final int BODY_SIZE = 512 * 1024;

	private static final int CONCURRENT_STREAMS = 16;

	private JdkHttpClientCheck() {
	}

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		for (HttpClient.Version version : HttpClient.Version.values()) {
			HttpClient client = HttpClient.newBuilder().version(version).sslContext(trustingContext())
				.sslParameters(tls13()).build();
			String prefix = (version == HttpClient.Version.HTTP_2) ? "h2." : "h1.";
			URI base = URI.create("https://localhost:" + port);
			HttpResponse<String> page = client.send(HttpRequest.newBuilder(base.resolve("/")).build(),
					HttpResponse.BodyHandlers.ofString());
			for (String line : page.body().split("\n")) {
				System.out.println(prefix + "page." + line.replaceFirst(": ", "="));
			}
			HttpResponse<byte[]> download = client.send(
					HttpRequest.newBuilder(base.resolve("/bytes/" + BODY_SIZE)).build(),
					HttpResponse.BodyHandlers.ofByteArray());
			System.out.println(prefix + "download=" + checkContent(download.body()));
			byte[] upload = new byte[BODY_SIZE];
			new Random(port).nextBytes(upload);
			HttpResponse<String> digest = client.send(HttpRequest.newBuilder(base.resolve("/sha256"))
				.POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofString());
			String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload));
			System.out.println(prefix + "upload=" + (digest.body().trim().equals(expected) ? "ok" : "mismatch"));
			if (version == HttpClient.Version.HTTP_2) {
				System.out.println(prefix + "concurrent=" + concurrentStreams(client, base));
			}
		}
	}

	/**
	 * Many downloads at once on one HTTP/2 connection, so that the server writes from several
	 * threads through the kernel. (Concurrent uploads from this client trip Tomcat's HTTP/2
	 * overhead protection with or without kernel TLS.)
	 */
	private static String concurrentStreams(HttpClient client, URI base) throws Exception {
		List<CompletableFuture<String>> results = new ArrayList<>();
		for (int i = 0; i < CONCURRENT_STREAMS; i++) {
			results.add(client
				.sendAsync(HttpRequest.newBuilder(base.resolve("/bytes/" + BODY_SIZE)).build(),
						HttpResponse.BodyHandlers.ofByteArray())
				.thenApply((response) -> checkContent(response.body())));
		}
		for (CompletableFuture<String> result : results) {
			String outcome = result.get(300, TimeUnit.SECONDS);
			if (!outcome.equals("ok")) {
				return outcome;
			}
		}
		return "ok";
	}

	private static String checkContent(byte[] body) {
		if (body.length != BODY_SIZE) {
			return "length " + body.length;
		}
		for (int i = 0; i < body.length; i++) {
			if (body[i] != SampleContent.byteAt(i)) {
				return "mismatch at " + i;
			}
		}
		return "ok";
	}

	private static SSLParameters tls13() {
		SSLParameters parameters = new SSLParameters();
		parameters.setProtocols(new String[] { "TLSv1.3" });
		return parameters;
	}

	private static SSLContext trustingContext() throws Exception {
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, new TrustManager[] { new TrustingManager() }, new SecureRandom());
		return context;
	}

}
