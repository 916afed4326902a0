package dev.ktls.sample.kernel;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

import dev.ktls.boot.jdk.JdkInternals;
import dev.ktls.boot.jdk.TrafficState;
import dev.ktls.boot.kernel.TlsCipher;
import dev.ktls.boot.tls.Hkdf;

/**
 * A hostile TLS 1.3 peer. Each case opens one connection to {@code 127.0.0.1:PORT}, completes
 * the handshake with a JSSE {@link SSLEngine}, sends a valid keep-alive request and reads its
 * answer (so that the server has handed the connection to the kernel), then takes over its own
 * write direction: the client's write traffic secret and record sequence number are read from
 * the engine with the project's {@link JdkInternals}, and every further record is built and
 * sealed here (RFC 8446 §5.2, §5.3), so that it can be malformed on purpose. What the server
 * sends back is still decrypted by the engine, whose read side is untouched.
 * <p>
 * Prints one line per case:
 * {@code case=NAME closed=B alert=A response=B status=N eof=B fresh=B suite=S tx=.. rx=..
 * terminations=.. keyupdates=.. error=.. detail=..}: whether the server ended the connection
 * ({@code closed}: an alert, close_notify, end of stream or reset), the alert it sent
 * ({@code none} if it sent none), whether a request sent after the hostile record was answered
 * with 200 ({@code response}), the status of any HTTP answer that came after the hostile record
 * ({@code status}, {@code none} if none did), whether the TCP connection ended ({@code eof}),
 * and whether a new connection made right after
 * was served ({@code fresh}), with the health endpoint's {@code terminations} and
 * {@code keyUpdates} counters as that new connection saw them. {@code error} is anything the
 * client itself found wrong (the server's bytes failed to decrypt, the first request failed).
 * A {@code case=baseline} line comes first with the counters before any case.
 * <p>
 * Runs inside a test kernel with the JDK, the sample's test classes and the autoconfigure
 * module's classes on the class path, and {@code --add-opens java.base/sun.security.ssl} and
 * {@code --add-exports java.base/sun.nio.ch}.
 * <p>
 * usage: {@code HostileClient PORT [--suite=NAME] [--flood=N] [--timeout=SECONDS] CASE...}
 * ({@code all} for every case)
 */
public final class HostileClient {

	static final List<String> CASES = List.of("tampered", "oversized", "badversion", "ccs", "unknowntype",
			"zerolength", "keyupdateflood", "fatalalert", "earlyalert", "truncated");

	static final int CHANGE_CIPHER_SPEC = 20;

	static final int ALERT = 21;

	static final int HANDSHAKE = 22;

	static final int APPLICATION_DATA = 23;

	static final int HEADER_LENGTH = 5;

	static final int TAG_LENGTH = 16;

	/** The largest TLSCiphertext.length a receiver must accept (RFC 8446 §5.2). */
	static final int MAX_CIPHERTEXT_LENGTH = (1 << 14) + 256;

	private static final byte[] REQUEST = ascii("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");

	private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

	private final int port;

	private final String suite;

	private final int flood;

	private final int timeoutMillis;

	private final SSLContext context;

