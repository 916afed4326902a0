package dev.ktls.boot.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import dev.ktls.boot.FallbackReason;
import dev.ktls.boot.KernelTlsOffload;
import dev.ktls.boot.KernelTlsSupport;
import dev.ktls.boot.KtlsStatistics;
import dev.ktls.boot.kernel.TlsCipher;

/**
 * Reports whether the kernel can take TLS records, what it offers, and how many connections
 * were offloaded or fell back, by reason. Always {@code UP}: a server whose connections stay on
 * userspace TLS still serves them.
 */
public class KtlsHealthIndicator extends AbstractHealthIndicator {

	private final KernelTlsOffload offload;

	public KtlsHealthIndicator(KernelTlsOffload offload) {
		super("Kernel TLS health check failed");
		this.offload = offload;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		KernelTlsSupport support = this.offload.getSupport();
		FallbackReason serverWide = this.offload.getServerWideReason();
		builder.up().withDetail("available", serverWide == null);
		if (serverWide != null) {
			builder.withDetail("reason", serverWide.name()).withDetail("reasonDescription", describe(serverWide));
		}
		if (support.getKernelRelease() != null) {
			builder.withDetail("kernel", support.getKernelRelease());
		}
		builder.withDetail("transmitCiphers", names(support.getTransmitCiphers()))
			.withDetail("receiveCiphers", names(support.getReceiveCiphers()))
			.withDetail("rx", this.offload.isReceiveOffload())
			.withDetail("rekey", support.canRekey());
		KtlsStatistics statistics = this.offload.getStatistics();
		Map<String, Object> offloaded = new LinkedHashMap<>();
		offloaded.put("transmit", statistics.getTransmitOffloaded());
		offloaded.put("receive", statistics.getReceiveOffloaded());
		offloaded.put("receiveAfterBufferedRecords", statistics.getReceiveOffloadedAfterBufferedRecords());
		Map<String, Object> keyUpdates = new LinkedHashMap<>();
		keyUpdates.put("receive", statistics.getReceiveKeyUpdates());
		keyUpdates.put("transmit", statistics.getTransmitKeyUpdates());
		builder.withDetail("offloaded", offloaded)
			.withDetail("keyUpdates", keyUpdates)
			.withDetail("fallbacks", statistics.getFallbacks())
			.withDetail("terminations", statistics.getTerminations());
	}

	private String describe(FallbackReason reason) {
		if (reason == FallbackReason.CONNECTOR_NOT_SUPPORTED) {
			return this.offload.getConnectorRefusal();
		}
		Throwable cause = this.offload.getSupport().getUnavailabilityCause();
		return reason.getDescription() + ((cause != null) ? " (" + cause.getMessage() + ")" : "");
	}

	private static List<String> names(Set<TlsCipher> ciphers) {
		return ciphers.stream().map(TlsCipher::shortName).toList();
	}

}
