package dev.ktls.boot.tomcat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.NioEndpoint.NioSocketWrapper;
import org.apache.tomcat.util.net.SecureNioChannel;
import org.apache.tomcat.util.net.SocketBufferHandler;

import dev.ktls.boot.FallbackReason;
import dev.ktls.boot.KernelRecordLayer;
import dev.ktls.boot.KernelTlsOffload;
import dev.ktls.boot.KtlsConnection;
import dev.ktls.boot.TerminationReason;
import dev.ktls.boot.TlsConnectionInfo;
import dev.ktls.boot.jdk.JdkInternals;
import dev.ktls.boot.jdk.JdkInternalsException;
import dev.ktls.boot.jdk.Tls12KeyBlock;
import dev.ktls.boot.jdk.TrafficState;
import dev.ktls.boot.kernel.ContentType;
import dev.ktls.boot.kernel.Errno;
import dev.ktls.boot.kernel.KernelTls;
import dev.ktls.boot.kernel.KernelTlsException;
import dev.ktls.boot.kernel.ReceivedRecord;
import dev.ktls.boot.kernel.TlsCipher;
import dev.ktls.boot.tls.RecordLayer;

/**
 * A {@link SecureNioChannel} that, once the JSSE handshake is complete and flushed, hands the
 * connection's keys (TLS 1.3, or TLS 1.2 with an AEAD) to the kernel and from then on carries
 * plaintext through the socket.
 * <p>
 * Transmit always moves to the kernel when it can; receive moves too when enabled, but only at a
 * record boundary: records that arrived with the client's Finished are decrypted by the engine
 * first, and reads from the socket are cut at the end of the record they are in until the
 * buffer is empty. Anything that fails before the transmit key is in the kernel leaves the
 * connection on the engine. Once it is, the engine never writes again: close_notify, KeyUpdate
 * replies and new keys go through {@link KernelRecordLayer}; what the kernel cannot do (a
 * KeyUpdate on a kernel that cannot rekey, a renegotiation) closes the connection.
 */
public class KtlsSecureNioChannel extends SecureNioChannel {

	private static final String TLS_1_3 = "TLSv1.3";

	private static final String TLS_1_2 = "TLSv1.2";

	private static final int MAX_CONTROL_RECORDS_PER_READ = 16;

	private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

	private final KernelTlsOffload offload;

	private boolean offloadAttempted;

	private volatile boolean transmitInKernel;

	private volatile ReceiveMode receiveMode = ReceiveMode.ENGINE;

	private boolean receiveDeferred;

	private boolean inputClosed;

	private KernelRecordLayer recordLayer;

	private boolean tls12;

	private ByteBuffer pendingPlaintext;

	private volatile FallbackReason fallbackReason;

	private String registrationKey;

	private final KtlsConnection view = new ConnectionView();

	public KtlsSecureNioChannel(SocketBufferHandler bufHandler, NioEndpoint endpoint, KernelTlsOffload offload) {
		super(bufHandler, endpoint);
		this.offload = offload;
	}

	@Override
	public void reset(SocketChannel channel, NioSocketWrapper socketWrapper) throws IOException {
		unregister();
		super.reset(channel, socketWrapper);
		this.fallbackReason = null;
		this.offloadAttempted = false;
		this.transmitInKernel = false;
		this.receiveMode = ReceiveMode.ENGINE;
		this.receiveDeferred = false;
		this.inputClosed = false;
		this.pendingPlaintext = null;
		closeRecordLayer();
		this.recordLayer = null;
		this.tls12 = false;
	}

	/**
	 * Return whether encryption of this connection is done by the kernel.
	 * @return whether transmit is offloaded
	 */
	public boolean isTransmitOffloaded() {
		return this.transmitInKernel;
	}

	/**
	 * Return whether decryption of this connection is done by the kernel.
	 * @return whether receive is offloaded
	 */
	public boolean isReceiveOffloaded() {
		return this.receiveMode == ReceiveMode.KERNEL;
	}

	@Override
	public int handshake(boolean read, boolean write) throws IOException {
		int status = super.handshake(read, write);
		if (status == 0 && !this.offloadAttempted) {
			this.offloadAttempted = true;
			offload();
			register();
		}
		return status;
	}

