package dev.ktls.boot.kernel;

import java.io.IOException;

/**
 * A system call of the kernel TLS API failed. Carries the step that failed and the
 * {@code errno} the kernel returned, so callers can tell an unsupported cipher ({@code EINVAL})
 * from a missing {@code tls} module ({@code ENOENT}) or a rekey the kernel cannot do
 * ({@code EBUSY}).
 */
public class KernelTlsException extends IOException {

	private static final long serialVersionUID = 1L;

	private final Step step;

	private final int errno;

	public KernelTlsException(Step step, int errno, String errnoText) {
		super(step.describe() + " failed: " + errnoText + " (errno " + errno + ")");
		this.step = step;
		this.errno = errno;
	}

	public Step getStep() {
		return this.step;
	}

	public int getErrno() {
		return this.errno;
	}

	/**
	 * The system call that failed.
	 */
	public enum Step {

		/** {@code setsockopt(SOL_TCP, TCP_ULP, "tls")}. */
		ENABLE_ULP("setsockopt(TCP_ULP, \"tls\")"),

		/** {@code setsockopt(SOL_TLS, TLS_TX, crypto_info)}. */
		SET_TX_KEY("setsockopt(SOL_TLS, TLS_TX)"),

		/** {@code setsockopt(SOL_TLS, TLS_RX, crypto_info)}. */
		SET_RX_KEY("setsockopt(SOL_TLS, TLS_RX)"),

		/** {@code getsockopt(SOL_TLS, TLS_TX)}. */
		GET_TX_STATE("getsockopt(SOL_TLS, TLS_TX)"),

		/** {@code sendmsg} with a {@code TLS_SET_RECORD_TYPE} control message. */
		SEND_CONTROL_RECORD("sendmsg(TLS_SET_RECORD_TYPE)"),

		/** {@code recvmsg} with room for a {@code TLS_GET_RECORD_TYPE} control message. */
		RECEIVE_RECORD("recvmsg(TLS_GET_RECORD_TYPE)");

		private final String call;

		Step(String call) {
			this.call = call;
		}

		String describe() {
			return this.call;
		}

	}

}
