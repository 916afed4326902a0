package dev.ktls.boot.tls;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import java.security.cert.X509Certificate;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A JSSE client and server engine that complete a TLS 1.3 handshake in memory.
 */
final class EnginePair {

	final SSLEngine client;

	final SSLEngine server;

	private EnginePair(SSLEngine client, SSLEngine server) {
		this.client = client;
		this.server = server;
	}

	static EnginePair handshake(String cipherSuite) throws Exception {
		return handshake("TLSv1.3", cipherSuite);
	}

	static EnginePair handshake(String protocol, String cipherSuite) throws Exception {
		SSLContext serverContext = SSLContext.getInstance("TLS");
		serverContext.init(keyManagers(), null, null);
		SSLContext clientContext = SSLContext.getInstance("TLS");
		clientContext.init(null, new TrustManager[] { new TrustEverything() }, null);
		SSLEngine server = serverContext.createSSLEngine();
		server.setUseClientMode(false);
		SSLEngine client = clientContext.createSSLEngine("localhost", 443);
		client.setUseClientMode(true);
		for (SSLEngine engine : new SSLEngine[] { client, server }) {
			engine.setEnabledProtocols(new String[] { protocol });
			engine.setEnabledCipherSuites(new String[] { cipherSuite });
		}
		EnginePair pair = new EnginePair(client, server);
		pair.run();
		return pair;
	}

	/**
	 * Each side takes what the other sent and sends what it has, until neither has anything
	 * left: that includes the server's NewSessionTicket, sent right after its handshake.
	 */
	private void run() throws Exception {
		client.beginHandshake();
		server.beginHandshake();
		ByteBuffer toServer = ByteBuffer.allocate(64 * 1024);
		ByteBuffer toClient = ByteBuffer.allocate(64 * 1024);
		for (int round = 0; round < 50; round++) {
			boolean progress = step(client, toClient, toServer) | step(server, toServer, toClient);
			if (!progress && done(client) && done(server)) {
				return;
			}
		}
		throw new IllegalStateException("Handshake did not complete");
	}

	private static boolean step(SSLEngine engine, ByteBuffer inbound, ByteBuffer outbound) throws Exception {
		boolean progress = false;
		inbound.flip();
		ByteBuffer plain = ByteBuffer.allocate(64 * 1024);
		while (inbound.hasRemaining()) {
			int consumed = engine.unwrap(inbound, plain).bytesConsumed();
			runTasks(engine);
			if (consumed == 0) {
				break;
			}
			progress = true;
		}
		inbound.compact();
		while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
			engine.wrap(ByteBuffer.allocate(0), outbound);
			runTasks(engine);
			progress = true;
		}
		return progress;
	}

	ByteBuffer wrap(SSLEngine engine, byte[] plaintext) throws Exception {
		ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
		engine.wrap(ByteBuffer.wrap(plaintext), out);
		return out.flip();
	}

	byte[] unwrap(SSLEngine engine, ByteBuffer records) throws Exception {
		ByteBuffer plain = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
		while (records.hasRemaining()) {
			engine.unwrap(records, plain);
		}
		byte[] bytes = new byte[plain.flip().remaining()];
		plain.get(bytes);
		return bytes;
	}

	private static void runTasks(SSLEngine engine) {
		for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
			task.run();
		}
	}

	private static boolean done(SSLEngine engine) {
		return engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING;
	}

	private static javax.net.ssl.KeyManager[] keyManagers() throws Exception {
		KeyStore keyStore = KeyStore.getInstance("PKCS12");
		try (InputStream in = EnginePair.class.getResourceAsStream("/test-keystore.p12")) {
			keyStore.load(in, "changeit".toCharArray());
		}
		KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
		factory.init(keyStore, "changeit".toCharArray());
		return factory.getKeyManagers();
	}

	private static final class TrustEverything implements X509TrustManager {

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType) {
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType) {
		}

		@Override
		public X509Certificate[] getAcceptedIssuers() {
			return new X509Certificate[0];
		}

	}

}