	private HostileClient(int port, String suite, int flood, int timeoutMillis) throws GeneralSecurityException {
		this.port = port;
		this.suite = suite;
		this.flood = flood;
		this.timeoutMillis = timeoutMillis;
		this.context = SSLContext.getInstance("TLSv1.3");
		this.context.init(null, new TrustManager[] { new TrustingManager() }, new SecureRandom());
	}

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		String suite = null;
		int flood = 500;
		int timeoutSeconds = 8;
		List<String> cases = new ArrayList<>();
		for (String arg : Arrays.asList(args).subList(1, args.length)) {
			if (arg.startsWith("--suite=")) {
				suite = arg.substring("--suite=".length());
			}
			else if (arg.startsWith("--flood=")) {
				flood = Integer.parseInt(arg.substring("--flood=".length()));
			}
			else if (arg.startsWith("--timeout=")) {
				timeoutSeconds = Integer.parseInt(arg.substring("--timeout=".length()));
			}
			else if (arg.equals("all")) {
				cases.addAll(CASES);
			}
			else if (CASES.contains(arg)) {
				cases.add(arg);
			}
			else {
				throw new IllegalArgumentException("Unknown case or option [" + arg + "]; cases: " + CASES);
			}
		}
		HostileClient client = new HostileClient(port, suite, flood, timeoutSeconds * 1000);
		Outcome baseline = new Outcome("baseline");
		client.checkFreshConnection(baseline);
		System.out.println(baseline.line());
		for (String name : cases) {
			Outcome outcome = new Outcome(name);
			try {
				client.run(outcome);
			}
			catch (Exception ex) {
				outcome.error("client: " + ex);
			}
			client.checkFreshConnection(outcome);
			System.out.println(outcome.line());
			System.out.flush();
		}
	}

	private void run(Outcome outcome) throws Exception {
		try (Peer peer = connect()) {
			peer.handshake();
			outcome.suite = peer.engine.getSession().getCipherSuite();
			if (!outcome.name.equals("earlyalert")) {
				peer.writeWithEngine(REQUEST);
				Observation first = peer.observe(true, this.timeoutMillis);
				if (first.status != 200) {
					outcome.error("the first request was not answered with 200: " + first);
					return;
				}
				outcome.transmit = field(first.body, "transmit");
				outcome.receive = field(first.body, "receive");
			}
			RecordWriter writer = peer.takeOverWrites();
			boolean continues = false;
			switch (outcome.name) {
				case "tampered" -> {
					// A valid request whose ciphertext has one bit flipped: delivering it would answer it
					byte[] record = writer.seal(APPLICATION_DATA, REQUEST);
					record[HEADER_LENGTH + 3] ^= 0x01;
					peer.write(record);
				}
				case "oversized" -> {
					int length = MAX_CIPHERTEXT_LENGTH + 1;
					byte[] content = new byte[length - TAG_LENGTH - 1];
					Arrays.fill(content, (byte) 'A');
					peer.write(writer.seal(APPLICATION_DATA, APPLICATION_DATA, 0x0303, content, 0));
				}
				case "badversion" ->
					// legacy_record_version 0x0301 (also in the additional data, as RFC 8446 §5.2 says)
					peer.write(writer.seal(APPLICATION_DATA, APPLICATION_DATA, 0x0301, REQUEST, 0));
				case "ccs" ->
					// The middlebox-compatibility record, in plaintext, after both Finished messages
					peer.write(new byte[] { CHANGE_CIPHER_SPEC, 0x03, 0x03, 0x00, 0x01, 0x01 });
				case "unknowntype" ->
					// A request under inner content type 99: delivering it as data would answer it
					peer.write(writer.seal(APPLICATION_DATA, 99, 0x0303, REQUEST, 0));
				case "zerolength" -> {
					// RFC 8446 §5.1: zero-length application data may be sent; then a normal request
					ByteArrayOutputStream records = new ByteArrayOutputStream();
					records.writeBytes(writer.seal(APPLICATION_DATA, new byte[0]));
					records.writeBytes(writer.seal(APPLICATION_DATA, REQUEST));
					peer.write(records.toByteArray());
					continues = true;
				}
				case "keyupdateflood" -> {
					// KeyUpdate(update_not_requested), then this side's next key (RFC 8446 §4.6.3)
					ByteArrayOutputStream records = new ByteArrayOutputStream();
					for (int i = 0; i < this.flood; i++) {
						records.writeBytes(writer.seal(HANDSHAKE, new byte[] { 24, 0, 0, 1, 0 }));
						writer.nextKey();
					}
					records.writeBytes(writer.seal(APPLICATION_DATA, REQUEST));
					try {
						peer.write(records.toByteArray());
					}
					catch (IOException ex) {
						outcome.detail = "write failed: " + ex.getMessage();
					}
					continues = true;
				}
				case "fatalalert" ->
					// handshake_failure (40), fatal
					peer.write(writer.seal(ALERT, new byte[] { 2, 40 }));
				case "earlyalert" ->
					// handshake_failure right behind the client's Finished, before any request
					peer.write(writer.seal(ALERT, new byte[] { 2, 40 }));
				case "truncated" -> {
					// Half of a valid request record, then FIN
					byte[] record = writer.seal(APPLICATION_DATA, REQUEST);
					peer.write(Arrays.copyOf(record, record.length / 2));
					peer.channel.shutdownOutput();
				}
				default -> throw new IllegalArgumentException(outcome.name);
			}
			Observation after = peer.observe(continues, this.timeoutMillis);
			if (!continues && !after.ended() && !outcome.name.equals("truncated")) {
				// The server neither ended the connection nor said anything: does it still serve it?
				peer.write(writer.seal(APPLICATION_DATA, REQUEST));
				Observation probe = peer.observe(true, this.timeoutMillis);
				outcome.detail = "no reaction within " + this.timeoutMillis + " ms; probed with a request";
				after = after.then(probe);
			}
			outcome.closed = after.ended();
			outcome.alert = after.alert;
			outcome.response = after.status == 200;
			outcome.status = (after.status > 0) ? String.valueOf(after.status) : "none";
			if (after.clientError != null) {
				outcome.error(after.clientError);
			}
			if (after.ended()) {
				outcome.eof = after.eof || peer.awaitEndOfStream(this.timeoutMillis);
			}
			else if (outcome.response) {
				// Say goodbye properly on a connection that still works
				peer.write(writer.seal(ALERT, new byte[] { 1, 0 }));
			}
		}
	}

	/**
	 * A new connection after the case: the server must still serve; the answer is the health
	 * endpoint, whose counters show what the server made of the case.
	 */
	private void checkFreshConnection(Outcome outcome) {
		try (Peer peer = connect()) {
			peer.handshake();
			peer.writeWithEngine(ascii("GET /actuator/health/ktls HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
			Observation health = peer.observe(true, this.timeoutMillis);
			outcome.fresh = health.status == 200;
			outcome.terminations = counters(health.body, "terminations");
			outcome.keyUpdates = counters(health.body, "keyUpdates");
		}
		catch (Exception ex) {
			outcome.fresh = false;
			outcome.error("fresh connection: " + ex);
		}
	}

	private Peer connect() throws IOException {
		SocketChannel channel = SocketChannel
			.open(new InetSocketAddress(InetAddress.getByAddress(new byte[] { 127, 0, 0, 1 }), this.port));
		channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
		SSLEngine engine = this.context.createSSLEngine("localhost", this.port);
		engine.setUseClientMode(true);
		SSLParameters parameters = engine.getSSLParameters();
		parameters.setProtocols(new String[] { "TLSv1.3" });
		if (this.suite != null) {
			parameters.setCipherSuites(new String[] { this.suite });
		}
		engine.setSSLParameters(parameters);
		return new Peer(channel, engine);
	}

	private static String field(String body, String name) {
		for (String line : body.split("\n")) {
			if (line.startsWith(name + ": ")) {
				return line.substring(name.length() + 2).strip();
			}
		}
		return "?";
	}

	/** {@code "name":{"A":1,"B":2}} in a JSON text, as {@code A:1,B:2}. */
	private static String counters(String json, String name) {
		int at = json.indexOf("\"" + name + "\":{");
		if (at < 0) {
			return "?";
		}
		int start = at + name.length() + 4;
		int end = json.indexOf('}', start);
		return json.substring(start, end).replace("\"", "");
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * One connection: a blocking socket channel, read through its socket adaptor so that reads
	 * time out, and the engine.
	 */
	private static final class Peer implements Closeable {

		final SocketChannel channel;

		final SSLEngine engine;

		private final InputStream in;

		private ByteBuffer netIn;

		private ByteBuffer appIn;

		private boolean writesTakenOver;

		Peer(SocketChannel channel, SSLEngine engine) throws IOException {
			this.channel = channel;
			this.engine = engine;
			this.in = channel.socket().getInputStream();
			this.netIn = ByteBuffer.allocate(4 * engine.getSession().getPacketBufferSize());
			this.appIn = ByteBuffer.allocate(2 * engine.getSession().getApplicationBufferSize());
		}

		void handshake() throws IOException {
			this.engine.beginHandshake();
			ByteBuffer netOut = ByteBuffer.allocate(this.engine.getSession().getPacketBufferSize());
			ByteArrayOutputStream ignored = new ByteArrayOutputStream();
			while (true) {
				switch (this.engine.getHandshakeStatus()) {
					case NEED_WRAP -> {
						netOut.clear();
						SSLEngineResult result = this.engine.wrap(EMPTY, netOut);
						netOut.flip();
						writeFully(netOut);
						if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
							throw new SSLException("The engine closed during the handshake");
						}
					}
					case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
						SSLEngineResult result = unwrap(ignored);
						if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
							this.channel.socket().setSoTimeout(30_000);
							if (fill() < 0) {
								throw new IOException("End of stream during the handshake");
							}
						}
						else if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
							throw new SSLException("The server closed during the handshake");
						}
					}
					case NEED_TASK -> runTasks();
					default -> {
						return;
					}
				}
			}
		}

		void writeWithEngine(byte[] plaintext) throws IOException {
			if (this.writesTakenOver) {
				throw new IllegalStateException("The engine's write state is stale");
			}
			ByteBuffer source = ByteBuffer.wrap(plaintext);
			ByteBuffer netOut = ByteBuffer.allocate(this.engine.getSession().getPacketBufferSize());
			while (source.hasRemaining()) {
				netOut.clear();
				this.engine.wrap(source, netOut);
				netOut.flip();
				writeFully(netOut);
			}
		}

		/**
		 * From now on this class writes: the engine's write secret and the sequence number of its
		 * next record become the writer's.
		 */
		RecordWriter takeOverWrites() {
			this.writesTakenOver = true;
			TlsCipher cipher = TlsCipher.forSuite(this.engine.getSession().getCipherSuite());
			try (TrafficState state = JdkInternals.captureTls13State(this.engine)) {
				return new RecordWriter(cipher, state.writeSecret().clone(), state.writeSequence());
			}
		}

		void write(byte[] bytes) throws IOException {
			writeFully(ByteBuffer.wrap(bytes));
		}

		private void writeFully(ByteBuffer buffer) throws IOException {
			while (buffer.hasRemaining()) {
				this.channel.write(buffer);
			}
		}

		/**
		 * Read what the server sends until an HTTP response is complete (if one is expected),
		 * the server ends the connection, the client fails to decrypt, or the time is up.
		 */
		Observation observe(boolean expectResponse, int timeoutMillis) throws IOException {
			Observation observation = new Observation();
			ByteArrayOutputStream plaintext = new ByteArrayOutputStream();
			long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
			while (true) {
				while (this.netIn.position() > 0) {
					SSLEngineResult result;
					try {
						result = unwrap(plaintext);
					}
					catch (SSLException ex) {
						String message = String.valueOf(ex.getMessage());
						if (message.startsWith("Received fatal alert: ")) {
							observation.alert = message.substring("Received fatal alert: ".length()).strip();
						}
						else {
							observation.clientError = "the server's bytes did not decrypt: " + message;
						}
						observation.parse(plaintext.toByteArray());
						return observation;
					}
					if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
						observation.alert = "close_notify";
						observation.parse(plaintext.toByteArray());
						return observation;
					}
					if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
							|| (result.bytesConsumed() == 0 && result.bytesProduced() == 0)) {
						break;
					}
				}
				if (expectResponse && observation.parse(plaintext.toByteArray())) {
					return observation;
				}
				long left = (deadline - System.nanoTime()) / 1_000_000L;
				if (left <= 0) {
					observation.timedOut = true;
					observation.parse(plaintext.toByteArray());
					return observation;
				}
				this.channel.socket().setSoTimeout((int) left);
				int read;
				try {
					read = fill();
				}
				catch (SocketTimeoutException ex) {
					observation.timedOut = true;
					observation.parse(plaintext.toByteArray());
					return observation;
				}
				catch (IOException ex) {
					observation.reset = true;
					observation.eof = true;
					observation.parse(plaintext.toByteArray());
					return observation;
				}
				if (read < 0) {
					observation.eof = true;
					observation.parse(plaintext.toByteArray());
					return observation;
				}
			}
		}

		/** After an alert: does the TCP connection end too? Reads raw bytes until it does. */
		boolean awaitEndOfStream(int timeoutMillis) {
			byte[] discard = new byte[8192];
			long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
			try {
				while (true) {
					long left = (deadline - System.nanoTime()) / 1_000_000L;
					if (left <= 0) {
						return false;
					}
					this.channel.socket().setSoTimeout((int) left);
					if (this.in.read(discard) < 0) {
						return true;
					}
				}
			}
			catch (SocketTimeoutException ex) {
				return false;
			}
			catch (IOException ex) {
				return true;
			}
		}

		private SSLEngineResult unwrap(ByteArrayOutputStream plaintext) throws SSLException {
			while (true) {
				this.netIn.flip();
				SSLEngineResult result;
				try {
					result = this.engine.unwrap(this.netIn, this.appIn);
				}
				finally {
					this.netIn.compact();
				}
				this.appIn.flip();
				plaintext.write(this.appIn.array(), this.appIn.arrayOffset() + this.appIn.position(),
						this.appIn.remaining());
				this.appIn.clear();
				if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
					this.appIn = ByteBuffer.allocate(this.appIn.capacity() * 2);
					continue;
				}
				if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
					runTasks();
				}
				return result;
			}
		}

		private int fill() throws IOException {
			if (!this.netIn.hasRemaining()) {
				ByteBuffer larger = ByteBuffer.allocate(this.netIn.capacity() * 2);
				this.netIn.flip();
				larger.put(this.netIn);
				this.netIn = larger;
			}
			int read = this.in.read(this.netIn.array(), this.netIn.arrayOffset() + this.netIn.position(),
					this.netIn.remaining());
			if (read > 0) {
				this.netIn.position(this.netIn.position() + read);
			}
			return read;
		}

		private void runTasks() {
			for (Runnable task = this.engine.getDelegatedTask(); task != null; task = this.engine.getDelegatedTask()) {
				task.run();
			}
		}

		@Override
		public void close() throws IOException {
			this.channel.close();
		}

	}

	/**
	 * Builds TLS 1.3 records with this side's write keys (RFC 8446 §5.2): the inner plaintext is
	 * the content, the content type and zero padding; the nonce is the IV XOR the big-endian
	 * sequence number; the additional data is the record header as sent.
	 */
	static final class RecordWriter {

		private final TlsCipher cipher;

		private final Hkdf hkdf;

		private byte[] secret;

		private byte[] key;

		private byte[] iv;

		private long sequence;

		RecordWriter(TlsCipher cipher, byte[] secret, long sequence) {
			this.cipher = cipher;
			this.hkdf = Hkdf.forDigest(cipher.hashAlgorithm());
			this.sequence = sequence;
			useSecret(secret);
		}

		/** Move to the next traffic secret, as after sending a KeyUpdate (RFC 8446 §7.2). */
		void nextKey() {
			useSecret(this.hkdf.expandLabel(this.secret, "traffic upd", this.hkdf.hashLength()));
			this.sequence = 0;
		}

		private void useSecret(byte[] next) {
			this.secret = next;
			this.key = this.hkdf.expandLabel(next, "key", this.cipher.keyLength());
			this.iv = this.hkdf.expandLabel(next, "iv", TlsCipher.IV_LENGTH);
		}

		byte[] seal(int contentType, byte[] content) throws GeneralSecurityException {
			return seal(APPLICATION_DATA, contentType, 0x0303, content, 0);
		}

		byte[] seal(int outerType, int innerType, int version, byte[] content, int padding)
				throws GeneralSecurityException {
			byte[] inner = new byte[content.length + 1 + padding];
			System.arraycopy(content, 0, inner, 0, content.length);
			inner[content.length] = (byte) innerType;
			int length = inner.length + TAG_LENGTH;
			byte[] header = { (byte) outerType, (byte) (version >>> 8), (byte) version, (byte) (length >>> 8),
					(byte) length };
			byte[] nonce = this.iv.clone();
			for (int i = 0; i < 8; i++) {
				nonce[4 + i] ^= (byte) (this.sequence >>> (56 - 8 * i));
			}
			Cipher aead;
			if (this.cipher == TlsCipher.CHACHA20_POLY1305_SHA256) {
				aead = Cipher.getInstance("ChaCha20-Poly1305");
				aead.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(this.key, "ChaCha20"), new IvParameterSpec(nonce));
			}
			else {
				aead = Cipher.getInstance("AES/GCM/NoPadding");
				aead.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(this.key, "AES"), new GCMParameterSpec(128, nonce));
			}
			aead.updateAAD(header);
			byte[] sealed = aead.doFinal(inner);
			this.sequence++;
			byte[] record = new byte[HEADER_LENGTH + sealed.length];
			System.arraycopy(header, 0, record, 0, HEADER_LENGTH);
			System.arraycopy(sealed, 0, record, HEADER_LENGTH, sealed.length);
			return record;
		}

	}

	/** What the server did on one connection during one wait. */
	private static final class Observation {

		String alert = "none";

		boolean eof;

		boolean reset;

		boolean timedOut;

		String clientError;

		int status;

		String body = "";

		boolean ended() {
			return this.eof || this.reset || !this.alert.equals("none");
		}

		Observation then(Observation next) {
			next.clientError = (this.clientError != null) ? this.clientError : next.clientError;
			return next;
		}

		/**
		 * Parse an HTTP/1.1 response from the plaintext received so far.
		 * @return whether it is complete
		 */
		boolean parse(byte[] bytes) {
			String text = new String(bytes, StandardCharsets.ISO_8859_1);
			int headersEnd = text.indexOf("\r\n\r\n");
			if (headersEnd < 0 || !text.startsWith("HTTP/1.1 ")) {
				return false;
			}
			Map<String, String> headers = new LinkedHashMap<>();
			String[] lines = text.substring(0, headersEnd).split("\r\n");
			for (int i = 1; i < lines.length; i++) {
				int colon = lines[i].indexOf(':');
				if (colon > 0) {
					headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
							lines[i].substring(colon + 1).strip());
				}
			}
			String rest = text.substring(headersEnd + 4);
			String body;
			if (headers.containsKey("content-length")) {
				int length = Integer.parseInt(headers.get("content-length"));
				if (rest.length() < length) {
					return false;
				}
				body = rest.substring(0, length);
			}
			else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
				if (!rest.contains("\r\n0\r\n\r\n") && !rest.startsWith("0\r\n\r\n")) {
					return false;
				}
				StringBuilder decoded = new StringBuilder();
				int at = 0;
				while (true) {
					int lineEnd = rest.indexOf("\r\n", at);
					int size = Integer.parseInt(rest.substring(at, lineEnd).strip(), 16);
					if (size == 0) {
						break;
					}
					decoded.append(rest, lineEnd + 2, lineEnd + 2 + size);
					at = lineEnd + 2 + size + 2;
				}
				body = decoded.toString();
			}
			else {
				return false;
			}
			this.status = Integer.parseInt(lines[0].substring(9, 12));
			this.body = body;
			return true;
		}

		@Override
		public String toString() {
			return "status " + this.status + ", alert " + this.alert + ", eof " + this.eof + ", timed out "
					+ this.timedOut + ((this.clientError != null) ? ", " + this.clientError : "");
		}

	}

	/** One output line. */
	private static final class Outcome {

		final String name;

		boolean closed;

		String alert = "none";

		boolean response;

		String status = "none";

		boolean eof;

		boolean fresh;

		String suite = "?";

		String transmit = "?";

		String receive = "?";

		String terminations = "?";

		String keyUpdates = "?";

		String error;

		String detail;

		Outcome(String name) {
			this.name = name;
		}

		void error(String message) {
			this.error = (this.error == null) ? message : this.error + "; " + message;
		}

		String line() {
			return "case=" + this.name + " closed=" + this.closed + " alert=" + this.alert + " response="
					+ this.response + " status=" + this.status + " eof=" + this.eof + " fresh=" + this.fresh
					+ " suite=" + this.suite + " tx="
					+ this.transmit + " rx=" + this.receive + " terminations=" + this.terminations + " keyupdates="
					+ this.keyUpdates + " error=" + token(this.error) + " detail=" + token(this.detail);
		}

		private static String token(String text) {
			return (text == null) ? "none" : text.replaceAll("\\s+", "_");
		}

	}

}
