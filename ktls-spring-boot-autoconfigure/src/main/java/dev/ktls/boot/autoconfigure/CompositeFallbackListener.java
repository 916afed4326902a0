package dev.ktls.boot.autoconfigure;

import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.ktls.boot.FallbackReason;
import dev.ktls.boot.KtlsFallbackListener;
import dev.ktls.boot.TlsConnectionInfo;

/**
 * Calls every {@link KtlsFallbackListener} bean in order; one that fails does not keep the
 * others from being called.
 */
class CompositeFallbackListener implements KtlsFallbackListener {

	private static final Log logger = LogFactory.getLog(CompositeFallbackListener.class);

	private final List<KtlsFallbackListener> listeners;

	CompositeFallbackListener(List<KtlsFallbackListener> listeners) {
		this.listeners = List.copyOf(listeners);
	}

	@Override
	public void onFallback(TlsConnectionInfo connection, FallbackReason reason, Throwable cause) {
		for (KtlsFallbackListener listener : this.listeners) {
			try {
				listener.onFallback(connection, reason, cause);
			}
			catch (RuntimeException ex) {
				logger.warn("Kernel TLS fallback listener " + listener.getClass().getName() + " failed", ex);
			}
		}
	}

}
