package dev.ktls.boot.jdk;

import java.util.Arrays;

/**
 * The parts of a TLS 1.2 key block (RFC 5246 §6.3) in use on a connection: each direction's
 * write key and implicit IV, and the sequence number of its next record. The arrays are copies
 * owned by this object: {@link #close()} wipes them.
 */
public final class Tls12KeyBlock implements AutoCloseable {

	private final byte[] readKey;

	private final byte[] readIv;

	private final long readSequence;

	private final byte[] writeKey;

	private final byte[] writeIv;

	private final long writeSequence;

	Tls12KeyBlock(byte[] readKey, byte[] readIv, long readSequence, byte[] writeKey, byte[] writeIv,
			long writeSequence) {
		this.readKey = readKey;
		this.readIv = readIv;
		this.readSequence = readSequence;
		this.writeKey = writeKey;
		this.writeIv = writeIv;
		this.writeSequence = writeSequence;
	}

	/**
	 * Return the peer's write key, which this side decrypts with.
	 * @return the key, owned by this object
	 */
	public byte[] readKey() {
		return this.readKey;
	}

	/**
	 * Return the peer's implicit IV: the 4-byte salt for AES-GCM, 12 bytes for ChaCha20-Poly1305.
	 * @return the IV, owned by this object
	 */
	public byte[] readIv() {
		return this.readIv;
	}

	public long readSequence() {
		return this.readSequence;
	}

	/**
	 * Return this side's write key.
	 * @return the key, owned by this object
	 */
	public byte[] writeKey() {
		return this.writeKey;
	}

	/**
	 * Return this side's implicit IV.
	 * @return the IV, owned by this object
	 */
	public byte[] writeIv() {
		return this.writeIv;
	}

	public long writeSequence() {
		return this.writeSequence;
	}

	@Override
	public void close() {
		Arrays.fill(this.readKey, (byte) 0);
		Arrays.fill(this.readIv, (byte) 0);
		Arrays.fill(this.writeKey, (byte) 0);
		Arrays.fill(this.writeIv, (byte) 0);
	}

	@Override
	public String toString() {
		return "Tls12KeyBlock[readSequence=" + this.readSequence + ", writeSequence=" + this.writeSequence + "]";
	}

}
