package io.cdp.localstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code ./cdp} command: {@code up} starts the local stack and the six services as separate
 * processes and stays in the foreground until Ctrl-C or {@code ./cdp down}; {@code status} lists
 * what runs.
 */
public final class Launcher {

  private final Path root;
  private final Path dataDir;
  private final Path runDir;

  private Launcher(Path root, Path dataDir) {
    this.root = root;
    this.dataDir = dataDir;
    this.runDir = dataDir.resolve("run");
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    Path root = Path.of("").toAbsolutePath();
    Path dataDir = root.resolve(env.getOrDefault("CDP_DATA_DIR", ".cdp-data")).normalize();
    Launcher launcher = new Launcher(root, dataDir);
    String command = args.length == 0 ? "help" : args[0];
    int exit =
        switch (command) {
          case "up" -> launcher.up(env, selected(Arrays.asList(args).subList(1, args.length)));
          case "down" -> launcher.down();
          case "status" -> launcher.status();
          default -> {
            System.err.println("usage: ./cdp up | down | status");
            yield 2;
          }
        };
    System.exit(exit);
  }

  /** The services named on the command line (module names), or all six. */
  private static List<SuiteService> selected(List<String> names) {
    if (names.isEmpty()) {
      return SuiteService.all();
    }
    List<SuiteService> chosen = new ArrayList<>();
    for (String name : names) {
      chosen.add(
          SuiteService.all().stream()
              .filter(s -> s.module().equals(name) || s.module().equals(name + "-service"))
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException("Unknown service: " + name)));
    }
    return chosen;
  }

  /** Starts the stack and {@code toStart}, prints where they run, then waits until stopped. */
  private int up(Map<String, String> env, List<SuiteService> toStart) throws Exception {
    Optional<ProcessHandle> running = runningLauncher();
    if (running.isPresent()) {
      System.err.println(
          "The suite already runs (pid " + running.get().pid() + "); ./cdp down stops it.");
      return 1;
    }
    Files.createDirectories(runDir);
    Files.writeString(runDir.resolve("launcher.pid"), Long.toString(ProcessHandle.current().pid()));
    Files.deleteIfExists(runDir.resolve("status"));
    String adminToken = adminToken(env);
    Instant started = Instant.now();

    List<AutoCloseable> toStop = new ArrayList<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("Stopping the suite...");
                  for (int i = toStop.size() - 1; i >= 0; i--) {
                    closeQuietly(toStop.get(i));
                  }
                  try {
                    Files.deleteIfExists(runDir.resolve("launcher.pid"));
                    Files.deleteIfExists(runDir.resolve("status"));
                  } catch (IOException ignored) {
                    // nothing more to clean
                  }
                  System.out.println("Stopped.");
                  stopped.countDown();
                },
                "cdp-down"));

    System.out.println("Starting Kafka, PostgreSQL and Infinispan (data in " + dataDir + ")...");
    StackSettings settings = StackSettings.forLauncher(dataDir, env);
    LocalStack stack = LocalStack.start(settings);
    toStop.add(stack);

    Map<String, String> config = new LinkedHashMap<>(stack.serviceConfig());
    config.put("cdp.admin-token", adminToken);
    System.out.println("Starting the services...");
    Map<SuiteService, ServiceProcess> services = new LinkedHashMap<>();
    for (SuiteService service : toStart) {
      ServiceProcess process =
          ServiceProcess.start(
              root,
              service,
              service.port(),
              config,
              ServiceProcess.SHARED_MACHINE_JVM,
              dataDir.resolve("logs"));
      services.put(service, process);
      toStop.add(process);
    }
    CompletableFuture.allOf(
            services.values().stream()
                .map(process -> CompletableFuture.runAsync(() -> awaitReady(process)))
                .toArray(CompletableFuture[]::new))
        .join();

    StringBuilder status = new StringBuilder();
    status.append(line("kafka", stack.processes().get(0).pid(), stack.kafkaBootstrapServers()));
    status.append(line("postgresql", -1, stack.jdbcUrl()));
    status.append(
        line("infinispan", stack.processes().get(1).pid(), stack.infinispanHotRodAddress()));
    services.forEach(
        (service, process) -> status.append(line(service.module(), process.pid(), url(service))));
    Files.writeString(runDir.resolve("status"), status);

    System.out.printf(
        "%nThe suite is ready in %d s:%n%s%nadmin token: %s%nlogs: %s%n"
            + "Stop with Ctrl-C or ./cdp down.%n",
        Duration.between(started, Instant.now()).toSeconds(),
        status.toString().replace(" -1 ", " - ").indent(2).stripTrailing(),
        adminToken,
        dataDir.resolve("logs"));
    stopped.await();
    return 0;
  }

  private static void awaitReady(ServiceProcess process) {
    process.awaitReady(Duration.ofMinutes(2));
    System.out.println("  " + process.service().module() + " ready");
  }

  private static String describeHealth(SuiteService service) {
    return ServiceProcess.readiness(url(service))
        .map(code -> code == 200 ? " ready" : " not ready (HTTP " + code + ")")
        .orElse(" not answering");
  }

  /** Asks the running launcher to stop (its shutdown hook stops everything) and waits. */
  private int down() throws IOException, InterruptedException {
    Optional<ProcessHandle> running = runningLauncher();
    if (running.isEmpty()) {
      System.out.println("Nothing runs.");
      return 0;
    }
    ProcessHandle launcher = running.get();
    launcher.destroy();
    Instant deadline = Instant.now().plusSeconds(90);
    while (launcher.isAlive() && Instant.now().isBefore(deadline)) {
      Thread.sleep(200);
    }
    if (launcher.isAlive()) {
      System.err.println("The launcher (pid " + launcher.pid() + ") did not stop in 90 s.");
      return 1;
    }
    System.out.println("Stopped.");
    return 0;
  }

  private int status() throws IOException {
    Optional<ProcessHandle> running = runningLauncher();
    if (running.isEmpty()) {
      System.out.println("Nothing runs.");
      return 3;
    }
    Path status = runDir.resolve("status");
    if (!Files.exists(status)) {
      System.out.println("The suite is starting (launcher pid " + running.get().pid() + ").");
      return 0;
    }
    System.out.println("launcher pid " + running.get().pid());
    for (String line : Files.readAllLines(status)) {
      String[] parts = line.trim().split("\\s+", 3);
      long pid = Long.parseLong(parts[1]);
      String state =
          pid < 0 || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
              ? "running"
              : "DEAD";
      String health =
          SuiteService.all().stream()
              .filter(s -> s.module().equals(parts[0]))
              .findFirst()
              .map(Launcher::describeHealth)
              .orElse("");
      System.out.printf("%-18s %-8s %s%s%n", parts[0], state, parts[2], health);
    }
    return 0;
  }

  private Optional<ProcessHandle> runningLauncher() throws IOException {
    Path pidFile = runDir.resolve("launcher.pid");
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.pid() != ProcessHandle.current().pid());
  }

  /** {@code CDP_ADMIN_TOKEN}, else the token generated on a previous start, else a new one. */
  private String adminToken(Map<String, String> env) throws IOException {
    String fromEnv = env.get("CDP_ADMIN_TOKEN");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    Path file = dataDir.resolve("admin-token");
    if (Files.exists(file)) {
      return Files.readString(file).trim();
    }
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    String token = HexFormat.of().formatHex(bytes);
    Files.writeString(file, token);
    return token;
  }

  private static String url(SuiteService service) {
    return "http://127.0.0.1:" + service.port();
  }

  /** One line of the status file: name, pid (-1 when not a child JVM) and address. */
  private static String line(String name, long pid, String address) {
    return name + " " + pid + " " + address + "\n";
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      System.err.println("Stopping " + closeable + " failed: " + e.getMessage());
    }
  }
}
