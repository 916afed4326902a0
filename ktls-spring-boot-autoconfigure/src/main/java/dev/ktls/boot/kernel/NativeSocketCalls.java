package dev.ktls.boot.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * Every native call of the library: {@code setsockopt}, {@code getsockopt}, {@code sendmsg} and
 * {@code recvmsg} from the C library, through JNA. Buffers that carry key material are native
 * memory owned here and zeroed before they are freed.
 * <p>
 * The {@code msghdr} and {@code cmsghdr} layouts are those of 64-bit Linux ({@code
 * include/linux/socket.h}): {@code msghdr} is 56 bytes with {@code msg_iov} at 16,
 * {@code msg_iovlen} at 24, {@code msg_control} at 32, {@code msg_controllen} at 40 and
 * {@code msg_flags} at 48; {@code cmsghdr} is {@code len(8) level(4) type(4)} with data at 16.
 */
final class NativeSocketCalls {

	/** {@code include/uapi/asm-generic/socket.h}. */
	private static final int SOL_SOCKET = 1;

	private static final int SO_ERROR = 4;

	static final int SOL_TCP = 6;

	/** {@code include/uapi/linux/tcp.h}. */
	static final int TCP_ULP = 31;

	/** {@code include/linux/socket.h}. */
	static final int SOL_TLS = 282;

	/** {@code include/uapi/linux/tls.h}: socket options at {@code SOL_TLS}. */
	static final int TLS_TX = 1;

	static final int TLS_RX = 2;

	/** {@code include/uapi/linux/tls.h}: control message types at {@code SOL_TLS}. */
	static final int TLS_SET_RECORD_TYPE = 1;

	static final int TLS_GET_RECORD_TYPE = 2;

	/** {@code include/linux/socket.h}. */
	private static final int MSG_DONTWAIT = 0x40;

	private static final int MSG_NOSIGNAL = 0x4000;

	private static final int MSGHDR_SIZE = 56;

	private static final int IOVEC_SIZE = 16;

	/** {@code CMSG_SPACE(1)}: one byte of data, aligned to 8. */
	private static final int CMSG_SPACE_1 = 24;

	/** {@code CMSG_LEN(1)}. */
	private static final int CMSG_LEN_1 = 17;

	private static final byte[] ULP_NAME = { 't', 'l', 's' };

	private static final LibC LIBC = Native.load("c", LibC.class);

	private NativeSocketCalls() {
	}

	static void enableUlp(int fd) throws KernelTlsException {
		try {
			LIBC.setsockopt(fd, SOL_TCP, TCP_ULP, ULP_NAME, ULP_NAME.length);
		}
		catch (LastErrorException ex) {
			throw failure(KernelTlsException.Step.ENABLE_ULP, ex);
		}
	}

	static void setKey(int fd, boolean transmit, byte[] cryptoInfo) throws KernelTlsException {
		try (Memory value = new Memory(cryptoInfo.length)) {
			value.write(0, cryptoInfo, 0, cryptoInfo.length);
			try {
				LIBC.setsockopt(fd, SOL_TLS, transmit ? TLS_TX : TLS_RX, value, cryptoInfo.length);
			}
			catch (LastErrorException ex) {
				throw failure(transmit ? KernelTlsException.Step.SET_TX_KEY : KernelTlsException.Step.SET_RX_KEY,
						ex);
			}
			finally {
				value.clear();
			}
		}
	}

	static void getTxState(int fd, byte[] cryptoInfo) throws KernelTlsException {
		try (Memory value = new Memory(cryptoInfo.length)) {
			IntByReference length = new IntByReference(cryptoInfo.length);
			try {
				LIBC.getsockopt(fd, SOL_TLS, TLS_TX, value, length);
				value.read(0, cryptoInfo, 0, Math.min(length.getValue(), cryptoInfo.length));
			}
			catch (LastErrorException ex) {
				throw failure(KernelTlsException.Step.GET_TX_STATE, ex);
			}
			finally {
				value.clear();
			}
		}
	}

	/**
	 * Read and so clear the socket's pending error ({@code getsockopt(SOL_SOCKET, SO_ERROR)}).
	 * @return the error that was pending, or 0
	 */
	static int takePendingError(int fd) {
		try (Memory value = new Memory(4)) {
			IntByReference length = new IntByReference(4);
			LIBC.getsockopt(fd, SOL_SOCKET, SO_ERROR, value, length);
			return value.getInt(0);
		}
		catch (LastErrorException ex) {
			return 0;
		}
	}

