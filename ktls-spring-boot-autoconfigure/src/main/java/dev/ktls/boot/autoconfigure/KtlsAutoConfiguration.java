package dev.ktls.boot.autoconfigure;

import java.util.List;

import org.apache.coyote.http11.Http11NioProtocol;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.ktls.boot.KernelTlsOffload;
import dev.ktls.boot.KtlsFallbackListener;
import dev.ktls.boot.health.KtlsHealthIndicator;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * kernel TLS offload of the embedded Tomcat.
 */
@AutoConfiguration
@ConditionalOnWebApplication
@ConditionalOnClass({ TomcatWebServerFactory.class, Http11NioProtocol.class })
@EnableConfigurationProperties(KtlsProperties.class)
public final class KtlsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	KernelTlsOffload kernelTlsOffload(KtlsProperties properties, ObjectProvider<KtlsFallbackListener> listener) {
		List<KtlsFallbackListener> listeners = listener.orderedStream().toList();
		KernelTlsOffload offload = new KernelTlsOffload(properties.isEnabled(), properties.isRx(),
				listeners.isEmpty() ? null : new CompositeFallbackListener(listeners));
		offload.setTls12Offload(properties.isTls12());
		return offload;
	}

	@Bean
	@ConditionalOnMissingBean
	KtlsTomcatWebServerFactoryCustomizer ktlsTomcatWebServerFactoryCustomizer(KernelTlsOffload offload) {
		return new KtlsTomcatWebServerFactoryCustomizer(offload);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HealthIndicator.class)
	@ConditionalOnEnabledHealthIndicator("ktls")
	static class KtlsHealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "ktlsHealthIndicator")
		KtlsHealthIndicator ktlsHealthIndicator(KernelTlsOffload offload) {
			return new KtlsHealthIndicator(offload);
		}

	}

}