	private void offload() {
		SSLEngine engine = this.sslEngine;
		FallbackReason reason = this.offload.getServerWideReason();
		if (reason == null) {
			reason = checkEngine(engine);
		}
		if (reason != null) {
			fallback(reason, null);
			return;
		}
		SSLSession session = engine.getSession();
		boolean tls12 = TLS_1_2.equals(session.getProtocol());
		TlsCipher cipher = negotiatedCipher(session);
		try {
			KernelRecordLayer layer = new KernelRecordLayer(this.offload, JdkInternals.fileDescriptor(this.sc),
					cipher, tls12, this::describe);
			armTransmit(layer, tls12);
			this.recordLayer = layer;
			this.tls12 = tls12;
			this.transmitInKernel = true;
			if (this.offload.isReceiveOffload()) {
				startReceiveOffload(cipher);
			}
		}
		catch (JdkInternalsException ex) {
			fallback(FallbackReason.ENGINE_STATE_UNREADABLE, ex);
		}
		catch (KernelTlsException ex) {
			boolean halfClosed = ex.getStep() == KernelTlsException.Step.ENABLE_ULP && ex.getErrno() == Errno.ENOTCONN;
			fallback(halfClosed ? FallbackReason.CONNECTION_CLOSING : FallbackReason.KERNEL_REFUSED, ex);
		}
	}

	private static TlsCipher negotiatedCipher(SSLSession session) {
		return TLS_1_2.equals(session.getProtocol()) ? TlsCipher.forTls12Suite(session.getCipherSuite())
				: TlsCipher.forSuite(session.getCipherSuite());
	}

	private void fallback(FallbackReason reason, Throwable cause) {
		this.fallbackReason = reason;
		this.offload.fallback(describe(), reason, cause);
	}

	private void register() {
		SocketAddress remote = remoteSocketAddress();
		if (remote instanceof InetSocketAddress address && address.getAddress() != null) {
			this.registrationKey = KernelTlsOffload.connectionKey(address.getAddress().getHostAddress(),
					address.getPort());
			this.offload.register(this.registrationKey, this.view);
		}
	}

	private void unregister() {
		if (this.registrationKey != null) {
			this.offload.unregister(this.registrationKey, this.view);
			this.registrationKey = null;
		}
	}

	private FallbackReason checkEngine(SSLEngine engine) {
		if (!JdkInternals.isJsseEngine(engine)) {
			return FallbackReason.ENGINE_NOT_SUPPORTED;
		}
		SSLSession session = engine.getSession();
		String protocol = session.getProtocol();
		if (!TLS_1_3.equals(protocol) && !(TLS_1_2.equals(protocol) && this.offload.isTls12Offload())) {
			return FallbackReason.PROTOCOL_NOT_OFFLOADED;
		}
		TlsCipher negotiated = negotiatedCipher(session);
		if (negotiated == null || !this.offload.getSupport().canTransmit(negotiated)) {
			return FallbackReason.CIPHER_NOT_SUPPORTED;
		}
		if (engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
				|| this.netOutBuffer.hasRemaining()) {
			// The engine still has handshake output (such as more session tickets) to send
			return FallbackReason.ENGINE_STATE_UNREADABLE;
		}
		return null;
	}

	private void armTransmit(KernelRecordLayer layer, boolean tls12) throws KernelTlsException {
		if (tls12) {
			try (Tls12KeyBlock keys = JdkInternals.captureTls12Keys(this.sslEngine)) {
				layer.armTransmit(keys);
			}
		}
		else {
			try (TrafficState state = JdkInternals.captureTls13State(this.sslEngine)) {
				layer.armTransmit(state);
			}
		}
	}

	private void startReceiveOffload(TlsCipher cipher) {
		if (!this.offload.getSupport().canReceive(cipher)) {
			fallback(FallbackReason.RECEIVE_NOT_OFFLOADED,
					new IOException("The kernel offers no receive support for " + cipher.suiteName()));
			return;
		}
		if (this.netInBuffer.position() == 0) {
			armReceive();
		}
		else {
			// Records that came with the client's Finished: the engine decrypts them first
			this.receiveMode = ReceiveMode.DEFERRED;
			this.receiveDeferred = true;
		}
	}

