package dev.ktls.sample.kernel;

import java.security.cert.X509Certificate;

import javax.net.ssl.X509TrustManager;

/**
 * Trusts the sample's self-signed development certificate, and anything else: the clients of the
 * kernel tests talk to nothing but the sample, over loopback inside a test kernel.
 */
final class TrustingManager implements X509TrustManager {

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
