package dev.ktls.boot.tomcat;

import org.apache.coyote.http11.Http11NioProtocol;

import dev.ktls.boot.KernelTlsOffload;

/**
 * Tomcat's HTTP/1.1 NIO protocol (with HTTP/2 upgrade and ALPN as configured) whose TLS
 * connections move record encryption into the kernel after the handshake. Connectors that do not
 * use TLS behave exactly as with {@link Http11NioProtocol}.
 */
public class KtlsHttp11NioProtocol extends Http11NioProtocol {

	public KtlsHttp11NioProtocol() {
		super(new KtlsNioEndpoint());
	}

	/**
	 * Set the offload the connections report to.
	 * @param offload the offload
	 */
	public void setOffload(KernelTlsOffload offload) {
		((KtlsNioEndpoint) getEndpoint()).setOffload(offload);
	}

	/**
	 * Return the offload the connections report to.
	 * @return the offload
	 */
	public KernelTlsOffload getOffload() {
		return ((KtlsNioEndpoint) getEndpoint()).getOffload();
	}

}
