package dev.ktls.boot.health;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import dev.ktls.boot.FallbackReason;
import dev.ktls.boot.KernelTlsOffload;
import dev.ktls.boot.TerminationReason;
import dev.ktls.boot.TlsConnectionInfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * Tests for {@link KtlsHealthIndicator}.
 */
class KtlsHealthIndicatorTests {

	private static final TlsConnectionInfo CONNECTION = new TlsConnectionInfo("/127.0.0.1:50000", "TLSv1.3",
			"TLS_AES_128_GCM_SHA256");

	@Test
	void whenDisabledThenReportsUnavailableWithReason() {
		KernelTlsOffload offload = new KernelTlsOffload(false, true, null);
		Health health = new KtlsHealthIndicator(offload).health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("available", false)
			.containsEntry("reason", "DISABLED")
			.containsEntry("reasonDescription", FallbackReason.DISABLED.getDescription())
			.containsEntry("transmitCiphers", List.of())
			.containsEntry("receiveCiphers", List.of())
			.containsEntry("rx", true)
			.containsEntry("rekey", false)
			.containsEntry("fallbacks", Map.of())
			.containsEntry("terminations", Map.of())
			.doesNotContainKey("kernel");
		assertThat(offloaded(health)).containsExactly(entry("transmit", 0L), entry("receive", 0L),
				entry("receiveAfterBufferedRecords", 0L));
	}

	@Test
	void whenReceiveOffloadIsOffThenRxIsFalse() {
		KernelTlsOffload offload = new KernelTlsOffload(false, false, null);
		assertThat(new KtlsHealthIndicator(offload).health().getDetails()).containsEntry("rx", false);
	}

	@Test
	void whenConnectionsFallBackOrAreTerminatedThenCountsAreReportedByReason() {
		KernelTlsOffload offload = new KernelTlsOffload(false, true, null);
		offload.fallback(CONNECTION, FallbackReason.DISABLED, null);
		offload.fallback(CONNECTION, FallbackReason.DISABLED, null);
		offload.fallback(CONNECTION, FallbackReason.PROTOCOL_NOT_OFFLOADED, null);
		offload.terminated(CONNECTION, TerminationReason.PEER_ALERT, new IOException("alert"));
		offload.transmitOffloaded(CONNECTION);
		offload.transmitOffloaded(CONNECTION);
		offload.receiveOffloaded(CONNECTION, false);
		offload.receiveOffloaded(CONNECTION, true);
		Health health = new KtlsHealthIndicator(offload).health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails().get("fallbacks"))
			.asInstanceOf(InstanceOfAssertFactories.map(FallbackReason.class, Long.class))
			.containsExactly(entry(FallbackReason.DISABLED, 2L), entry(FallbackReason.PROTOCOL_NOT_OFFLOADED, 1L));
		assertThat(health.getDetails()).containsEntry("terminations", Map.of(TerminationReason.PEER_ALERT, 1L));
		assertThat(offloaded(health)).containsExactly(entry("transmit", 2L), entry("receive", 2L),
				entry("receiveAfterBufferedRecords", 1L));
	}

	@Test
	void whenCountsChangeThenEachHealthCheckShowsTheCurrentOnes() {
		KernelTlsOffload offload = new KernelTlsOffload(false, false, null);
		KtlsHealthIndicator indicator = new KtlsHealthIndicator(offload);
		assertThat(indicator.health().getDetails()).containsEntry("fallbacks", Map.of());
		offload.fallback(CONNECTION, FallbackReason.DISABLED, null);
		assertThat(indicator.health().getDetails()).containsEntry("fallbacks", Map.of(FallbackReason.DISABLED, 1L));
	}

	@Test
	void whenFallbackListenerFailsThenFallbackIsStillCountedAndOthersAreReported() {
		List<FallbackReason> seen = new ArrayList<>();
		KernelTlsOffload offload = new KernelTlsOffload(false, false, (connection, reason, cause) -> {
			seen.add(reason);
			throw new IllegalStateException("listener failure");
		});
		offload.fallback(CONNECTION, FallbackReason.DISABLED, null);
		offload.fallback(CONNECTION, FallbackReason.DISABLED, null);
		assertThat(seen).containsExactly(FallbackReason.DISABLED, FallbackReason.DISABLED);
		Health health = new KtlsHealthIndicator(offload).health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("fallbacks", Map.of(FallbackReason.DISABLED, 2L));
	}

	@Test
	void whenConnectorIsNotSupportedThenReasonDescribesTheConnector() {
		// Enabled, so the health check probes this host's kernel; only the reason is
		// independent of what the kernel offers
		KernelTlsOffload offload = new KernelTlsOffload(true, false, null);
		offload.connectorNotSupported("org.apache.coyote.http11.Http11Nio2Protocol");
		Health health = new KtlsHealthIndicator(offload).health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("available", false)
			.containsEntry("reason", "CONNECTOR_NOT_SUPPORTED")
			.containsEntry("reasonDescription", offload.getConnectorRefusal());
		assertThat((String) health.getDetails().get("reasonDescription"))
			.contains("org.apache.coyote.http11.Http11Nio2Protocol");
	}

	@Test
	void whenDetailsAreNotIncludedThenOnlyStatusIsReported() {
		KernelTlsOffload offload = new KernelTlsOffload(false, true, null);
		Health health = new KtlsHealthIndicator(offload).health(false);
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).isEmpty();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> offloaded(Health health) {
		assertThat(health.getDetails()).containsKey("offloaded");
		return (Map<String, Object>) health.getDetails().get("offloaded");
	}

}
