package dev.ktls.boot;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

import dev.ktls.boot.kernel.TlsCipher;

/**
 * What the running kernel offers, as found by {@link KernelTlsProbe}: the ciphers it accepts
 * per direction and whether it can take a new key on a socket that already has one (TLS 1.3
 * KeyUpdate, Linux 6.14+).
 */
public final class KernelTlsSupport {

	private final FallbackReason unavailabilityReason;

	private final Throwable unavailabilityCause;

	private final Set<TlsCipher> transmitCiphers;

	private final Set<TlsCipher> receiveCiphers;

	private final boolean rekey;

	private final String kernelRelease;

	KernelTlsSupport(Set<TlsCipher> transmitCiphers, Set<TlsCipher> receiveCiphers, boolean rekey,
			String kernelRelease) {
		this(null, null, transmitCiphers, receiveCiphers, rekey, kernelRelease);
	}

	private KernelTlsSupport(FallbackReason unavailabilityReason, Throwable unavailabilityCause,
			Set<TlsCipher> transmitCiphers, Set<TlsCipher> receiveCiphers, boolean rekey, String kernelRelease) {
		this.unavailabilityReason = unavailabilityReason;
		this.unavailabilityCause = unavailabilityCause;
		this.transmitCiphers = Collections.unmodifiableSet(copy(transmitCiphers));
		this.receiveCiphers = Collections.unmodifiableSet(copy(receiveCiphers));
		this.rekey = rekey;
		this.kernelRelease = kernelRelease;
	}

	/**
	 * Return support for the given ciphers.
	 * @param transmitCiphers the ciphers the kernel encrypts with
	 * @param receiveCiphers the ciphers the kernel decrypts with
	 * @param rekey whether the kernel takes a new TLS 1.3 key on a socket that has one
	 * @param kernelRelease the kernel release, or {@code null}
	 * @return the support
	 */
	public static KernelTlsSupport available(Set<TlsCipher> transmitCiphers, Set<TlsCipher> receiveCiphers,
			boolean rekey, String kernelRelease) {
		return new KernelTlsSupport(transmitCiphers, receiveCiphers, rekey, kernelRelease);
	}

	/**
	 * Return support that is not there.
	 * @param reason why
	 * @param cause the failure behind it, or {@code null}
	 * @param kernelRelease the kernel release, or {@code null}
	 * @return the support
	 */
	public static KernelTlsSupport unavailable(FallbackReason reason, Throwable cause, String kernelRelease) {
		return new KernelTlsSupport(reason, cause, Set.of(), Set.of(), false, kernelRelease);
	}

	public boolean isAvailable() {
		return this.unavailabilityReason == null;
	}

	/**
	 * Return why no connection can be offloaded, or {@code null} if some can.
	 * @return the reason or {@code null}
	 */
	public FallbackReason getUnavailabilityReason() {
		return this.unavailabilityReason;
	}

	public Throwable getUnavailabilityCause() {
		return this.unavailabilityCause;
	}

	public Set<TlsCipher> getTransmitCiphers() {
		return this.transmitCiphers;
	}

	public Set<TlsCipher> getReceiveCiphers() {
		return this.receiveCiphers;
	}

	public boolean canTransmit(TlsCipher cipher) {
		return this.transmitCiphers.contains(cipher);
	}

	public boolean canReceive(TlsCipher cipher) {
		return this.receiveCiphers.contains(cipher);
	}

	/**
	 * Return whether the kernel accepts a new TLS 1.3 key on a socket that has one, which a
	 * KeyUpdate needs.
	 * @return whether the kernel can rekey
	 */
	public boolean canRekey() {
		return this.rekey;
	}

	public String getKernelRelease() {
		return this.kernelRelease;
	}

	private static Set<TlsCipher> copy(Set<TlsCipher> ciphers) {
		return ciphers.isEmpty() ? EnumSet.noneOf(TlsCipher.class) : EnumSet.copyOf(ciphers);
	}

	@Override
	public String toString() {
		if (!isAvailable()) {
			return "unavailable: " + this.unavailabilityReason.getDescription();
		}
		return "kernel " + this.kernelRelease + ", transmit " + this.transmitCiphers + ", receive "
				+ this.receiveCiphers + ", rekey " + this.rekey;
	}

}
