package io.cdp.bench;

import io.cdp.localstack.Ports;
import io.cdp.localstack.ServiceProcess;
import io.cdp.localstack.SuiteService;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts consent-service for {@link ConsentPhase} with its identity client pointed at the
 * identity-service the phase started. {@link BenchContext#startService} configures a service for
 * the stack only; the stack's settings are taken from the identity process's own command line (its
 * {@code -D} options), so both services see the same stack.
 */
final class ConsentProcess {

  static ServiceProcess start(BenchContext context, ServiceProcess identity) {
    Map<String, String> config = new LinkedHashMap<>();
    String[] arguments =
        ProcessHandle.of(identity.pid())
            .flatMap(handle -> handle.info().arguments())
            .orElseThrow(() -> new IllegalStateException("Cannot read identity's command line"));
    Arrays.stream(arguments)
        .filter(argument -> argument.startsWith("-D") && argument.contains("="))
        .map(argument -> argument.substring(2).split("=", 2))
        .filter(option -> !option[0].startsWith("quarkus.http."))
        .forEach(option -> config.put(option[0], option[1]));
    config.put("quarkus.grpc.clients.identity.port", Integer.toString(identity.port()));
    ServiceProcess consent =
        ServiceProcess.start(
            context.root(),
            SuiteService.CONSENT,
            Ports.free(),
            config,
            List.of(),
            context.root().resolve("target/bench/logs"));
    try {
      consent.awaitReady(Duration.ofMinutes(2));
    } catch (RuntimeException e) {
      consent.close();
      throw e;
    }
    return consent;
  }

  private ConsentProcess() {}
}
