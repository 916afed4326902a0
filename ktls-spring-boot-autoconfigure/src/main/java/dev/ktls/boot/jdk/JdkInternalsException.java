package dev.ktls.boot.jdk;

/**
 * JDK-internal state could not be read: the JVM lacks the options that open it, or the JDK's
 * layout differs from the one this library knows.
 */
public class JdkInternalsException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public JdkInternalsException(String message, Throwable cause) {
		super(message, cause);
	}

}
