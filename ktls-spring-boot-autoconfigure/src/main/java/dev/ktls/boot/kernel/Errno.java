package dev.ktls.boot.kernel;

/**
 * The {@code errno} values the kernel TLS code returns ({@code asm-generic/errno-base.h},
 * {@code asm-generic/errno.h}; identical on x86-64 and arm64).
 */
public final class Errno {

	/** No such file or directory: the kernel has no {@code tls} ULP. */
	public static final int ENOENT = 2;

	/** I/O error: a non-data record met a read without room for a control message. */
	public static final int EIO = 5;

	/** Resource temporarily unavailable: nothing to read, or no room to send. */
	public static final int EAGAIN = 11;

	/** Device or resource busy: a key is already set and this kernel cannot rekey. */
	public static final int EBUSY = 16;

	/** Invalid argument: unsupported cipher or version, or a malformed record. */
	public static final int EINVAL = 22;

	/** Message too long: the record exceeds the TLS limit. */
	public static final int EMSGSIZE = 90;

	/** Protocol not available. */
	public static final int ENOPROTOOPT = 92;

	/** Socket is not connected: {@code TCP_ULP} needs an established connection. */
	public static final int ENOTCONN = 107;

	/** Bad message: record authentication failed. */
	public static final int EBADMSG = 74;

	/** Key has expired: the peer sent KeyUpdate and the kernel waits for the next key (6.14+). */
	public static final int EKEYEXPIRED = 127;

	private Errno() {
	}

}
