package dev.ktls.boot.jdk;

import java.util.Arrays;

/**
 * The application traffic secrets of both directions of a TLS 1.3 connection and the sequence
 * number of the next record in each, as the engine holds them at one moment. The secrets are
 * copies owned by this object: {@link #close()} wipes them.
 */
public final class TrafficState implements AutoCloseable {

	private final byte[] readSecret;

	private final long readSequence;

	private final byte[] writeSecret;

	private final long writeSequence;

	TrafficState(byte[] readSecret, long readSequence, byte[] writeSecret, long writeSequence) {
		this.readSecret = readSecret;
		this.readSequence = readSequence;
		this.writeSecret = writeSecret;
		this.writeSequence = writeSequence;
	}

	/**
	 * Return the peer's traffic secret (the one this side decrypts with).
	 * @return the secret, owned by this object
	 */
	public byte[] readSecret() {
		return this.readSecret;
	}

	/**
	 * Return the sequence number of the next record this side will decrypt.
	 * @return the sequence number
	 */
	public long readSequence() {
		return this.readSequence;
	}

	/**
	 * Return this side's traffic secret (the one it encrypts with).
	 * @return the secret, owned by this object
	 */
	public byte[] writeSecret() {
		return this.writeSecret;
	}

	/**
	 * Return the sequence number of the next record this side will encrypt.
	 * @return the sequence number
	 */
	public long writeSequence() {
		return this.writeSequence;
	}

	@Override
	public void close() {
		Arrays.fill(this.readSecret, (byte) 0);
		Arrays.fill(this.writeSecret, (byte) 0);
	}

	@Override
	public String toString() {
		return "TrafficState[readSequence=" + this.readSequence + ", writeSequence=" + this.writeSequence + "]";
	}

}
