package dev.ktls.sample.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs commands inside real Linux kernels through the project's {@code scripts/uml-kernel}
 * (User-Mode Linux with the host's root file system), and decides what happens when that cannot
 * be done here: the system property {@code ktls.kernel-tests} is {@code off} (skip),
 * {@code auto} (skip with the reason) or {@code required} (fail with the reason).
 */
final class KernelHarness {

	private final Path projectRoot;

	private final String mode;

	KernelHarness() {
		this.projectRoot = Path.of(System.getProperty("ktls.project.root", "..")).toAbsolutePath().normalize();
		this.mode = System.getProperty("ktls.kernel-tests", "auto").toLowerCase(Locale.ROOT);
	}

	Path projectRoot() {
		return this.projectRoot;
	}

	/**
	 * Skip or fail, as the mode says, unless the harness can run and the kernels are cached.
	 * @param kernels the kernels to prepare
	 */
	void requireKernels(List<String> kernels) {
		if (this.mode.equals("off")) {
			Assumptions.abort("Kernel tests are off (-Dktls.kernel-tests=off)");
		}
		Result check = run(List.of(script(), "check"), Map.of(), 60);
		unless(check.exitCode == 0, "the kernel harness cannot run here: " + check.output.strip());
		List<String> setup = new ArrayList<>(List.of(script(), "setup"));
		setup.addAll(kernels);
		Result prepared = run(setup, Map.of(), 900);
		unless(prepared.exitCode == 0, "the test kernels could not be prepared: " + prepared.output.strip());
	}

	/**
	 * Find an installed JDK of a major version, or skip or fail.
	 * @param major the version
	 * @return its home
	 */
	Path requireJdk(int major) throws IOException {
		Path jvms = Path.of("/usr/lib/jvm");
		if (Files.isDirectory(jvms)) {
			try (var homes = Files.list(jvms)) {
				for (Path home : homes.sorted().toList()) {
					String name = home.getFileName().toString();
					if (name.matches(".*-" + major + "(-|\\.).*") && Files.isExecutable(home.resolve("bin/java"))
							&& !Files.isSymbolicLink(home)) {
						return home;
					}
				}
			}
		}
		unless(false, "no JDK " + major + " under /usr/lib/jvm");
		return null;
	}

	/**
	 * Boot a kernel and run a command in it.
	 * @param kernel the kernel
	 * @param environment variables for the command
	 * @param command the command
	 * @param timeoutSeconds how long the guest may run
	 * @return the command's exit code and output
	 */
	Result runInKernel(String kernel, Map<String, String> environment, List<String> command, int timeoutSeconds) {
		List<String> full = new ArrayList<>(List.of(script(), "run", kernel, "--timeout", "" + timeoutSeconds, "--"));
		full.addAll(command);
		return run(full, environment, timeoutSeconds + 60);
	}

	private String script() {
		return this.projectRoot.resolve("scripts/uml-kernel").toString();
	}

	private void unless(boolean condition, String reason) {
		if (condition) {
			return;
		}
		if (this.mode.equals("required")) {
			Assertions.fail("Kernel tests are required (-Dktls.kernel-tests=required) but " + reason);
		}
		Assumptions.abort("Kernel tests skipped: " + reason + " (-Dktls.kernel-tests=required makes this fail)");
	}

	private static Result run(List<String> command, Map<String, String> environment, int timeoutSeconds) {
		try {
			Path log = Files.createTempFile("uml-kernel", ".log");
			try {
				ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
					.redirectOutput(log.toFile());
				builder.environment().putAll(environment);
				Process process = builder.start();
				if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
					process.destroyForcibly();
					return new Result(124, "timed out after " + timeoutSeconds + " s: " + command);
				}
				return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
			}
			finally {
				Files.deleteIfExists(log);
			}
		}
		catch (IOException ex) {
			return new Result(127, ex.toString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return new Result(130, "interrupted");
		}
	}

	record Result(int exitCode, String output) {
	}

}
