package dev.ktls.boot.tls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * HKDF-Expand (RFC 5869 §2.3) and HKDF-Expand-Label (RFC 8446 §7.1) over HMAC (RFC 2104),
 * computed on {@link MessageDigest} so that every intermediate array holding secret material is
 * owned here and wiped after use (a {@code javax.crypto.Mac} would keep its own copy of the key).
 */
public final class Hkdf {

	private static final byte[] LABEL_PREFIX = "tls13 ".getBytes(StandardCharsets.US_ASCII);

	private static final byte INNER_PAD = 0x36;

	private static final byte OUTER_PAD = 0x5c;

	private final String digestAlgorithm;

	private final int blockLength;

	private final int hashLength;

	private Hkdf(String digestAlgorithm, int blockLength, int hashLength) {
		this.digestAlgorithm = digestAlgorithm;
		this.blockLength = blockLength;
		this.hashLength = hashLength;
	}

	/**
	 * Return HKDF over the given hash.
	 * @param digestAlgorithm {@code SHA-256} or {@code SHA-384}
	 * @return the function
	 */
	public static Hkdf forDigest(String digestAlgorithm) {
		return switch (digestAlgorithm) {
			case "SHA-256" -> new Hkdf(digestAlgorithm, 64, 32);
			case "SHA-384" -> new Hkdf(digestAlgorithm, 128, 48);
			default -> throw new IllegalArgumentException("Unsupported HKDF hash [" + digestAlgorithm + "]");
		};
	}

	public int hashLength() {
		return this.hashLength;
	}

	/**
	 * HKDF-Expand-Label(secret, label, context, length) with an empty context.
	 * @param secret the pseudorandom key
	 * @param label the label without the {@code "tls13 "} prefix
	 * @param length the output length
	 * @return the output; the caller owns and wipes it
	 */
	public byte[] expandLabel(byte[] secret, String label, int length) {
		byte[] labelBytes = label.getBytes(StandardCharsets.US_ASCII);
		byte[] info = new byte[2 + 1 + LABEL_PREFIX.length + labelBytes.length + 1];
		info[0] = (byte) (length >>> 8);
		info[1] = (byte) length;
		info[2] = (byte) (LABEL_PREFIX.length + labelBytes.length);
		System.arraycopy(LABEL_PREFIX, 0, info, 3, LABEL_PREFIX.length);
		System.arraycopy(labelBytes, 0, info, 3 + LABEL_PREFIX.length, labelBytes.length);
		return expand(secret, info, length);
	}

	/**
	 * HKDF-Expand(prk, info, length).
	 * @param prk the pseudorandom key, at most one hash block long
	 * @param info the context
	 * @param length the output length, at most 255 hash lengths
	 * @return the output; the caller owns and wipes it
	 */
	public byte[] expand(byte[] prk, byte[] info, int length) {
		if (length > 255 * this.hashLength || prk.length > this.blockLength) {
			throw new IllegalArgumentException("HKDF-Expand arguments out of range");
		}
		byte[] output = new byte[length];
		byte[] block = new byte[0];
		byte[] input = null;
		try {
			for (int offset = 0, counter = 1; offset < length; counter++) {
				input = new byte[block.length + info.length + 1];
				System.arraycopy(block, 0, input, 0, block.length);
				System.arraycopy(info, 0, input, block.length, info.length);
				input[input.length - 1] = (byte) counter;
				Arrays.fill(block, (byte) 0);
				block = hmac(prk, input);
				Arrays.fill(input, (byte) 0);
				int chunk = Math.min(block.length, length - offset);
				System.arraycopy(block, 0, output, offset, chunk);
				offset += chunk;
			}
			return output;
		}
		finally {
			Arrays.fill(block, (byte) 0);
			if (input != null) {
				Arrays.fill(input, (byte) 0);
			}
		}
	}

	private byte[] hmac(byte[] key, byte[] message) {
		MessageDigest digest = newDigest();
		byte[] pad = new byte[this.blockLength];
		byte[] inner = null;
		try {
			padKey(key, pad, INNER_PAD);
			digest.update(pad);
			digest.update(message);
			inner = digest.digest();
			padKey(key, pad, OUTER_PAD);
			digest.update(pad);
			digest.update(inner);
			return digest.digest();
		}
		finally {
			Arrays.fill(pad, (byte) 0);
			if (inner != null) {
				Arrays.fill(inner, (byte) 0);
			}
		}
	}

	private static void padKey(byte[] key, byte[] pad, byte padByte) {
		Arrays.fill(pad, padByte);
		for (int i = 0; i < key.length; i++) {
			pad[i] ^= key[i];
		}
	}

	private MessageDigest newDigest() {
		try {
			return MessageDigest.getInstance(this.digestAlgorithm);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("The JDK lacks " + this.digestAlgorithm, ex);
		}
	}

}
