package dev.ktls.boot.autoconfigure;

import java.io.InputStream;
import java.security.KeyStore;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The test server's certificate ({@code test-keystore.p12}), for clients that trust it.
 */
final class TestCertificate {

	private TestCertificate() {
	}

	static SSLContext trustingContext() throws Exception {
		KeyStore trustStore = KeyStore.getInstance("PKCS12");
		try (InputStream in = TestCertificate.class.getResourceAsStream("/test-keystore.p12")) {
			trustStore.load(in, "changeit".toCharArray());
		}
		TrustManagerFactory trustManagers = TrustManagerFactory
			.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trustManagers.init(trustStore);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, trustManagers.getTrustManagers(), null);
		return context;
	}

}