	private void armReceive() {
		boolean armed;
		try {
			armed = armReceiveFromEngineState();
		}
		catch (JdkInternalsException ex) {
			this.offload.fallback(describe(), FallbackReason.RECEIVE_NOT_OFFLOADED, ex);
			armed = false;
		}
		if (armed) {
			this.receiveMode = ReceiveMode.KERNEL;
		}
		else {
			this.receiveMode = ReceiveMode.ENGINE;
			this.fallbackReason = FallbackReason.RECEIVE_NOT_OFFLOADED;
		}
	}

	private boolean armReceiveFromEngineState() {
		if (this.tls12) {
			try (Tls12KeyBlock keys = JdkInternals.captureTls12Keys(this.sslEngine)) {
				return this.recordLayer.armReceive(keys, this.receiveDeferred);
			}
		}
		try (TrafficState state = JdkInternals.captureTls13State(this.sslEngine)) {
			return this.recordLayer.armReceive(state, this.receiveDeferred);
		}
	}

	private void armDeferredReceiveAtBoundary() {
		if (this.receiveMode == ReceiveMode.DEFERRED && this.netInBuffer.position() == 0 && !this.closing) {
			armReceive();
		}
	}

	@Override
	public int read(ByteBuffer dst) throws IOException {
		if (this.pendingPlaintext != null) {
			return drainPendingPlaintext(dst);
		}
		switch (this.receiveMode) {
			case KERNEL:
				return (int) readFromKernel(dst, null, 0, 0);
			case DEFERRED:
				int limit = limitNetInToRecordBoundary();
				try {
					return readThroughEngine(dst);
				}
				finally {
					this.netInBuffer.limit(limit);
					armDeferredReceiveAtBoundary();
				}
			default:
				return readThroughEngine(dst);
		}
	}

