package dev.ktls.sample.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The counters of {@code /proc/net/tls_stat}, as the kernel wrote them.
 */
final class TlsStat {

	private final Map<String, Long> counters;

	private TlsStat(Map<String, Long> counters) {
		this.counters = counters;
	}

	static TlsStat read(Path file) throws IOException {
		Map<String, Long> counters = new HashMap<>();
		for (String line : Files.readAllLines(file)) {
			String[] fields = line.trim().split("\\s+");
			if (fields.length == 2) {
				counters.put(fields[0], Long.parseLong(fields[1]));
			}
		}
		return new TlsStat(counters);
	}

	long get(String name) {
		Long value = this.counters.get(name);
		if (value == null) {
			throw new IllegalArgumentException("No counter " + name + " in " + this.counters.keySet());
		}
		return value;
	}

	long delta(TlsStat before, String name) {
		return get(name) - before.get(name);
	}

}
