package dev.ktls.boot;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.function.Supplier;

import javax.crypto.BadPaddingException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLProtocolException;

import dev.ktls.boot.jdk.Tls12KeyBlock;
import dev.ktls.boot.jdk.TrafficState;
import dev.ktls.boot.kernel.ContentType;
import dev.ktls.boot.kernel.CryptoInfo;
import dev.ktls.boot.kernel.Errno;
import dev.ktls.boot.kernel.KernelTls;
import dev.ktls.boot.kernel.KernelTlsException;
import dev.ktls.boot.kernel.TlsCipher;
import dev.ktls.boot.tls.Alert;
import dev.ktls.boot.tls.TrafficKeys;

/**
 * The kernel's side of one TLS 1.3 connection: hands over the keys per direction, follows
 * KeyUpdate (RFC 8446 §4.6.3) where the kernel can take a new key, and sends and interprets the
 * records that are not application data.
 * <p>
 * To follow a KeyUpdate the current traffic secret of each direction held by the kernel is kept
 * here (only on kernels that can rekey) and wiped by {@link #close()}. Everything sent through
 * the kernel by this class or by the application's writes is serialised by
 * {@link #transmitLock()}, so that a KeyUpdate reply and the new transmit key never interleave
 * with a write from another thread.
 */
public final class KernelRecordLayer implements AutoCloseable {

	/** {@code HandshakeType key_update}. */
	private static final int KEY_UPDATE = 24;

	private static final Pattern JSSE_ALERT = Pattern.compile("\\(([a-z_]+)\\) (.*)", Pattern.DOTALL);

	private static final int KEY_UPDATE_LENGTH = 5;

	private static final int UPDATE_REQUESTED = 1;

	private static final long SEND_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

	/**
	 * Full records one AES-GCM key may protect: 2^24.5 (RFC 8446 §5.5), rounded down. The
	 * system property {@code ktls.test.record-limit} lowers it, for tests only.
	 */
	static final long AES_GCM_RECORD_LIMIT = Long.getLong("ktls.test.record-limit", 23_726_566L);

	/** ChaCha20-Poly1305's safety limit lies beyond the 2^64 sequence numbers (RFC 8446 §5.5). */
	private static final long UNLIMITED = Long.MAX_VALUE;

	private final KernelTlsOffload offload;

	private final int fd;

	private final TlsCipher cipher;

	private final boolean rekey;

	private final boolean tls12;

	private final Supplier<TlsConnectionInfo> connection;

	private final ReentrantLock transmitLock = new ReentrantLock();

	private byte[] readSecret;

	private byte[] writeSecret;

	private boolean alertSent;

	private final long recordLimit;

	/** An upper bound of the records sent under the current key, from what was written. */
	private long recordsEstimate;

	private boolean keyExhausted;

	/**
	 * Create the record layer of a connection.
	 * @param offload the server's offload
	 * @param fd the socket descriptor
	 * @param cipher the negotiated cipher
	 * @param tls12 whether the connection negotiated TLS 1.2 rather than TLS 1.3
	 * @param connection describes the connection for reports
	 */
	public KernelRecordLayer(KernelTlsOffload offload, int fd, TlsCipher cipher, boolean tls12,
			Supplier<TlsConnectionInfo> connection) {
		this.offload = offload;
		this.fd = fd;
		this.cipher = cipher;
		this.tls12 = tls12;
		this.rekey = !tls12 && offload.getSupport().canRekey();
		this.connection = connection;
		this.recordLimit = (cipher == TlsCipher.CHACHA20_POLY1305_SHA256) ? UNLIMITED : AES_GCM_RECORD_LIMIT;
	}

	/**
	 * Attach the {@code tls} ULP and hand the transmit key to the kernel. If this fails nothing
	 * has changed for the connection: the engine can carry on.
	 * @param state the engine's traffic state, with the write sequence of the next record
	 * @throws KernelTlsException if the kernel refuses
	 */
	public void armTransmit(TrafficState state) throws KernelTlsException {
		KernelTls.enableUlp(this.fd);
		setKey(true, state.writeSecret(), state.writeSequence());
		this.recordsEstimate = state.writeSequence();
		if (this.rekey) {
			this.writeSecret = state.writeSecret().clone();
		}
		this.offload.transmitOffloaded(this.connection.get());
	}

