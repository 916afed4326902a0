package dev.ktls.boot.tomcat;

import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketBufferHandler;

import dev.ktls.boot.KernelTlsOffload;

/**
 * The NIO endpoint whose TLS channels are {@link KtlsSecureNioChannel}s.
 */
public class KtlsNioEndpoint extends NioEndpoint {

	private volatile KernelTlsOffload offload;

	public KernelTlsOffload getOffload() {
		KernelTlsOffload current = this.offload;
		if (current == null) {
			synchronized (this) {
				if (this.offload == null) {
					this.offload = new KernelTlsOffload(true, false, null);
				}
				current = this.offload;
			}
		}
		return current;
	}

	public void setOffload(KernelTlsOffload offload) {
		this.offload = offload;
	}

	@Override
	protected NioChannel createChannel(SocketBufferHandler buffer) {
		if (isSSLEnabled()) {
			return new KtlsSecureNioChannel(buffer, this, getOffload());
		}
		return super.createChannel(buffer);
	}

}
