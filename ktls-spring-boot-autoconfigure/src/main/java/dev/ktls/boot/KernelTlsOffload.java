package dev.ktls.boot;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The kernel TLS offload of one server: its settings, what the kernel offers, the statistics,
 * and the reporting of fallbacks. Shared by all connections of the server's connector.
 */
public class KernelTlsOffload {

	private static final Log logger = LogFactory.getLog(KernelTlsOffload.class);

	private final boolean enabled;

	private final boolean receiveOffload;

	private final Supplier<KernelTlsSupport> probe;

	private final KtlsFallbackListener listener;

	private final KtlsStatistics statistics = new KtlsStatistics();

	private final Set<FallbackReason> warned = EnumSet.noneOf(FallbackReason.class);

	private final Map<String, KtlsConnection> connections = new ConcurrentHashMap<>();

	private volatile KernelTlsSupport support;

	private volatile String connectorRefusal;

	private volatile boolean tls12Offload = true;

	private volatile KernelKeyInstaller keyInstaller = KernelKeyInstaller.KERNEL;

	/**
	 * Create an offload that probes the running kernel the first time it is asked.
	 * @param enabled whether offload is enabled at all
	 * @param receiveOffload whether decryption moves into the kernel too
	 * @param listener the listener for fallbacks, or {@code null}
	 */
	public KernelTlsOffload(boolean enabled, boolean receiveOffload, KtlsFallbackListener listener) {
		this(enabled, receiveOffload, KernelTlsProbe::probe, listener);
	}

	/**
	 * Create an offload that asks a given probe what the kernel offers, for example one that
	 * returns {@link KernelTlsSupport} known in advance.
	 * @param enabled whether offload is enabled at all
	 * @param receiveOffload whether decryption moves into the kernel too
	 * @param probe called once, the first time the support is needed
	 * @param listener the listener for fallbacks, or {@code null}
	 */
	public KernelTlsOffload(boolean enabled, boolean receiveOffload, Supplier<KernelTlsSupport> probe,
			KtlsFallbackListener listener) {
		this.enabled = enabled;
		this.receiveOffload = receiveOffload;
		this.probe = probe;
		this.listener = listener;
	}

	/**
	 * Return whether offload is enabled by configuration.
	 * @return whether it is enabled
	 */
	public boolean isEnabled() {
		return this.enabled;
	}

	/**
	 * Return whether decryption is offloaded too, not only encryption.
	 * @return whether receive offload is on
	 */
	public boolean isReceiveOffload() {
		return this.receiveOffload;
	}

	/**
	 * Return whether TLS 1.2 connections with an AEAD cipher suite and ECDHE are offloaded too.
	 * @return whether TLS 1.2 is offloaded
	 */
	public boolean isTls12Offload() {
		return this.tls12Offload;
	}

	/**
	 * Set whether TLS 1.2 connections are offloaded; when not, they stay in userspace, counted as
	 * {@link FallbackReason#PROTOCOL_NOT_OFFLOADED}.
	 * @param tls12Offload whether TLS 1.2 is offloaded
	 */
	public void setTls12Offload(boolean tls12Offload) {
		this.tls12Offload = tls12Offload;
	}

	/**
	 * Replace how connection keys reach the kernel: for tests that inject a refusal.
	 * @param keyInstaller the installer
	 */
	public void setKeyInstaller(KernelKeyInstaller keyInstaller) {
		this.keyInstaller = keyInstaller;
	}

	KernelKeyInstaller getKeyInstaller() {
		return this.keyInstaller;
	}

	/**
	 * Return what the kernel offers, probing it on the first call.
	 * @return the support
	 */
	public KernelTlsSupport getSupport() {
		KernelTlsSupport current = this.support;
		if (current == null) {
			synchronized (this) {
				current = this.support;
				if (current == null) {
					current = this.enabled ? this.probe.get()
							: KernelTlsSupport.unavailable(FallbackReason.DISABLED, null, null);
					logSupport(current);
					this.support = current;
				}
			}
		}
		return current;
	}

	/**
	 * Return the reason that keeps every connection of this server in userspace, or
	 * {@code null} if connections can be offloaded.
	 * @return the reason or {@code null}
	 */
	public FallbackReason getServerWideReason() {
		if (!this.enabled) {
			return FallbackReason.DISABLED;
		}
		if (this.connectorRefusal != null) {
			return FallbackReason.CONNECTOR_NOT_SUPPORTED;
		}
		return getSupport().getUnavailabilityReason();
	}

	/**
	 * Return why the connector was left alone, or {@code null} if it was not.
	 * @return a description, or {@code null}
	 */
	public String getConnectorRefusal() {
		return this.connectorRefusal;
	}

	public KtlsStatistics getStatistics() {
		return this.statistics;
	}

	/**
	 * Record that the server's connector cannot be offloaded.
	 * @param protocolClass the class of its protocol handler
	 */
	public void connectorNotSupported(String protocolClass) {
		this.connectorRefusal = "protocol handler [" + protocolClass + "] is not the kTLS NIO protocol";
		logger.info("Kernel TLS is off for this server: " + this.connectorRefusal
				+ "; only Tomcat's default NIO connector with JSSE is offloaded");
	}

