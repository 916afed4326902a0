package dev.ktls.boot;

import javax.net.ssl.SSLException;

/**
 * This library ends an offloaded connection: the reason has been counted and any alert sent.
 */
public class KtlsTerminationException extends SSLException {

	private static final long serialVersionUID = 1L;

	private final TerminationReason reason;

	public KtlsTerminationException(TerminationReason reason, String message, Throwable cause) {
		super(message, cause);
		this.reason = reason;
	}

	public TerminationReason getReason() {
		return this.reason;
	}

}