	/**
	 * Hand the receive key to the kernel, which must happen at a record boundary.
	 * @param state the engine's traffic state, with the read sequence of the next record
	 * @param afterBufferedRecords whether the engine decrypted records first
	 * @return whether the kernel took it; if not, the fallback has been reported
	 */
	public boolean armReceive(TrafficState state, boolean afterBufferedRecords) {
		try {
			setKey(false, state.readSecret(), state.readSequence());
		}
		catch (KernelTlsException ex) {
			this.offload.fallback(this.connection.get(), FallbackReason.RECEIVE_NOT_OFFLOADED, ex);
			return false;
		}
		if (this.rekey) {
			this.readSecret = state.readSecret().clone();
		}
		this.offload.receiveOffloaded(this.connection.get(), afterBufferedRecords);
		return true;
	}

	/**
	 * Attach the {@code tls} ULP and hand the TLS 1.2 transmit key to the kernel.
	 * @param keys the engine's keys, with the write sequence of the next record
	 * @throws KernelTlsException if the kernel refuses
	 */
	public void armTransmit(Tls12KeyBlock keys) throws KernelTlsException {
		KernelTls.enableUlp(this.fd);
		try (CryptoInfo info = CryptoInfo.tls12(this.cipher, keys.writeKey(), keys.writeIv(), keys.writeSequence())) {
			this.offload.getKeyInstaller().install(this.fd, true, info);
		}
		this.recordsEstimate = keys.writeSequence();
		this.offload.transmitOffloaded(this.connection.get());
	}

	/**
	 * Hand the TLS 1.2 receive key to the kernel, which must happen at a record boundary.
	 * @param keys the engine's keys, with the read sequence of the next record
	 * @param afterBufferedRecords whether the engine decrypted records first
	 * @return whether the kernel took it; if not, the fallback has been reported
	 */
	public boolean armReceive(Tls12KeyBlock keys, boolean afterBufferedRecords) {
		try (CryptoInfo info = CryptoInfo.tls12(this.cipher, keys.readKey(), keys.readIv(), keys.readSequence())) {
			this.offload.getKeyInstaller().install(this.fd, false, info);
		}
		catch (KernelTlsException ex) {
			this.offload.fallback(this.connection.get(), FallbackReason.RECEIVE_NOT_OFFLOADED, ex);
			return false;
		}
		this.offload.receiveOffloaded(this.connection.get(), afterBufferedRecords);
		return true;
	}

	/**
	 * Return the socket descriptor.
	 * @return the descriptor
	 */
	public int fd() {
		return this.fd;
	}

	/**
	 * Return the lock that serialises everything sent on the connection.
	 * @return the lock
	 */
	public ReentrantLock transmitLock() {
		return this.transmitLock;
	}

	/**
	 * Act on a record that is not application data, received from the kernel.
	 * @param record the record
	 * @return {@code true} for the end of the stream (close_notify), {@code false} to read on
	 * @throws IOException if the connection must close: a fatal alert, an unexpected record, or
	 * a KeyUpdate this kernel cannot follow
	 */
	public boolean onControlRecord(int contentType, byte[] payload) throws IOException {
		if (contentType == ContentType.ALERT) {
			return onAlert(payload);
		}
		if (contentType == ContentType.HANDSHAKE && this.tls12) {
			throw refuseRenegotiation();
		}
		if (contentType == ContentType.HANDSHAKE && payload.length > 0 && (payload[0] & 0xff) == KEY_UPDATE) {
			onKeyUpdate(payload);
			return false;
		}
		String what = (contentType == ContentType.HANDSHAKE)
				? "handshake message of type " + ((payload.length > 0) ? payload[0] & 0xff : -1)
				: "record of content type " + contentType;
		throw terminate(TerminationReason.UNEXPECTED_MESSAGE, "Unexpected " + what + " after the handshake",
				Alert.UNEXPECTED_MESSAGE);
	}

	/**
	 * End the connection after the kernel rejected a received record, with the alert that
	 * matches what the kernel found (RFC 8446 §6.2): the transmit direction still works.
	 * @param failure the kernel's error
	 * @return the failure to throw
	 */
	public IOException onBadRecord(KernelTlsException failure) {
		int alert = switch (failure.getErrno()) {
			case Errno.EBADMSG -> Alert.BAD_RECORD_MAC;
			case Errno.EMSGSIZE -> Alert.RECORD_OVERFLOW;
			case Errno.EINVAL -> Alert.DECODE_ERROR;
			default -> -1;
		};
		this.offload.terminated(this.connection.get(), TerminationReason.BAD_RECORD, failure);
		KernelTls.takePendingError(this.fd);
		if (alert >= 0) {
			sendAlert(Alert.LEVEL_FATAL, alert);
		}
		return failure;
	}

