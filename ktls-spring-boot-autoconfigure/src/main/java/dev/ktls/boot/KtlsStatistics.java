package dev.ktls.boot;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of what happened to the server's TLS connections since start.
 */
public final class KtlsStatistics {

	private final LongAdder transmitOffloaded = new LongAdder();

	private final LongAdder receiveOffloaded = new LongAdder();

	private final LongAdder receiveAfterBufferedRecords = new LongAdder();

	private final LongAdder receiveKeyUpdates = new LongAdder();

	private final LongAdder transmitKeyUpdates = new LongAdder();

	private final Map<FallbackReason, LongAdder> fallbacks = new EnumMap<>(FallbackReason.class);

	private final Map<TerminationReason, LongAdder> terminations = new EnumMap<>(TerminationReason.class);

	KtlsStatistics() {
		for (FallbackReason reason : FallbackReason.values()) {
			this.fallbacks.put(reason, new LongAdder());
		}
		for (TerminationReason reason : TerminationReason.values()) {
			this.terminations.put(reason, new LongAdder());
		}
	}

	void transmitOffloaded() {
		this.transmitOffloaded.increment();
	}

	void receiveOffloaded(boolean afterBufferedRecords) {
		this.receiveOffloaded.increment();
		if (afterBufferedRecords) {
			this.receiveAfterBufferedRecords.increment();
		}
	}

	void receiveKeyUpdated() {
		this.receiveKeyUpdates.increment();
	}

	void transmitKeyUpdated() {
		this.transmitKeyUpdates.increment();
	}

	void fallback(FallbackReason reason) {
		this.fallbacks.get(reason).increment();
	}

	void terminated(TerminationReason reason) {
		this.terminations.get(reason).increment();
	}

	/**
	 * Return the number of connections whose encryption moved into the kernel.
	 * @return the count
	 */
	public long getTransmitOffloaded() {
		return this.transmitOffloaded.sum();
	}

	/**
	 * Return the number of connections whose decryption moved into the kernel.
	 * @return the count
	 */
	public long getReceiveOffloaded() {
		return this.receiveOffloaded.sum();
	}

	/**
	 * Return the number of connections whose decryption moved into the kernel only after the
	 * engine had decrypted records that arrived together with the handshake.
	 * @return the count
	 */
	public long getReceiveOffloadedAfterBufferedRecords() {
		return this.receiveAfterBufferedRecords.sum();
	}

	/**
	 * Return the number of KeyUpdates from peers that moved the kernel to a new receive key.
	 * @return the count
	 */
	public long getReceiveKeyUpdates() {
		return this.receiveKeyUpdates.sum();
	}

	/**
	 * Return the number of times the kernel was moved to a new transmit key after a KeyUpdate.
	 * @return the count
	 */
	public long getTransmitKeyUpdates() {
		return this.transmitKeyUpdates.sum();
	}

	/**
	 * Return the fallbacks that happened, by reason.
	 * @return reasons with a non-zero count
	 */
	public Map<FallbackReason, Long> getFallbacks() {
		return nonZero(this.fallbacks);
	}

	/**
	 * Return the offloaded connections this library closed, by reason.
	 * @return reasons with a non-zero count
	 */
	public Map<TerminationReason, Long> getTerminations() {
		return nonZero(this.terminations);
	}

	private static <K extends Enum<K>> Map<K, Long> nonZero(Map<K, LongAdder> counters) {
		Map<K, Long> counts = new java.util.LinkedHashMap<>();
		counters.forEach((reason, counter) -> {
			long count = counter.sum();
			if (count > 0) {
				counts.put(reason, count);
			}
		});
		return Collections.unmodifiableMap(counts);
	}

}