	public void transmitOffloaded(TlsConnectionInfo connection) {
		this.statistics.transmitOffloaded();
		if (logger.isDebugEnabled()) {
			logger.debug("Kernel TLS transmit armed for " + connection);
		}
	}

	public void receiveOffloaded(TlsConnectionInfo connection, boolean afterBufferedRecords) {
		this.statistics.receiveOffloaded(afterBufferedRecords);
		if (logger.isDebugEnabled()) {
			logger.debug("Kernel TLS receive armed for " + connection
					+ (afterBufferedRecords ? " after decrypting buffered records in userspace" : ""));
		}
	}

	void receiveKeyUpdated() {
		this.statistics.receiveKeyUpdated();
	}

	void transmitKeyUpdated() {
		this.statistics.transmitKeyUpdated();
	}

	/**
	 * Count and report a connection, or a direction, that stays in userspace.
	 * @param connection the connection
	 * @param reason why
	 * @param cause the failure behind it, or {@code null}
	 */
	public void fallback(TlsConnectionInfo connection, FallbackReason reason, Throwable cause) {
		this.statistics.fallback(reason);
		boolean reportedAtStart = (reason == getServerWideReason());
		if (reason.isUnexpected() && !reportedAtStart && firstWarning(reason)) {
			logger.warn("Kernel TLS offload failed for " + connection + ": " + reason.getDescription()
					+ ((cause != null) ? " (" + cause + ")" : "")
					+ "; such connections use userspace TLS. Further occurrences are logged at DEBUG.");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Kernel TLS not used for " + connection + ": " + reason.getDescription(), cause);
		}
		notifyListener(connection, reason, cause);
	}

	/**
	 * Count an offloaded connection that is closed by this library.
	 * @param connection the connection
	 * @param reason why
	 * @param cause the failure behind it, or {@code null}
	 */
	public void terminated(TlsConnectionInfo connection, TerminationReason reason, Throwable cause) {
		this.statistics.terminated(reason);
		if (logger.isDebugEnabled()) {
			logger.debug("Closing offloaded connection " + connection + ": " + reason.getDescription(), cause);
		}
	}

	/**
	 * Find the open TLS connection of a request by the peer's address and port, as the servlet
	 * API reports them ({@code getRemoteAddr()}, {@code getRemotePort()}) when no proxy rewrote
	 * them.
	 * @param remoteAddress the peer's IP address
	 * @param remotePort the peer's port
	 * @return the connection's state when this method was called, or {@code null} if no such
	 * connection is open
	 */
	public KtlsConnection findConnection(String remoteAddress, int remotePort) {
		KtlsConnection live = this.connections.get(connectionKey(remoteAddress, remotePort));
		return (live != null) ? new ConnectionSnapshot(live.isTransmitOffloaded(), live.isReceiveOffloaded(),
				live.getFallbackReason(), live.getInfo()) : null;
	}

	/**
	 * Make a connection findable by {@link #findConnection}.
	 * @param key the key from {@link #connectionKey}
	 * @param connection the connection
	 */
	public void register(String key, KtlsConnection connection) {
		this.connections.put(key, connection);
	}

	/**
	 * Forget a connection registered with {@link #register}.
	 * @param key the key it was registered with
	 * @param connection the connection
	 */
	public void unregister(String key, KtlsConnection connection) {
		this.connections.remove(key, connection);
	}

	/**
	 * Return the key under which a connection to a peer is registered.
	 * @param remoteAddress the peer's IP address in its textual form
	 * @param remotePort the peer's port
	 * @return the key
	 */
	public static String connectionKey(String remoteAddress, int remotePort) {
		return remoteAddress + "|" + remotePort;
	}

	private synchronized boolean firstWarning(FallbackReason reason) {
		return this.warned.add(reason);
	}

	private void notifyListener(TlsConnectionInfo connection, FallbackReason reason, Throwable cause) {
		if (this.listener == null) {
			return;
		}
		try {
			this.listener.onFallback(connection, reason, cause);
		}
		catch (RuntimeException ex) {
			logger.warn("Kernel TLS fallback listener failed", ex);
		}
	}

	private static void logSupport(KernelTlsSupport support) {
		if (support.isAvailable()) {
			logger.info("Kernel TLS available: " + support);
			return;
		}
		FallbackReason reason = support.getUnavailabilityReason();
		String message = "Kernel TLS unavailable, TLS stays in userspace: " + reason.getDescription()
				+ ((support.getUnavailabilityCause() != null) ? " (" + support.getUnavailabilityCause() + ")" : "");
		if (reason.isUnexpected()) {
			logger.warn(message);
		}
		else {
			logger.info(message);
		}
	}

	/**
	 * A connection's state at one moment: pooled channels serve other connections later.
	 */
	private record ConnectionSnapshot(boolean isTransmitOffloaded, boolean isReceiveOffloaded,
			FallbackReason getFallbackReason, TlsConnectionInfo getInfo) implements KtlsConnection {

	}

}
