package dev.ktls.boot.kernel;

/**
 * TLS record content types (RFC 8446 §5.1), as the kernel reports them in
 * {@code TLS_GET_RECORD_TYPE} and takes them in {@code TLS_SET_RECORD_TYPE}.
 */
public final class ContentType {

	public static final int CHANGE_CIPHER_SPEC = 20;

	public static final int ALERT = 21;

	public static final int HANDSHAKE = 22;

	public static final int APPLICATION_DATA = 23;

	private ContentType() {
	}

}
