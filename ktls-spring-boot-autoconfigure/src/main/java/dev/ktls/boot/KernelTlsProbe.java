package dev.ktls.boot;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

import dev.ktls.boot.jdk.JdkInternals;
import dev.ktls.boot.kernel.CryptoInfo;
import dev.ktls.boot.kernel.Errno;
import dev.ktls.boot.kernel.KernelTls;
import dev.ktls.boot.kernel.KernelTlsException;
import dev.ktls.boot.kernel.TlsCipher;

/**
 * Finds out what the running kernel offers by trying it: on established loopback connections
 * (the {@code tls} ULP needs one), it attaches the ULP and sets a throw-away key per cipher and
 * direction, then sets a second transmit key to learn whether the kernel can rekey. Trying
 * each cipher also loads the kernel's crypto modules, which takes a moment the first time.
 */
public final class KernelTlsProbe {

	private KernelTlsProbe() {
	}

	/**
	 * Probe the running kernel.
	 * @return what it offers
	 */
	public static KernelTlsSupport probe() {
		String release = kernelRelease();
		Throwable platform = KernelTls.nativeUnavailabilityCause();
		if (platform != null) {
			FallbackReason reason = (platform instanceof UnsupportedOperationException)
					? FallbackReason.PLATFORM_UNSUPPORTED : FallbackReason.NATIVE_ACCESS_UNAVAILABLE;
			return KernelTlsSupport.unavailable(reason, platform, release);
		}
		Throwable jdk = JdkInternals.unavailabilityCause();
		if (jdk != null) {
			return KernelTlsSupport.unavailable(FallbackReason.JDK_INTERNALS_UNREACHABLE, jdk, release);
		}
		try {
			return probeCiphers(release);
		}
		catch (KernelTlsException ex) {
			return KernelTlsSupport.unavailable(FallbackReason.KERNEL_TLS_UNAVAILABLE, ex, release);
		}
		catch (IOException | RuntimeException ex) {
			return KernelTlsSupport.unavailable(FallbackReason.KERNEL_TLS_UNAVAILABLE,
					new IOException("Kernel TLS probe failed", ex), release);
		}
	}

	private static KernelTlsSupport probeCiphers(String release) throws IOException {
		try (LoopbackPair pair = LoopbackPair.open()) {
			KernelTls.enableUlp(pair.fd());
		}
		Set<TlsCipher> transmit = EnumSet.noneOf(TlsCipher.class);
		Set<TlsCipher> receive = EnumSet.noneOf(TlsCipher.class);
		boolean rekey = false;
		for (TlsCipher cipher : TlsCipher.values()) {
			try (LoopbackPair pair = LoopbackPair.open()) {
				KernelTls.enableUlp(pair.fd());
				if (trySetKey(pair.fd(), cipher, true)) {
					transmit.add(cipher);
					rekey = rekey || trySetKey(pair.fd(), cipher, true);
				}
				if (trySetKey(pair.fd(), cipher, false)) {
					receive.add(cipher);
				}
			}
		}
		return new KernelTlsSupport(transmit, receive, rekey, release);
	}

	private static boolean trySetKey(int fd, TlsCipher cipher, boolean transmit) throws KernelTlsException {
		byte[] key = new byte[cipher.keyLength()];
		byte[] iv = new byte[TlsCipher.IV_LENGTH];
		try (CryptoInfo info = CryptoInfo.tls13(cipher, key, iv, 0)) {
			if (transmit) {
				KernelTls.setTransmitKey(fd, info);
			}
			else {
				KernelTls.setReceiveKey(fd, info);
			}
			return true;
		}
		catch (KernelTlsException ex) {
			if (ex.getErrno() == Errno.EINVAL || ex.getErrno() == Errno.EBUSY || ex.getErrno() == Errno.ENOENT
					|| ex.getErrno() == Errno.ENOPROTOOPT) {
				return false;
			}
			throw ex;
		}
	}

	private static String kernelRelease() {
		try {
			return Files.readString(Path.of("/proc/sys/kernel/osrelease"), StandardCharsets.US_ASCII).trim();
		}
		catch (IOException | RuntimeException ex) {
			return System.getProperty("os.version");
		}
	}

	/**
	 * An established TCP connection over loopback; {@link #fd()} is the client end.
	 */
	private static final class LoopbackPair implements AutoCloseable {

		private final ServerSocketChannel server;

		private final SocketChannel client;

		private final SocketChannel accepted;

		private LoopbackPair(ServerSocketChannel server, SocketChannel client, SocketChannel accepted) {
			this.server = server;
			this.client = client;
			this.accepted = accepted;
		}

		static LoopbackPair open() throws IOException {
			ServerSocketChannel server = ServerSocketChannel.open();
			try {
				server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
				SocketChannel client = SocketChannel.open(server.getLocalAddress());
				return new LoopbackPair(server, client, server.accept());
			}
			catch (IOException | RuntimeException ex) {
				server.close();
				throw ex;
			}
		}

		int fd() {
			return JdkInternals.fileDescriptor(this.client);
		}

		@Override
		public void close() throws IOException {
			try (this.server; this.client; this.accepted) {
				// closes all three
			}
		}

	}

}
