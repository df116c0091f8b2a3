package io.cdp.localstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One service of the suite running from its built Quarkus app ({@code
 * <module>/target/quarkus-app/quarkus-run.jar}) as a child JVM on loopback: what {@code ./cdp up}
 * and the benchmarks start.
 */
public final class ServiceProcess implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final SuiteService service;
  private final int port;
  private final ChildProcess process;

  private ServiceProcess(SuiteService service, int port, ChildProcess process) {
    this.service = service;
    this.port = port;
    this.process = process;
  }

  /**
   * JVM options for a service that shares one machine with the whole suite ({@code ./cdp up}, the
   * e2e tests, the pipeline benchmark): C1 only. Six services, Kafka and Infinispan compiling with
   * C2 at once took most of two cores for minutes (./cdp bench pipeline, same build: 124 events/s
   * end to end with C2, 386 with C1). A service measured alone keeps C2, which serves a hot path
   * better once warm (consent checks at 5,000/s: p99 7.4 ms with C2, 23.7 ms with C1).
   */
  public static final List<String> SHARED_MACHINE_JVM = List.of("-XX:TieredStopAtLevel=1");

  /**
   * Starts {@code service} of the project in {@code root} on {@code port}, with {@code config} as
   * system properties (the stack's connections, the admin token) and its output in {@code
   * logDir/<module>.log}.
   *
   * @param jvmOptions more options for the JVM (a profiler, for instance), usually none
   */
  public static ServiceProcess start(
      Path root,
      SuiteService service,
      int port,
      Map<String, String> config,
      List<String> jvmOptions,
      Path logDir) {
    Path app = root.resolve(service.module()).resolve("target/quarkus-app/quarkus-run.jar");
    if (!Files.exists(app)) {
      throw new IllegalStateException(app + " is missing: run ./mvnw -DskipTests package");
    }
    List<String> jvm = new ArrayList<>();
    jvm.add("-Xmx384m");
    jvm.addAll(jvmOptions);
    jvm.add("-Dquarkus.http.host=127.0.0.1");
    jvm.add("-Dquarkus.http.port=" + port);
    config.forEach((key, value) -> jvm.add("-D" + key + "=" + value));
    ChildProcess process =
        ChildProcess.startJava(
            service.module(),
            List.of(app.toString()),
            jvm,
            "io.quarkus.bootstrap.runner.QuarkusEntryPoint",
            List.of(),
            logDir.resolve(service.module() + ".log"));
    return new ServiceProcess(service, port, process);
  }

  /** Waits until the service reports ready, failing if it dies or takes longer than {@code max}. */
  public void awaitReady(Duration max) {
    Ports.await(
        service.module(),
        max,
        () -> {
          process.checkAlive();
          return readiness(url()).map(code -> code == 200).orElse(false);
        });
  }

  /** The HTTP status of {@code baseUrl}'s readiness endpoint, empty when it does not answer. */
  public static Optional<Integer> readiness(String baseUrl) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(baseUrl + "/q/health/ready"))
              .timeout(Duration.ofSeconds(2))
              .build();
      return Optional.of(HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  public SuiteService service() {
    return service;
  }

  public int port() {
    return port;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  public ChildProcess process() {
    return process;
  }

  @Override
  public void close() {
    process.close();
  }

  @Override
  public String toString() {
    return service.module();
  }
}
