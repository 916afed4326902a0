package dev.ktls.sample;

/**
 * The deterministic content served by {@code GET /bytes/{n}}: the byte at offset {@code i} is
 * {@code (i % 251 + 7 * (i / 251)) % 256}, so a client can check every byte it receives, and a
 * lost, repeated or reordered record shows as a wrong byte.
 */
public final class SampleContent {

	private SampleContent() {
	}

	/**
	 * Fill a buffer with the content from a given offset.
	 * @param offset the offset of the first byte
	 * @param buffer the buffer
	 * @param length how many bytes to fill
	 */
	public static void fill(long offset, byte[] buffer, int length) {
		for (int i = 0; i < length; i++) {
			buffer[i] = byteAt(offset + i);
		}
	}

	/**
	 * Return the byte at an offset.
	 * @param offset the offset
	 * @return the byte
	 */
	public static byte byteAt(long offset) {
		return (byte) ((offset % 251 + 7 * (offset / 251)) % 256);
	}

}
