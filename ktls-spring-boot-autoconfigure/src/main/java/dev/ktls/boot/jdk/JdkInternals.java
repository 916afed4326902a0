package dev.ktls.boot.jdk;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.channels.SocketChannel;

import javax.crypto.SecretKey;
import javax.net.ssl.SSLEngine;

/**
 * Reads what the kernel needs from JDK internals: the traffic secrets and record sequence
 * numbers of a JSSE {@code SSLEngine} ({@code sun.security.ssl}, the same fields on JDK 17
 * through 25), and the file descriptor of a {@link SocketChannel} ({@code sun.nio.ch.SelChImpl}).
 * <p>
 * The path through JSSE: {@code SSLEngineImpl.conContext} (a {@code TransportContext}) →
 * {@code inputRecord.readCipher} / {@code outputRecord.writeCipher} → {@code baseSecret} (the
 * TLS 1.3 application traffic secret) and {@code authenticator.block} (its first eight bytes are
 * the next record sequence number, big-endian).
 */
public final class JdkInternals {

	/** The JVM options that open the internals this class reads. */
	public static final String REQUIRED_JVM_OPTIONS = "--add-opens java.base/sun.security.ssl=ALL-UNNAMED "
			+ "--add-exports java.base/sun.nio.ch=ALL-UNNAMED";

	private static final String JSSE_ENGINE = "sun.security.ssl.SSLEngineImpl";

	private JdkInternals() {
	}

	/**
	 * Return why the internals cannot be read in this JVM, or {@code null} if they can.
	 * @return the cause, or {@code null}
	 */
	public static Throwable unavailabilityCause() {
		return Access.CAUSE;
	}

	/**
	 * Return whether an engine is the JDK's own, whose state this class can read.
	 * @param engine the engine
	 * @return whether it is a JSSE engine
	 */
	public static boolean isJsseEngine(SSLEngine engine) {
		return engine.getClass().getName().equals(JSSE_ENGINE);
	}

	/**
	 * Return the descriptor of a socket channel.
	 * @param channel the channel
	 * @return its file descriptor
	 */
	public static int fileDescriptor(SocketChannel channel) {
		requireAvailable();
		try {
			return (int) Access.GET_FD_VAL.invoke(channel);
		}
		catch (Throwable ex) {
			throw new JdkInternalsException("Cannot read the descriptor of " + channel.getClass().getName(), ex);
		}
	}

	/**
	 * Capture the current application traffic state of a TLS 1.3 engine whose handshake is
	 * complete and whose output has been flushed.
	 * @param engine a JSSE engine
	 * @return the state; the caller closes it to wipe the secrets
	 */
	public static TrafficState captureTls13State(SSLEngine engine) {
		try {
			RecordCiphers ciphers = RecordCiphers.of(engine);
			byte[] readSecret = encoded((SecretKey) Access.READ_SECRET.get(ciphers.read()), "read");
			byte[] writeSecret = encoded((SecretKey) Access.WRITE_SECRET.get(ciphers.write()), "write");
			return new TrafficState(readSecret, ciphers.readSequence(), writeSecret, ciphers.writeSequence());
		}
		catch (ReflectiveOperationException | ClassCastException ex) {
			throw new JdkInternalsException("Cannot read the record state of the TLS engine", ex);
		}
	}

	/**
	 * Capture the current keys of a TLS 1.2 engine with an AEAD cipher (AES-GCM or
	 * ChaCha20-Poly1305) whose handshake is complete and whose output has been flushed. JSSE's
	 * AEAD cipher objects hold {@code key} and either {@code fixedIv} (GCM) or {@code iv}
	 * (ChaCha20-Poly1305).
	 * @param engine a JSSE engine
	 * @return the keys; the caller closes it to wipe them
	 */
	public static Tls12KeyBlock captureTls12Keys(SSLEngine engine) {
		try {
			RecordCiphers ciphers = RecordCiphers.of(engine);
			return new Tls12KeyBlock(cipherKey(ciphers.read()), cipherIv(ciphers.read()), ciphers.readSequence(),
					cipherKey(ciphers.write()), cipherIv(ciphers.write()), ciphers.writeSequence());
		}
		catch (ReflectiveOperationException | ClassCastException ex) {
			throw new JdkInternalsException("Cannot read the TLS 1.2 keys of the TLS engine", ex);
		}
	}

	private static byte[] cipherKey(Object cipher) throws ReflectiveOperationException {
		byte[] key = ((java.security.Key) declaredField(cipher.getClass(), "key").get(cipher)).getEncoded();
		if (key == null) {
			throw new JdkInternalsException("The engine's cipher key is not extractable", null);
		}
		return key;
	}

