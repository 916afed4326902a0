package dev.ktls.boot.tls;

import java.nio.ByteBuffer;

/**
 * Facts of the TLS record layer (RFC 8446 §5) needed to hand a connection over at a record
 * boundary.
 */
public final class RecordLayer {

	/** {@code ContentType type; ProtocolVersion legacy_record_version; uint16 length}. */
	public static final int HEADER_LENGTH = 5;

	private RecordLayer() {
	}

	/**
	 * Find how far a buffer of received bytes may be filled without reading past the end of the
	 * record it ends in. The bytes {@code [0, filled)} start at a record boundary.
	 * <ul>
	 * <li>If they end exactly at a record boundary, the result is {@code filled}: read nothing
	 * more.</li>
	 * <li>If they end inside a record header, the result is the end of that header.</li>
	 * <li>Otherwise the result is the end of the record they end in.</li>
	 * </ul>
	 * @param buffer the received bytes, from index 0
	 * @param filled the number of bytes received
	 * @return the index up to which more bytes may be read
	 */
	public static int fillLimit(ByteBuffer buffer, int filled) {
		int offset = 0;
		while (offset + HEADER_LENGTH <= filled) {
			int length = ((buffer.get(offset + 3) & 0xff) << 8) | (buffer.get(offset + 4) & 0xff);
			int end = offset + HEADER_LENGTH + length;
			if (end > filled) {
				return end;
			}
			offset = end;
		}
		return (offset == filled) ? filled : offset + HEADER_LENGTH;
	}

}