	/**
	 * Send one record of the given content type without blocking.
	 * @return the payload bytes sent, or -1 if the socket buffer is full
	 */
	static int sendRecord(int fd, int contentType, byte[] payload) throws KernelTlsException {
		try (Memory message = new Memory(MSGHDR_SIZE + IOVEC_SIZE + CMSG_SPACE_1 + Math.max(1, payload.length))) {
			message.clear();
			Pointer iov = message.share(MSGHDR_SIZE);
			Pointer control = message.share(MSGHDR_SIZE + IOVEC_SIZE);
			Pointer data = message.share(MSGHDR_SIZE + IOVEC_SIZE + CMSG_SPACE_1);
			data.write(0, payload, 0, payload.length);
			iov.setPointer(0, data);
			iov.setLong(8, payload.length);
			control.setLong(0, CMSG_LEN_1);
			control.setInt(8, SOL_TLS);
			control.setInt(12, TLS_SET_RECORD_TYPE);
			control.setByte(16, (byte) contentType);
			message.setPointer(16, iov);
			message.setLong(24, 1);
			message.setPointer(32, control);
			message.setLong(40, CMSG_SPACE_1);
			try {
				return (int) LIBC.sendmsg(fd, message, MSG_DONTWAIT | MSG_NOSIGNAL);
			}
			catch (LastErrorException ex) {
				if (ex.getErrorCode() == Errno.EAGAIN) {
					return -1;
				}
				throw failure(KernelTlsException.Step.SEND_CONTROL_RECORD, ex);
			}
			finally {
				message.clear();
			}
		}
	}

	/**
	 * Receive one record without blocking, with room for its content type.
	 * @return the record, or {@code null} if nothing is ready
	 */
	static ReceivedRecord receiveRecord(int fd, int maxLength) throws KernelTlsException {
		try (Memory message = new Memory(MSGHDR_SIZE + IOVEC_SIZE + CMSG_SPACE_1 + maxLength)) {
			message.clear();
			Pointer iov = message.share(MSGHDR_SIZE);
			Pointer control = message.share(MSGHDR_SIZE + IOVEC_SIZE);
			Pointer data = message.share(MSGHDR_SIZE + IOVEC_SIZE + CMSG_SPACE_1);
			iov.setPointer(0, data);
			iov.setLong(8, maxLength);
			message.setPointer(16, iov);
			message.setLong(24, 1);
			message.setPointer(32, control);
			message.setLong(40, CMSG_SPACE_1);
			try {
				int received = (int) LIBC.recvmsg(fd, message, MSG_DONTWAIT);
				int contentType = ContentType.APPLICATION_DATA;
				if (message.getLong(40) >= CMSG_LEN_1 && control.getInt(8) == SOL_TLS
						&& control.getInt(12) == TLS_GET_RECORD_TYPE) {
					contentType = control.getByte(16) & 0xff;
				}
				return new ReceivedRecord(contentType, data.getByteArray(0, Math.max(received, 0)), received == 0);
			}
			catch (LastErrorException ex) {
				if (ex.getErrorCode() == Errno.EAGAIN) {
					return null;
				}
				throw failure(KernelTlsException.Step.RECEIVE_RECORD, ex);
			}
			finally {
				message.clear();
			}
		}
	}

	static String describe(int errno) {
		try {
			return LIBC.strerror(errno);
		}
		catch (RuntimeException ex) {
			return "errno " + errno;
		}
	}

	private static KernelTlsException failure(KernelTlsException.Step step, LastErrorException ex) {
		int errno = ex.getErrorCode();
		return new KernelTlsException(step, errno, describe(errno));
	}

	/**
	 * The C library functions used, mapped by JNA.
	 */
	interface LibC extends Library {

		int setsockopt(int fd, int level, int name, byte[] value, int length) throws LastErrorException;

		int setsockopt(int fd, int level, int name, Pointer value, int length) throws LastErrorException;

		int getsockopt(int fd, int level, int name, Pointer value, IntByReference length) throws LastErrorException;

		long sendmsg(int fd, Pointer message, int flags) throws LastErrorException;

		long recvmsg(int fd, Pointer message, int flags) throws LastErrorException;

		String strerror(int errno);

	}

}
