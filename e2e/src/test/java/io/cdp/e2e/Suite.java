package io.cdp.e2e;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.cdp.localstack.LocalStack;
import io.cdp.localstack.Ports;
import io.cdp.localstack.ServiceProcess;
import io.cdp.localstack.StackSettings;
import io.cdp.localstack.SuiteService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The whole suite as a user runs it: the local stack, the six services as separate processes from
 * their built apps (as {@code ./cdp up} starts them, but on free ports), a real SMTP server, a
 * webhook receiver and an OTLP receiver for their traces. Service logs go to {@code
 * e2e/target/e2e-logs}, a directory per test class.
 */
final class Suite implements AutoCloseable {

  private final List<AutoCloseable> toStop = new ArrayList<>();
  private final Map<SuiteService, ServiceProcess> services = new EnumMap<>(SuiteService.class);
  private final String adminToken;
  private GreenMail smtp;
  private WebhookReceiver webhooks;
  private OtlpReceiver traces;

  private Suite() {
    byte[] token = new byte[24];
    new SecureRandom().nextBytes(token);
    this.adminToken = HexFormat.of().formatHex(token);
  }

  /**
   * Starts everything and returns once every service reports ready; whatever started is stopped
   * again if something fails. The services' logs go to {@code e2e/target/e2e-logs/<testClass>}, so
   * each suite's logs survive the next one.
   */
  static Suite start(Class<?> testClass) throws IOException {
    Suite suite = new Suite();
    try {
      suite.startAll(testClass.getSimpleName());
    } catch (IOException | RuntimeException e) {
      suite.close();
      throw e;
    }
    return suite;
  }

  private void startAll(String logName) throws IOException {
    Path root = Path.of(System.getProperty("cdp.root", "..")).toAbsolutePath().normalize();
    Path logDir = root.resolve("e2e/target/e2e-logs").resolve(logName);
    deleteLogs(logDir); // a service log is appended to, and this run's logs are what matter

    smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
    smtp.start();
    toStop.add(smtp::stop);
    webhooks = WebhookReceiver.start();
    toStop.add(webhooks);
    traces = OtlpReceiver.start();
    toStop.add(traces);
    toStop.add(() -> traces.save(logDir.resolve("spans.txt")));

    LocalStack stack = LocalStack.start(StackSettings.forTests(System.getenv()));
    toStop.add(stack);

    Map<SuiteService, Integer> ports = new EnumMap<>(SuiteService.class);
    SuiteService.all().forEach(service -> ports.put(service, Ports.free()));
    for (SuiteService service : SuiteService.all()) {
      Map<String, String> config = new LinkedHashMap<>(stack.serviceConfig());
      config.put("cdp.admin-token", adminToken);
      config.put("quarkus.otel.exporter.otlp.endpoint", traces.endpoint());
      // spans leave in batches: every 5 s by default, sooner so a trace is complete sooner
      config.put("quarkus.otel.bsp.schedule.delay", "500ms");
      config.putAll(SuiteService.peers(ports));
      config.putAll(ownConfig(service));
      services.put(
          service,
          ServiceProcess.start(
              root,
              service,
              ports.get(service),
              config,
              ServiceProcess.SHARED_MACHINE_JVM,
              logDir));
    }
    CompletableFuture.allOf(
            services.values().stream()
                .map(p -> CompletableFuture.runAsync(() -> awaitReady(p, logDir)))
                .toArray(CompletableFuture[]::new))
        .join();
  }

  /** Waits for {@code service}; when it does not get ready, says what its health check says. */
  private static void awaitReady(ServiceProcess service, Path logDir) {
    try {
      service.awaitReady(Duration.ofMinutes(3));
    } catch (IllegalStateException e) {
      String health;
      try {
        health =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create(service.url() + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
      } catch (IOException | InterruptedException unanswered) {
        health = "no answer: " + unanswered;
      }
      throw new IllegalStateException(
          e.getMessage() + "; readiness: " + health + "; log: " + logDir, e);
    }
  }

  /**
   * What one service needs beyond the stack and the other services' ports: the SMTP server, and a
   * shorter interval for what a test would otherwise wait a minute for.
   */
  private Map<String, String> ownConfig(SuiteService service) {
    return switch (service) {
      case CONNECTOR ->
          Map.of(
              "quarkus.mailer.host", "127.0.0.1",
              "quarkus.mailer.port", String.valueOf(smtp.getSmtp().getPort()),
              "quarkus.mailer.start-tls", "DISABLED");
      // Profiles whose audiences change as time passes are looked for at this interval (1 min by
      // default): a time-based audience joins within a second of its moment, not a minute.
      case AUDIENCE -> Map.of("cdp.audience.time-scan-interval", "1s");
      default -> Map.of();
    };
  }

  String url(SuiteService service) {
    return services.get(service).url();
  }

  String adminToken() {
    return adminToken;
  }

  GreenMail smtp() {
    return smtp;
  }

  WebhookReceiver webhooks() {
    return webhooks;
  }

  OtlpReceiver traces() {
    return traces;
  }

  /**
   * Stops everything that started: the services side by side (each takes seconds to leave its
   * consumer groups), then the rest, the last started first.
   */
  @Override
  public void close() {
    CompletableFuture.allOf(
            services.values().stream()
                .map(service -> CompletableFuture.runAsync(service::close))
                .toArray(CompletableFuture[]::new))
        .join();
    for (int i = toStop.size() - 1; i >= 0; i--) {
      try {
        toStop.get(i).close();
      } catch (Exception e) {
        System.err.println("Stopping " + toStop.get(i) + " failed: " + e);
      }
    }
  }

  private static void deleteLogs(Path logDir) throws IOException {
    if (Files.isDirectory(logDir)) {
      try (Stream<Path> logs = Files.list(logDir)) {
        for (Path log : logs.toList()) {
          Files.delete(log);
        }
      }
    }
  }
}
