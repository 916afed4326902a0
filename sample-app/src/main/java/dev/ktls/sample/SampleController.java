package dev.ktls.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.ktls.boot.KernelTlsOffload;
import dev.ktls.boot.KtlsConnection;

/**
 * Endpoints that show and exercise the offload of the connection they are called on.
 */
@RestController
class SampleController {

	private static final long MAX_BYTES = 1L << 30;

	private final KernelTlsOffload offload;

	SampleController(KernelTlsOffload offload) {
		this.offload = offload;
	}

	@GetMapping(path = "/", produces = MediaType.TEXT_PLAIN_VALUE)
	String connection(HttpServletRequest request) {
		KtlsConnection connection = this.offload.findConnection(request.getRemoteAddr(), request.getRemotePort());
		StringBuilder text = new StringBuilder();
		text.append("secure: ").append(request.isSecure()).append('\n');
		text.append("protocol: ").append(request.getAttribute("jakarta.servlet.request.secure_protocol")).append('\n');
		text.append("cipher: ").append(request.getAttribute("jakarta.servlet.request.cipher_suite")).append('\n');
		text.append("session: ").append(request.getAttribute("jakarta.servlet.request.ssl_session_id") != null)
			.append('\n');
		text.append("peer: ").append(peer(request)).append('\n');
		text.append("http: ").append(request.getProtocol()).append('\n');
		text.append("transmit: ").append(where(connection != null && connection.isTransmitOffloaded())).append('\n');
		text.append("receive: ").append(where(connection != null && connection.isReceiveOffloaded())).append('\n');
		if (connection != null && connection.getFallbackReason() != null) {
			text.append("fallback: ").append(connection.getFallbackReason()).append('\n');
		}
		return text.toString();
	}

	@GetMapping("/bytes/{count}")
	void bytes(@PathVariable long count, HttpServletResponse response) throws IOException {
		if (count < 0 || count > MAX_BYTES) {
			response.sendError(HttpServletResponse.SC_BAD_REQUEST, "count must be between 0 and " + MAX_BYTES);
			return;
		}
		response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
		response.setContentLengthLong(count);
		byte[] chunk = new byte[16 * 1024];
		OutputStream out = response.getOutputStream();
		for (long offset = 0; offset < count; offset += chunk.length) {
			int length = (int) Math.min(chunk.length, count - offset);
			SampleContent.fill(offset, chunk, length);
			out.write(chunk, 0, length);
		}
	}

	@PostMapping(path = "/sha256", produces = MediaType.TEXT_PLAIN_VALUE)
	String sha256(HttpServletRequest request) throws IOException, NoSuchAlgorithmException {
		MessageDigest digest = MessageDigest.getInstance("SHA-256");
		byte[] buffer = new byte[16 * 1024];
		try (InputStream in = request.getInputStream()) {
			for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
				digest.update(buffer, 0, read);
			}
		}
		return HexFormat.of().formatHex(digest.digest()) + "\n";
	}

	private static String peer(HttpServletRequest request) {
		Object chain = request.getAttribute("jakarta.servlet.request.X509Certificate");
		if (chain instanceof X509Certificate[] certificates && certificates.length > 0) {
			return certificates[0].getSubjectX500Principal().getName();
		}
		return "none";
	}

	private static String where(boolean kernel) {
		return kernel ? "kernel" : "userspace";
	}

}
