package dev.ktls.boot;

import dev.ktls.boot.kernel.CryptoInfo;
import dev.ktls.boot.kernel.KernelTls;
import dev.ktls.boot.kernel.KernelTlsException;

/**
 * Hands a connection's key for one direction to the kernel. The library uses
 * {@link #KERNEL}; tests replace it through {@link KernelTlsOffload#setKeyInstaller} to make the
 * kernel refuse a key on purpose.
 */
@FunctionalInterface
public interface KernelKeyInstaller {

	/** {@code setsockopt(SOL_TLS, TLS_TX or TLS_RX)}. */
	KernelKeyInstaller KERNEL = (fd, transmit, info) -> {
		if (transmit) {
			KernelTls.setTransmitKey(fd, info);
		}
		else {
			KernelTls.setReceiveKey(fd, info);
		}
	};

	/**
	 * Hand a key to the kernel.
	 * @param fd the socket descriptor
	 * @param transmit {@code true} for the transmit direction, {@code false} for receive
	 * @param info the key
	 * @throws KernelTlsException if the kernel refuses
	 */
	void install(int fd, boolean transmit, CryptoInfo info) throws KernelTlsException;

}