	@Override
	public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
		if (this.pendingPlaintext != null) {
			return drainPendingPlaintext(firstWithRoom(dsts, offset, length));
		}
		switch (this.receiveMode) {
			case KERNEL:
				return readFromKernel(null, dsts, offset, length);
			case DEFERRED:
				int limit = limitNetInToRecordBoundary();
				try {
					return readThroughEngine(dsts, offset, length);
				}
				finally {
					this.netInBuffer.limit(limit);
					armDeferredReceiveAtBoundary();
				}
			default:
				return readThroughEngine(dsts, offset, length);
		}
	}

	private int readThroughEngine(ByteBuffer dst) throws IOException {
		int read;
		try {
			read = super.read(dst);
		}
		catch (SSLException ex) {
			throw engineFailed(ex);
		}
		checkNoRenegotiation();
		return read;
	}

	private long readThroughEngine(ByteBuffer[] dsts, int offset, int length) throws IOException {
		long read;
		try {
			read = super.read(dsts, offset, length);
		}
		catch (SSLException ex) {
			throw engineFailed(ex);
		}
		checkNoRenegotiation();
		return read;
	}

	/**
	 * The engine rejected a record after the hand-off: its alert must go out through the kernel.
	 */
	private SSLException engineFailed(SSLException failure) {
		return this.transmitInKernel ? this.recordLayer.onEngineFailure(failure) : failure;
	}

	/**
	 * After the engine decrypted: a TLS 1.2 peer's ClientHello starts a renegotiation in the
	 * engine, which waits to answer while the peer waits for the answer. Refuse it at once.
	 */
	private void checkNoRenegotiation() throws IOException {
		if (this.transmitInKernel && this.tls12
				&& this.sslEngine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
			throw this.recordLayer.refuseRenegotiation();
		}
	}

	/**
	 * Keep the next socket read from going past the end of the record the buffered bytes end
	 * in, so that the receive key can be handed over at a record boundary.
	 * @return the buffer's limit to restore afterwards
	 */
	private int limitNetInToRecordBoundary() {
		int capacity = this.netInBuffer.capacity();
		int filled = this.netInBuffer.position();
		this.netInBuffer.limit(Math.min(capacity, RecordLayer.fillLimit(this.netInBuffer, filled)));
		return capacity;
	}

	/**
	 * Read plaintext the kernel decrypted. A plain read fails with {@code EIO} when the next
	 * record is not application data, and with the kernel's error when a record is bad: the
	 * record is then received with its type to tell which. Control records are bounded per call
	 * so that a peer flooding them cannot keep one read busy.
	 * @param dst the buffer to read into, or {@code null} to scatter into {@code dsts}
	 */
	private long readFromKernel(ByteBuffer dst, ByteBuffer[] dsts, int offset, int length) throws IOException {
		for (int records = 0; records < MAX_CONTROL_RECORDS_PER_READ; records++) {
			if (this.inputClosed || this.closing || this.closed) {
				return -1;
			}
			try {
				return (dst != null) ? this.sc.read(dst) : this.sc.read(dsts, offset, length);
			}
			catch (ClosedChannelException ex) {
				throw ex;
			}
			catch (IOException ex) {
				ReceivedRecord record = receiveRecord(ex);
				if (record.endOfStream()) {
					return -1;
				}
				if (record.contentType() == ContentType.APPLICATION_DATA) {
					return deliver(record.payload(), (dst != null) ? dst : firstWithRoom(dsts, offset, length));
				}
				this.inputClosed = this.recordLayer.onControlRecord(record.contentType(), record.payload());
			}
		}
		return 0;
	}

	private ReceivedRecord receiveRecord(IOException readFailure) throws IOException {
		ReceivedRecord record;
		try {
			record = KernelTls.receiveRecord(this.recordLayer.fd());
		}
		catch (KernelTlsException ex) {
			ex.addSuppressed(readFailure);
			throw this.recordLayer.onBadRecord(ex);
		}
		if (record == null) {
			// The kernel reported the bad record on the read itself (EMSGSIZE, EINVAL) and has
			// nothing more to say: the read's error names it
			int errno = badRecordErrno(readFailure);
			if (errno == 0) {
				throw readFailure;
			}
			KernelTlsException failure = new KernelTlsException(KernelTlsException.Step.RECEIVE_RECORD, errno,
					readFailure.getMessage());
			failure.addSuppressed(readFailure);
			throw this.recordLayer.onBadRecord(failure);
		}
		return record;
	}

	/**
	 * Tell which bad-record error a failed read reported, from its message: the JDK words it as
	 * {@code strerror} does.
	 */
	private static int badRecordErrno(IOException readFailure) {
		String message = readFailure.getMessage();
		for (int errno : new int[] { Errno.EBADMSG, Errno.EMSGSIZE, Errno.EINVAL }) {
			if (KernelTls.describe(errno).equals(message)) {
				return errno;
			}
		}
		return 0;
	}

	private int deliver(byte[] plaintext, ByteBuffer dst) {
		int count = Math.min(plaintext.length, (dst != null) ? dst.remaining() : 0);
		if (count > 0) {
			dst.put(plaintext, 0, count);
		}
		if (count < plaintext.length) {
			this.pendingPlaintext = ByteBuffer.wrap(plaintext, count, plaintext.length - count);
		}
		return count;
	}

	private int drainPendingPlaintext(ByteBuffer dst) {
		if (dst == null) {
			return 0;
		}
		ByteBuffer pending = this.pendingPlaintext;
		int count = Math.min(pending.remaining(), dst.remaining());
		ByteBuffer slice = pending.slice();
		slice.limit(count);
		dst.put(slice);
		pending.position(pending.position() + count);
		if (!pending.hasRemaining()) {
			this.pendingPlaintext = null;
		}
		return count;
	}

	private static ByteBuffer firstWithRoom(ByteBuffer[] buffers, int offset, int length) {
		for (int i = offset; i < offset + length; i++) {
			if (buffers[i].hasRemaining()) {
				return buffers[i];
			}
		}
		return null;
	}

	@Override
	public int write(ByteBuffer src) throws IOException {
		if (!this.transmitInKernel || src == this.netOutBuffer) {
			return super.write(src);
		}
		checkInterruptStatus();
		ReentrantLock lock = this.recordLayer.transmitLock();
		lock.lock();
		try {
			checkOpenForWrite();
			int written = this.sc.write(src);
			if (written > 0) {
				this.recordLayer.written(written);
			}
			return written;
		}
		finally {
			lock.unlock();
		}
	}

	@Override
	public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
		if (!this.transmitInKernel) {
			return super.write(srcs, offset, length);
		}
		checkInterruptStatus();
		ReentrantLock lock = this.recordLayer.transmitLock();
		lock.lock();
		try {
			checkOpenForWrite();
			long written = this.sc.write(srcs, offset, length);
			if (written > 0) {
				this.recordLayer.written(written);
			}
			return written;
		}
		finally {
			lock.unlock();
		}
	}

	private void checkOpenForWrite() throws IOException {
		if (this.closing || this.closed) {
			throw new IOException("The offloaded TLS connection is closing");
		}
	}

	/**
	 * Called by the read path when the engine, which still decrypts, has handshake output. After
	 * the hand-off that can only be the reply to the peer's KeyUpdate request: the engine's
	 * write state is stale, so its output is discarded and the reply and the new transmit key go
	 * through the kernel, where the kernel can take a new key; elsewhere the connection closes.
	 */
	@Override
	protected SSLEngineResult handshakeWrap(boolean doWrite) throws IOException {
		if (!this.transmitInKernel) {
			return super.handshakeWrap(doWrite);
		}
		if (this.tls12) {
			throw this.recordLayer.refuseRenegotiation();
		}
		this.recordLayer.updateTransmitKey();
		ByteBuffer discarded = ByteBuffer.allocate(this.sslEngine.getSession().getPacketBufferSize());
		SSLEngineResult result;
		do {
			discarded.clear();
			result = this.sslEngine.wrap(EMPTY, discarded);
		}
		while (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP
				&& result.getStatus() == SSLEngineResult.Status.OK && result.bytesProduced() > 0);
		Arrays.fill(discarded.array(), (byte) 0);
		if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
			throw new SSLException("The TLS engine kept handshake output pending after a KeyUpdate");
		}
		this.handshakeStatus = result.getHandshakeStatus();
		return result;
	}

	@Override
	public void rehandshake(long timeout) throws IOException {
		if (!this.transmitInKernel) {
			super.rehandshake(timeout);
			return;
		}
		IOException failure = new IOException("A new handshake cannot run on a connection offloaded to the kernel");
		this.offload.terminated(describe(), TerminationReason.RENEGOTIATION_REFUSED, failure);
		throw failure;
	}

	/**
	 * Sends close_notify through the kernel once the transmit key is there; the engine's own
	 * close would encrypt it with a stale sequence number.
	 */
	@Override
	public void close() throws IOException {
		if (!this.transmitInKernel) {
			super.close();
			return;
		}
		if (this.closing) {
			return;
		}
		this.closing = true;
		this.closed = true;
		if (this.sc.isOpen()) {
			this.recordLayer.sendCloseNotify();
		}
	}

	@Override
	public void close(boolean force) throws IOException {
		try {
			super.close(force);
		}
		finally {
			if (this.closed) {
				unregister();
				closeRecordLayer();
			}
		}
	}

	@Override
	public void free() {
		closeRecordLayer();
		super.free();
	}

	private void closeRecordLayer() {
		KernelRecordLayer layer = this.recordLayer;
		if (layer != null) {
			layer.close();
		}
	}

	private TlsConnectionInfo describe() {
		SSLEngine engine = this.sslEngine;
		SSLSession session = (engine != null) ? engine.getSession() : null;
		return new TlsConnectionInfo(remoteAddress(), (session != null) ? session.getProtocol() : null,
				(session != null) ? session.getCipherSuite() : null);
	}

	private String remoteAddress() {
		SocketAddress address = remoteSocketAddress();
		return (address != null) ? address.toString() : null;
	}

	private SocketAddress remoteSocketAddress() {
		try {
			return (this.sc != null) ? this.sc.getRemoteAddress() : null;
		}
		catch (IOException ex) {
			return null;
		}
	}

	@Override
	public String toString() {
		return super.toString() + "[kTLS transmit=" + this.transmitInKernel + ", receive=" + this.receiveMode + "]";
	}

	private final class ConnectionView implements KtlsConnection {

		@Override
		public boolean isTransmitOffloaded() {
			return KtlsSecureNioChannel.this.isTransmitOffloaded();
		}

		@Override
		public boolean isReceiveOffloaded() {
			return KtlsSecureNioChannel.this.isReceiveOffloaded();
		}

		@Override
		public FallbackReason getFallbackReason() {
			return KtlsSecureNioChannel.this.fallbackReason;
		}

		@Override
		public TlsConnectionInfo getInfo() {
			return describe();
		}

	}

	private enum ReceiveMode {

		/** The engine decrypts. */
		ENGINE,

		/** The engine decrypts until the buffered bytes end at a record boundary. */
		DEFERRED,

		/** The kernel decrypts. */
		KERNEL

	}

}
