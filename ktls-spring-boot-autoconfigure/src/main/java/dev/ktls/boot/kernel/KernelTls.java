package dev.ktls.boot.kernel;

import java.util.Locale;

/**
 * The kernel TLS operations on one socket descriptor: attach the {@code tls} upper layer
 * protocol, hand over keys per direction, and send or receive records whose content type is not
 * application data. All methods are safe to call from any thread; none of them blocks.
 */
public final class KernelTls {

	/** The largest TLS plaintext record (RFC 8446 §5.1). */
	public static final int MAX_PLAINTEXT_RECORD = 1 << 14;

	private KernelTls() {
	}

	/**
	 * Return why the native calls cannot be made on this platform, or {@code null} if they can.
	 * @return the cause, or {@code null}
	 */
	public static Throwable nativeUnavailabilityCause() {
		return NativeLoader.CAUSE;
	}

	/**
	 * Attach the {@code tls} ULP ({@code setsockopt(SOL_TCP, TCP_ULP, "tls")}). The socket must
	 * be connected ({@code ENOTCONN} otherwise); {@code ENOENT} means the kernel has no {@code tls}.
	 * @param fd the socket descriptor
	 * @throws KernelTlsException if the kernel refuses
	 */
	public static void enableUlp(int fd) throws KernelTlsException {
		NativeSocketCalls.enableUlp(fd);
	}

	/**
	 * Hand the transmit key to the kernel. On kernels before 6.14 this can be done once per
	 * socket ({@code EBUSY} afterwards); from 6.14 a TLS 1.3 socket accepts the next key.
	 * @param fd the socket descriptor
	 * @param info the key, IV and next record sequence number
	 * @throws KernelTlsException if the kernel refuses
	 */
	public static void setTransmitKey(int fd, CryptoInfo info) throws KernelTlsException {
		NativeSocketCalls.setKey(fd, true, info.bytes());
	}

	/**
	 * Hand the receive key to the kernel.
	 * @param fd the socket descriptor
	 * @param info the key, IV and next record sequence number
	 * @throws KernelTlsException if the kernel refuses
	 */
	public static void setReceiveKey(int fd, CryptoInfo info) throws KernelTlsException {
		NativeSocketCalls.setKey(fd, false, info.bytes());
	}

	/**
	 * Return the sequence number of the next record the kernel will send under the current
	 * transmit key ({@code getsockopt(SOL_TLS, TLS_TX)}).
	 * @param fd the socket descriptor
	 * @param cipher the cipher the transmit key was set with
	 * @return the next record sequence number
	 * @throws KernelTlsException if the kernel refuses
	 */
	public static long transmitRecordSequence(int fd, TlsCipher cipher) throws KernelTlsException {
		byte[] state = new byte[CryptoInfo.sizeOf(cipher)];
		try {
			NativeSocketCalls.getTxState(fd, state);
			return CryptoInfo.recordSequence(cipher, state);
		}
		finally {
			java.util.Arrays.fill(state, (byte) 0);
		}
	}

	/**
	 * Send one record of a given content type, such as an alert, encrypted by the kernel.
	 * @param fd the socket descriptor
	 * @param contentType the content type ({@link ContentType})
	 * @param payload the record's plaintext
	 * @return whether the record was queued; {@code false} if the socket buffer was full
	 * @throws KernelTlsException if the kernel refuses
	 */
	public static boolean sendRecord(int fd, int contentType, byte[] payload) throws KernelTlsException {
		return NativeSocketCalls.sendRecord(fd, contentType, payload) >= 0;
	}

	/**
	 * Receive the next record, whatever its content type, decrypted by the kernel.
	 * @param fd the socket descriptor
	 * @return the record, or {@code null} if none is ready
	 * @throws KernelTlsException if the kernel reports an error, such as {@code EBADMSG}
	 */
	public static ReceivedRecord receiveRecord(int fd) throws KernelTlsException {
		return NativeSocketCalls.receiveRecord(fd, MAX_PLAINTEXT_RECORD);
	}

	/**
	 * Clear the error the kernel left pending on a socket, such as {@code EBADMSG} after a record
	 * failed authentication, so that the socket can still send (an alert).
	 * @param fd the socket descriptor
	 * @return the error that was pending, or 0
	 */
	public static int takePendingError(int fd) {
		return NativeSocketCalls.takePendingError(fd);
	}

	/**
	 * Return the text of an {@code errno}, as {@code strerror} gives it.
	 * @param errno the error number
	 * @return its description
	 */
	public static String describe(int errno) {
		return NativeSocketCalls.describe(errno);
	}

	/**
	 * Loads the C library mapping once, remembering why it failed.
	 */
	private static final class NativeLoader {

		static final Throwable CAUSE = load();

		private static Throwable load() {
			String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
			if (!os.startsWith("linux")) {
				return new UnsupportedOperationException("Kernel TLS needs Linux; this is " + os);
			}
			try {
				if (com.sun.jna.Native.POINTER_SIZE != 8) {
					return new UnsupportedOperationException("Kernel TLS support needs a 64-bit JVM");
				}
				NativeSocketCalls.describe(Errno.ENOENT);
				return null;
			}
			catch (Throwable ex) {
				return ex;
			}
		}

	}

}