	private static byte[] cipherIv(Object cipher) throws ReflectiveOperationException {
		Class<?> type = cipher.getClass();
		Field iv;
		try {
			iv = declaredField(type, "fixedIv");
		}
		catch (NoSuchFieldException ex) {
			iv = declaredField(type, "iv");
		}
		return ((byte[]) iv.get(cipher)).clone();
	}

	private static Field declaredField(Class<?> type, String name) throws NoSuchFieldException {
		Field field = type.getDeclaredField(name);
		field.setAccessible(true);
		return field;
	}

	private static long sequence(Object authenticator) throws IllegalAccessException {
		byte[] block = (byte[]) Access.AUTHENTICATOR_BLOCK.get(authenticator);
		long sequence = 0;
		for (int i = 0; i < 8; i++) {
			sequence = (sequence << 8) | (block[i] & 0xff);
		}
		return sequence;
	}

	private static byte[] encoded(SecretKey secret, String direction) {
		byte[] bytes = (secret != null) ? secret.getEncoded() : null;
		if (bytes == null) {
			throw new JdkInternalsException("The engine holds no " + direction + " traffic secret", null);
		}
		return bytes;
	}

	private static void requireAvailable() {
		if (Access.CAUSE != null) {
			throw new JdkInternalsException("JDK internals are not reachable; start the JVM with "
					+ REQUIRED_JVM_OPTIONS, Access.CAUSE);
		}
	}

	/**
	 * The engine's current read and write cipher objects and the sequence numbers of their next
	 * records.
	 */
	private record RecordCiphers(Object read, long readSequence, Object write, long writeSequence) {

		static RecordCiphers of(SSLEngine engine) throws IllegalAccessException {
			requireAvailable();
			Object context = Access.CON_CONTEXT.get(engine);
			Object read = Access.READ_CIPHER.get(Access.INPUT_RECORD.get(context));
			Object write = Access.WRITE_CIPHER.get(Access.OUTPUT_RECORD.get(context));
			return new RecordCiphers(read, sequence(Access.READ_AUTHENTICATOR.get(read)), write,
					sequence(Access.WRITE_AUTHENTICATOR.get(write)));
		}

	}

	/**
	 * Resolves every field and method once.
	 */
	private static final class Access {

		static Field CON_CONTEXT;

		static Field INPUT_RECORD;

		static Field OUTPUT_RECORD;

		static Field READ_CIPHER;

		static Field WRITE_CIPHER;

		static Field READ_SECRET;

		static Field WRITE_SECRET;

		static Field READ_AUTHENTICATOR;

		static Field WRITE_AUTHENTICATOR;

		static Field AUTHENTICATOR_BLOCK;

		static MethodHandle GET_FD_VAL;

		static final Throwable CAUSE = resolve();

		private static Throwable resolve() {
			try {
				CON_CONTEXT = field(JSSE_ENGINE, "conContext");
				INPUT_RECORD = field("sun.security.ssl.TransportContext", "inputRecord");
				OUTPUT_RECORD = field("sun.security.ssl.TransportContext", "outputRecord");
				READ_CIPHER = field("sun.security.ssl.InputRecord", "readCipher");
				WRITE_CIPHER = field("sun.security.ssl.OutputRecord", "writeCipher");
				READ_SECRET = field("sun.security.ssl.SSLCipher$SSLReadCipher", "baseSecret");
				WRITE_SECRET = field("sun.security.ssl.SSLCipher$SSLWriteCipher", "baseSecret");
				READ_AUTHENTICATOR = field("sun.security.ssl.SSLCipher$SSLReadCipher", "authenticator");
				WRITE_AUTHENTICATOR = field("sun.security.ssl.SSLCipher$SSLWriteCipher", "authenticator");
				AUTHENTICATOR_BLOCK = field("sun.security.ssl.Authenticator", "block");
				Class<?> selectable = Class.forName("sun.nio.ch.SelChImpl");
				GET_FD_VAL = MethodHandles.lookup()
					.findVirtual(selectable, "getFDVal", MethodType.methodType(int.class))
					.asType(MethodType.methodType(int.class, SocketChannel.class));
				return null;
			}
			catch (Throwable ex) {
				return ex;
			}
		}

		private static Field field(String className, String name) throws ReflectiveOperationException {
			Field field = Class.forName(className).getDeclaredField(name);
			field.setAccessible(true);
			return field;
		}

	}

}
