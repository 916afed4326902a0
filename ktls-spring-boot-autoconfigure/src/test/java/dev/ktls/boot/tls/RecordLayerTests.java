package dev.ktls.boot.tls;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecordLayerTests {

	@Test
	void whenBytesEndAtARecordBoundaryThenNothingMoreMayBeRead() {
		ByteBuffer buffer = records(10, 20);
		assertThat(RecordLayer.fillLimit(buffer, 5 + 10 + 5 + 20)).isEqualTo(40);
		assertThat(RecordLayer.fillLimit(buffer, 0)).isZero();
	}

	@Test
	void whenBytesEndInsideARecordThenReadsStopAtItsEnd() {
		ByteBuffer buffer = records(10, 20);
		assertThat(RecordLayer.fillLimit(buffer, 5 + 10 + 5 + 3)).isEqualTo(40);
		assertThat(RecordLayer.fillLimit(buffer, 7)).isEqualTo(15);
	}

	@Test
	void whenBytesEndInsideAHeaderThenReadsStopAtTheHeaderEnd() {
		ByteBuffer buffer = records(10, 20);
		assertThat(RecordLayer.fillLimit(buffer, 15 + 2)).isEqualTo(20);
		assertThat(RecordLayer.fillLimit(buffer, 4)).isEqualTo(5);
	}

	@Test
	void largestRecordLengthIsReadFromBothHeaderBytes() {
		ByteBuffer buffer = records(16384 + 256);
		assertThat(RecordLayer.fillLimit(buffer, 5)).isEqualTo(5 + 16384 + 256);
	}

	private static ByteBuffer records(int... lengths) {
		int total = 0;
		for (int length : lengths) {
			total += 5 + length;
		}
		ByteBuffer buffer = ByteBuffer.allocate(total);
		for (int length : lengths) {
			buffer.put((byte) 23).putShort((short) 0x0303).putShort((short) length).put(new byte[length]);
		}
		return buffer;
	}

}
