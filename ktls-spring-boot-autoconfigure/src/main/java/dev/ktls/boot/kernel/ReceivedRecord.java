package dev.ktls.boot.kernel;

/**
 * One record's plaintext as {@code recvmsg} returned it from a socket whose receive direction is
 * in the kernel.
 *
 * @param contentType the record's content type ({@link ContentType})
 * @param payload the plaintext
 * @param endOfStream whether the peer closed the connection without a record
 */
public record ReceivedRecord(int contentType, byte[] payload, boolean endOfStream) {

}
