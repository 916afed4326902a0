package dev.ktls.boot.autoconfigure;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.catalina.connector.Connector;
import org.apache.coyote.http11.Http11Nio2Protocol;
import org.apache.coyote.http11.Http11NioProtocol;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.boot.tomcat.reactive.TomcatReactiveWebServerFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.WebServerFactoryCustomizerBeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.ktls.boot.FallbackReason;
import dev.ktls.boot.KernelTlsOffload;
import dev.ktls.boot.KtlsFallbackListener;
import dev.ktls.boot.TlsConnectionInfo;
import dev.ktls.boot.health.KtlsHealthIndicator;
import dev.ktls.boot.tomcat.KtlsHttp11NioProtocol;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link KtlsAutoConfiguration} and the {@link KtlsTomcatWebServerFactoryCustomizer}
 * it contributes.
 */
class KtlsAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KtlsAutoConfiguration.class));

	@Test
	void whenTomcatIsPresentThenOffloadAndCustomizerAreCreated() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(KernelTlsOffload.class)
				.hasSingleBean(KtlsTomcatWebServerFactoryCustomizer.class)
				.hasSingleBean(KtlsProperties.class);
			KernelTlsOffload offload = context.getBean(KernelTlsOffload.class);
			assertThat(offload.isEnabled()).isTrue();
			assertThat(offload.isReceiveOffload()).isFalse();
		});
	}

	@Test
	void whenRxIsSetThenOffloadMovesReceiveToo() {
		this.contextRunner.withPropertyValues("server.ktls.rx=true").run((context) -> {
			KernelTlsOffload offload = context.getBean(KernelTlsOffload.class);
			assertThat(offload.isReceiveOffload()).isTrue();
			assertThat(offload.isEnabled()).isTrue();
		});
	}

	@Test
	void tls12IsOffloadedUnlessTurnedOff() {
		this.contextRunner.run((context) -> assertThat(context.getBean(KernelTlsOffload.class).isTls12Offload())
			.isTrue());
		this.contextRunner.withPropertyValues("server.ktls.tls12=false")
			.run((context) -> assertThat(context.getBean(KernelTlsOffload.class).isTls12Offload()).isFalse());
	}

	@Test
	void whenDisabledThenOffloadReportsDisabledWithoutProbing() {
		this.contextRunner.withPropertyValues("server.ktls.enabled=false").run((context) -> {
			KernelTlsOffload offload = context.getBean(KernelTlsOffload.class);
			assertThat(offload.isEnabled()).isFalse();
			assertThat(offload.getServerWideReason()).isEqualTo(FallbackReason.DISABLED);
			assertThat(offload.getSupport().getUnavailabilityReason()).isEqualTo(FallbackReason.DISABLED);
		});
	}

	@Test
	void whenUserDefinesOffloadThenAutoConfiguredOneBacksOff() {
		this.contextRunner.withUserConfiguration(UserOffloadConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(KernelTlsOffload.class);
			KernelTlsOffload offload = context.getBean(KernelTlsOffload.class);
			assertThat(offload).isSameAs(context.getBean("userOffload"));
			TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
			context.getBean(KtlsTomcatWebServerFactoryCustomizer.class).customize(factory);
			assertThat(factory.getProtocol()).as("the customizer follows the user's disabled offload")
				.isEqualTo(TomcatWebServerFactory.DEFAULT_PROTOCOL);
		});
	}

	@Test
	void whenUserDefinesCustomizerThenAutoConfiguredOneBacksOff() {
		this.contextRunner.withUserConfiguration(UserCustomizerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(KtlsTomcatWebServerFactoryCustomizer.class);
			assertThat(context.getBean(KtlsTomcatWebServerFactoryCustomizer.class))
				.isSameAs(context.getBean("userCustomizer"));
		});
	}

	@Test
	void whenFallbackListenerBeanExistsThenOffloadReportsToIt() {
		this.contextRunner.withUserConfiguration(ListenerConfiguration.class)
			.withPropertyValues("server.ktls.enabled=false")
			.run((context) -> {
				RecordingListener listener = context.getBean(RecordingListener.class);
				KernelTlsOffload offload = context.getBean(KernelTlsOffload.class);
				TlsConnectionInfo connection = new TlsConnectionInfo("/127.0.0.1:50000", "TLSv1.3",
						"TLS_AES_128_GCM_SHA256");
				offload.fallback(connection, FallbackReason.DISABLED, null);
				assertThat(listener.reasons).containsExactly(FallbackReason.DISABLED);
				assertThat(listener.connections).containsExactly(connection);
			});
	}

	@Test
	void whenHealthIsOnTheClasspathThenHealthIndicatorIsCreated() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(KtlsHealthIndicator.class)
			.hasBean("ktlsHealthIndicator"));
	}

	@Test
	void whenHealthIndicatorIsDisabledThenItIsNotCreated() {
		this.contextRunner.withPropertyValues("management.health.ktls.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(KtlsHealthIndicator.class)
				.doesNotHaveBean("ktlsHealthIndicator")
				.hasSingleBean(KernelTlsOffload.class));
	}

	@Test
	void whenHealthIndicatorsAreDisabledByDefaultThenItIsNotCreated() {
		this.contextRunner.withPropertyValues("management.health.defaults.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(KtlsHealthIndicator.class));
	}

	@Test
	void whenUserDefinesHealthIndicatorByNameThenAutoConfiguredOneBacksOff() {
		this.contextRunner.withUserConfiguration(UserHealthIndicatorConfiguration.class)
			.run((context) -> assertThat(context).doesNotHaveBean(KtlsHealthIndicator.class)
				.hasBean("ktlsHealthIndicator"));
	}

	@Test
	void whenHealthIsMissingThenHealthIndicatorIsNotCreated() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean("ktlsHealthIndicator")
				.hasSingleBean(KernelTlsOffload.class)
				.hasSingleBean(KtlsTomcatWebServerFactoryCustomizer.class));
	}

	@Test
	void whenSpringBootTomcatIsMissingThenNothingIsCreated() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(TomcatWebServerFactory.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(KernelTlsOffload.class)
				.doesNotHaveBean(KtlsTomcatWebServerFactoryCustomizer.class)
				.doesNotHaveBean("ktlsHealthIndicator")
				.doesNotHaveBean(KtlsProperties.class));
	}

	@Test
	void whenTomcatNioProtocolIsMissingThenNothingIsCreated() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(Http11NioProtocol.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(KernelTlsOffload.class)
				.doesNotHaveBean(KtlsTomcatWebServerFactoryCustomizer.class)
				.doesNotHaveBean("ktlsHealthIndicator"));
	}

	@Test
	void whenFactoryUsesDefaultProtocolThenCustomizerInstallsKtlsProtocol() {
		this.contextRunner.run((context) -> {
			KernelTlsOffload offload = context.getBean(KernelTlsOffload.class);
			TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
			assertThat(factory.getProtocol()).isEqualTo(TomcatWebServerFactory.DEFAULT_PROTOCOL);
			context.getBean(KtlsTomcatWebServerFactoryCustomizer.class).customize(factory);
			assertThat(factory.getProtocol()).isEqualTo(KtlsHttp11NioProtocol.class.getName());
			Connector connector = customizedConnector(factory);
			assertThat(connector.getProtocolHandler()).isInstanceOf(KtlsHttp11NioProtocol.class);
			assertThat(((KtlsHttp11NioProtocol) connector.getProtocolHandler()).getOffload()).isSameAs(offload);
			assertThat(offload.getConnectorRefusal()).isNull();
			assertThat(offload.getServerWideReason()).isNotIn(FallbackReason.CONNECTOR_NOT_SUPPORTED,
					FallbackReason.DISABLED);
		});
	}

	@Test
	void whenReactiveFactoryUsesDefaultProtocolThenCustomizerInstallsKtlsProtocol() {
		this.contextRunner.run((context) -> {
			TomcatReactiveWebServerFactory factory = new TomcatReactiveWebServerFactory();
			context.getBean(KtlsTomcatWebServerFactoryCustomizer.class).customize(factory);
			assertThat(factory.getProtocol()).isEqualTo(KtlsHttp11NioProtocol.class.getName());
		});
	}

	@Test
	void whenApplicationSetsAnotherProtocolThenCustomizerKeepsIt() {
		this.contextRunner.run((context) -> {
			KernelTlsOffload offload = context.getBean(KernelTlsOffload.class);
			TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
			factory.setProtocol(Http11Nio2Protocol.class.getName());
			context.getBean(KtlsTomcatWebServerFactoryCustomizer.class).customize(factory);
			assertThat(factory.getProtocol()).isEqualTo(Http11Nio2Protocol.class.getName());
			Connector connector = customizedConnector(factory);
			assertThat(connector.getProtocolHandler()).isInstanceOf(Http11Nio2Protocol.class);
			assertThat(offload.getServerWideReason()).isEqualTo(FallbackReason.CONNECTOR_NOT_SUPPORTED);
			assertThat(offload.getConnectorRefusal()).contains(Http11Nio2Protocol.class.getName());
		});
	}

	@Test
	void whenApplicationCustomizerSetsAnotherProtocolThenItIsKeptBecauseKtlsCustomizerRunsLast() {
		this.contextRunner.withUserConfiguration(Nio2FactoryConfiguration.class).run((context) -> {
			TomcatServletWebServerFactory factory = context.getBean(TomcatServletWebServerFactory.class);
			assertThat(factory.getProtocol()).isEqualTo(Http11Nio2Protocol.class.getName());
			customizedConnector(factory);
			assertThat(context.getBean(KernelTlsOffload.class).getServerWideReason())
				.isEqualTo(FallbackReason.CONNECTOR_NOT_SUPPORTED);
		});
	}

	@Test
	void whenFactoryIsCustomizedThroughThePostProcessorThenKtlsProtocolIsInstalled() {
		this.contextRunner.withUserConfiguration(DefaultFactoryConfiguration.class).run((context) -> {
			TomcatServletWebServerFactory factory = context.getBean(TomcatServletWebServerFactory.class);
			assertThat(factory.getProtocol()).isEqualTo(KtlsHttp11NioProtocol.class.getName());
		});
	}

	@Test
	void whenDisabledThenCustomizerChangesNothing() {
		this.contextRunner.withPropertyValues("server.ktls.enabled=false").run((context) -> {
			KernelTlsOffload offload = context.getBean(KernelTlsOffload.class);
			TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
			context.getBean(KtlsTomcatWebServerFactoryCustomizer.class).customize(factory);
			assertThat(factory.getProtocol()).isEqualTo(TomcatWebServerFactory.DEFAULT_PROTOCOL);
			assertThat(factory.getConnectorCustomizers()).isEmpty();
			Connector connector = customizedConnector(factory);
			assertThat(connector.getProtocolHandler().getClass()).isEqualTo(Http11NioProtocol.class);
			assertThat(offload.getServerWideReason()).isEqualTo(FallbackReason.DISABLED);
			assertThat(offload.getConnectorRefusal()).isNull();
		});
	}

	/**
	 * Create the main connector as the factory would and apply its connector customizers.
	 */
	private static Connector customizedConnector(TomcatServletWebServerFactory factory) {
		Connector connector = new Connector(factory.getProtocol());
		factory.getConnectorCustomizers().forEach((customizer) -> customizer.customize(connector));
		return connector;
	}

	@Configuration(proxyBeanMethods = false)
	static class UserOffloadConfiguration {

		@Bean
		KernelTlsOffload userOffload() {
			return new KernelTlsOffload(false, true, null);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserCustomizerConfiguration {

		@Bean
		KtlsTomcatWebServerFactoryCustomizer userCustomizer() {
			return new KtlsTomcatWebServerFactoryCustomizer(new KernelTlsOffload(false, false, null));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ListenerConfiguration {

		@Bean
		RecordingListener recordingListener() {
			return new RecordingListener();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserHealthIndicatorConfiguration {

		@Bean
		HealthIndicator ktlsHealthIndicator() {
			return () -> Health.up().build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DefaultFactoryConfiguration {

		@Bean
		static WebServerFactoryCustomizerBeanPostProcessor webServerFactoryCustomizerBeanPostProcessor() {
			return new WebServerFactoryCustomizerBeanPostProcessor();
		}

		@Bean
		TomcatServletWebServerFactory tomcatServletWebServerFactory() {
			return new TomcatServletWebServerFactory();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Nio2FactoryConfiguration extends DefaultFactoryConfiguration {

		@Bean
		WebServerFactoryCustomizer<TomcatServletWebServerFactory> nio2Customizer() {
			return (factory) -> factory.setProtocol(Http11Nio2Protocol.class.getName());
		}

	}

	static class RecordingListener implements KtlsFallbackListener {

		final List<FallbackReason> reasons = new CopyOnWriteArrayList<>();

		final List<TlsConnectionInfo> connections = new CopyOnWriteArrayList<>();

		@Override
		public void onFallback(TlsConnectionInfo connection, FallbackReason reason, Throwable cause) {
			this.connections.add(connection);
			this.reasons.add(reason);
		}

	}

}
