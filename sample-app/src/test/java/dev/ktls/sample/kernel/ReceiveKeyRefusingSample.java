package dev.ktls.sample.kernel;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.ktls.boot.KernelKeyInstaller;
import dev.ktls.boot.KernelTlsOffload;
import dev.ktls.boot.kernel.Errno;
import dev.ktls.boot.kernel.KernelTlsException;
import dev.ktls.sample.SampleApplication;

/**
 * Fault injection on a real kernel: the sample app whose kernel refuses every receive key, as a
 * setsockopt error would, after the transmit key went in. Connections must go on with encryption
 * in the kernel and decryption in the engine. Started inside a test kernel through Spring Boot's
 * {@code PropertiesLauncher} with the test classes on its {@code loader.path}.
 */
@Configuration(proxyBeanMethods = false)
public class ReceiveKeyRefusingSample {

	public static void main(String[] args) {
		SpringApplication.run(new Class<?>[] { SampleApplication.class, ReceiveKeyRefusingSample.class }, args);
	}

	@Bean
	static BeanPostProcessor receiveKeyRefusal() {
		KernelKeyInstaller refusing = (fd, transmit, info) -> {
			if (!transmit) {
				throw new KernelTlsException(KernelTlsException.Step.SET_RX_KEY, Errno.EINVAL,
						"Invalid argument (injected by the test)");
			}
			KernelKeyInstaller.KERNEL.install(fd, true, info);
		};
		return new BeanPostProcessor() {

			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				if (bean instanceof KernelTlsOffload offload) {
					offload.setKeyInstaller(refusing);
				}
				return bean;
			}

		};
	}

}
