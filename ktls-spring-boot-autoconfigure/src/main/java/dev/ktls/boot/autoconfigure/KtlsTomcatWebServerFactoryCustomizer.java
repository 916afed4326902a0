package dev.ktls.boot.autoconfigure;

import org.apache.catalina.connector.Connector;
import org.apache.coyote.ProtocolHandler;

import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

import dev.ktls.boot.KernelTlsOffload;
import dev.ktls.boot.tomcat.KtlsHttp11NioProtocol;

/**
 * Puts the kTLS NIO protocol on the main connector of an embedded Tomcat (servlet or reactive)
 * that uses Tomcat's default NIO protocol, and leaves any other protocol alone. Runs last, so a
 * protocol set by the application's own customizers is seen and kept.
 */
public class KtlsTomcatWebServerFactoryCustomizer
		implements WebServerFactoryCustomizer<TomcatWebServerFactory>, Ordered {

	private final KernelTlsOffload offload;

	public KtlsTomcatWebServerFactoryCustomizer(KernelTlsOffload offload) {
		this.offload = offload;
	}

	@Override
	public void customize(TomcatWebServerFactory factory) {
		if (!this.offload.isEnabled()) {
			this.offload.getSupport();
			return;
		}
		if (TomcatWebServerFactory.DEFAULT_PROTOCOL.equals(factory.getProtocol())) {
			factory.setProtocol(KtlsHttp11NioProtocol.class.getName());
		}
		factory.addConnectorCustomizers(this::customizeConnector);
	}

	private void customizeConnector(Connector connector) {
		ProtocolHandler handler = connector.getProtocolHandler();
		if (handler instanceof KtlsHttp11NioProtocol protocol) {
			protocol.setOffload(this.offload);
			this.offload.getSupport();
		}
		else {
			this.offload.connectorNotSupported(handler.getClass().getName());
		}
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