	/**
	 * End the connection after the engine, still decrypting, failed on a record: send through
	 * the kernel the alert the engine would have sent, or none if the peer sent a fatal one.
	 * JSSE names the alert at the start of its message from JDK 21 on, as in
	 * {@code (bad_record_mac) ...}; on older JDKs it is told from the exception.
	 * @param failure the engine's failure
	 * @return the failure to throw
	 */
	public SSLException onEngineFailure(SSLException failure) {
		if (failure instanceof KtlsTerminationException) {
			// Raised by this class from within the engine's read: already counted and answered
			return failure;
		}
		String message = String.valueOf(failure.getMessage());
		if (message.contains("Received fatal alert")) {
			this.alertSent = true;
			this.offload.terminated(this.connection.get(), TerminationReason.PEER_ALERT, failure);
			return failure;
		}
		int alert = engineAlert(failure, message);
		this.offload.terminated(this.connection.get(), (alert == Alert.UNEXPECTED_MESSAGE)
				? TerminationReason.UNEXPECTED_MESSAGE : TerminationReason.BAD_RECORD, failure);
		sendAlert(Alert.LEVEL_FATAL, alert);
		return failure;
	}

	private static int engineAlert(SSLException failure, String message) {
		Matcher named = JSSE_ALERT.matcher(message);
		if (named.matches() && Alert.code(named.group(1)) >= 0) {
			return Alert.code(named.group(1));
		}
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof BadPaddingException) {
				return Alert.BAD_RECORD_MAC;
			}
		}
		return (failure instanceof SSLProtocolException) ? Alert.UNEXPECTED_MESSAGE : Alert.DECODE_ERROR;
	}

	private boolean onAlert(byte[] payload) throws SSLException {
		if (Alert.isCloseNotify(payload)) {
			return true;
		}
		// No alert goes back after a fatal one (RFC 8446 §6.2)
		this.alertSent = true;
		throw terminate(TerminationReason.PEER_ALERT, "Received " + Alert.describe(payload), -1);
	}

	private void onKeyUpdate(byte[] payload) throws IOException {
		if (payload.length != KEY_UPDATE_LENGTH || payload[1] != 0 || payload[2] != 0 || payload[3] != 1
				|| (payload[4] & 0xff) > UPDATE_REQUESTED) {
			throw terminate(TerminationReason.UNEXPECTED_MESSAGE, "Malformed KeyUpdate message",
					Alert.DECODE_ERROR);
		}
		if (this.readSecret == null) {
			throw terminate(TerminationReason.KEY_UPDATE_NOT_SUPPORTED,
					"The peer sent a KeyUpdate; the receive key is in a kernel that cannot take a new one", -1);
		}
		byte[] next = TrafficKeys.nextSecret(this.cipher, this.readSecret);
		try {
			setKey(false, next, 0);
		}
		catch (KernelTlsException ex) {
			Arrays.fill(next, (byte) 0);
			throw terminate(TerminationReason.KEY_UPDATE_NOT_SUPPORTED, ex);
		}
		Arrays.fill(this.readSecret, (byte) 0);
		this.readSecret = next;
		this.offload.receiveKeyUpdated();
		if (payload[4] == UPDATE_REQUESTED) {
			updateTransmitKey();
		}
	}

	/**
	 * Account for bytes the application wrote through the kernel, and keep the transmit key
	 * within its usage limit: the kernel enforces none. Each write ends at least one record, and
	 * a record holds at most 16 KiB, so the estimate never falls below the kernel's count; when
	 * it reaches the limit the exact count is read from the kernel. At the limit (overshot by at
	 * most the records of one write) the key is replaced by a KeyUpdate where the kernel can take
	 * a new one; elsewhere the connection ends. Called with {@link #transmitLock()} held.
	 * @param bytes the bytes one write call sent
	 * @throws IOException if the limit is reached and the key cannot be replaced
	 */
	public void written(long bytes) throws IOException {
		if (this.keyExhausted) {
			throw keyUsageLimitReached();
		}
		this.recordsEstimate += 1 + bytes / KernelTls.MAX_PLAINTEXT_RECORD;
		if (this.recordsEstimate < this.recordLimit) {
			return;
		}
		this.recordsEstimate = KernelTls.transmitRecordSequence(this.fd, this.cipher);
		if (this.recordsEstimate < this.recordLimit) {
			return;
		}
		if (this.writeSecret != null) {
			updateTransmitKey();
			return;
		}
		this.keyExhausted = true;
		throw keyUsageLimitReached();
	}

	private IOException keyUsageLimitReached() {
		return terminate(TerminationReason.KEY_USAGE_LIMIT, "The transmit key reached its usage limit of "
				+ this.recordLimit + " records and this kernel cannot take a new one", -1);
	}

	/**
	 * Refuse a TLS 1.2 renegotiation with a no_renegotiation alert (RFC 5246 §7.2.2) and end the
	 * connection: the engine's state is stale and the kernel cannot change its keys.
	 * @return the failure to throw
	 */
	public SSLException refuseRenegotiation() {
		SSLException failure = terminate(TerminationReason.RENEGOTIATION_REFUSED,
				"The peer started a renegotiation on a connection offloaded to the kernel", -1);
		sendAlert(Alert.LEVEL_WARNING, Alert.NO_RENEGOTIATION);
		return failure;
	}

	/**
	 * Answer the peer's request for a KeyUpdate: send KeyUpdate(update_not_requested) under the
	 * current transmit key, then hand the kernel the next one (RFC 8446 §4.6.3).
	 * @throws IOException if this kernel cannot take a new transmit key, or sending failed
	 */
	public void updateTransmitKey() throws IOException {
		if (this.writeSecret == null) {
			throw terminate(TerminationReason.KEY_UPDATE_NOT_SUPPORTED,
					"The peer requested a KeyUpdate; the transmit key is in a kernel that cannot take a new one", -1);
		}
		this.transmitLock.lock();
		try {
			sendWithin(ContentType.HANDSHAKE, new byte[] { KEY_UPDATE, 0, 0, 1, 0 });
			byte[] next = TrafficKeys.nextSecret(this.cipher, this.writeSecret);
			try {
				setKey(true, next, 0);
			}
			catch (KernelTlsException ex) {
				Arrays.fill(next, (byte) 0);
				// The peer now expects the new key, which the kernel refused: nothing more can be sent
				this.alertSent = true;
				throw terminate(TerminationReason.KEY_UPDATE_NOT_SUPPORTED, ex);
			}
			Arrays.fill(this.writeSecret, (byte) 0);
			this.writeSecret = next;
			this.recordsEstimate = 0;
			this.offload.transmitKeyUpdated();
		}
		finally {
			this.transmitLock.unlock();
		}
	}

	/**
	 * Send close_notify through the kernel unless an alert already ended the connection.
	 */
	public void sendCloseNotify() {
		sendAlert(Alert.LEVEL_WARNING, Alert.CLOSE_NOTIFY);
	}

	private void sendAlert(int level, int description) {
		this.transmitLock.lock();
		try {
			if (this.alertSent) {
				return;
			}
			this.alertSent = true;
			KernelTls.sendRecord(this.fd, ContentType.ALERT, Alert.payload(level, description));
		}
		catch (KernelTlsException ex) {
			// The peer is gone (EPIPE, ECONNRESET) or not reading: there is nobody left to tell
		}
		finally {
			this.transmitLock.unlock();
		}
	}

	/**
	 * Send a control record, waiting while the socket buffer is full: a KeyUpdate reply must go
	 * out before anything under the next key.
	 */
	private void sendWithin(int contentType, byte[] payload) throws IOException {
		long deadline = System.nanoTime() + SEND_TIMEOUT_NANOS;
		while (!KernelTls.sendRecord(this.fd, contentType, payload)) {
			if (System.nanoTime() - deadline > 0) {
				throw new IOException("Socket send buffer stayed full for "
						+ TimeUnit.NANOSECONDS.toSeconds(SEND_TIMEOUT_NANOS) + " s while sending a KeyUpdate");
			}
			try {
				Thread.sleep(1);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException("Interrupted while sending a KeyUpdate", ex);
			}
		}
	}

	private void setKey(boolean transmit, byte[] secret, long sequence) throws KernelTlsException {
		try (TrafficKeys keys = TrafficKeys.derive(this.cipher, secret);
				CryptoInfo info = keys.toCryptoInfo(sequence)) {
			this.offload.getKeyInstaller().install(this.fd, transmit, info);
		}
	}

	private SSLException terminate(TerminationReason reason, String message, int alert) {
		SSLException failure = new KtlsTerminationException(reason, message, null);
		this.offload.terminated(this.connection.get(), reason, failure);
		if (alert >= 0) {
			sendAlert(Alert.LEVEL_FATAL, alert);
		}
		return failure;
	}

	private SSLException terminate(TerminationReason reason, KernelTlsException cause) {
		SSLException failure = new KtlsTerminationException(reason, "KeyUpdate failed: " + cause.getMessage(), cause);
		this.offload.terminated(this.connection.get(), reason, failure);
		return failure;
	}

	/**
	 * Wipe the kept traffic secrets.
	 */
	@Override
	public void close() {
		this.transmitLock.lock();
		try {
			wipe(this.readSecret);
			wipe(this.writeSecret);
			this.readSecret = null;
			this.writeSecret = null;
		}
		finally {
			this.transmitLock.unlock();
		}
	}

	private static void wipe(byte[] secret) {
		if (secret != null) {
			Arrays.fill(secret, (byte) 0);
		}
	}

}
