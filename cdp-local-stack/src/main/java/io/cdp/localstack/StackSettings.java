package io.cdp.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the stack keeps its data and which ports it listens on.
 *
 * @param dataDir everything the servers write lives below this directory
 * @param persistent keep data across restarts (the launcher) or throw it away (tests)
 * @param externalPostgres use this server instead of starting an embedded one
 */
public record StackSettings(
    Path dataDir,
    boolean persistent,
    int kafkaPort,
    int kafkaControllerPort,
    int postgresPort,
    int infinispanPort,
    int infinispanClusterPort,
    int partitions,
    Optional<ExternalPostgres> externalPostgres) {

  /** The launcher's fixed ports, documented in README.md. */
  public static final int LAUNCHER_KAFKA_PORT = 9092;

  public static final int LAUNCHER_KAFKA_CONTROLLER_PORT = 9093;
  public static final int LAUNCHER_POSTGRES_PORT = 15432;
  public static final int LAUNCHER_INFINISPAN_PORT = 11222;
  public static final int LAUNCHER_INFINISPAN_CLUSTER_PORT = 7800;

  /** An existing PostgreSQL server, named by a JDBC URL. */
  public record ExternalPostgres(String jdbcUrl, String user, String password) {}

  /** The launcher's settings: fixed ports, data kept under {@code dataDir}. */
  public static StackSettings forLauncher(Path dataDir, Map<String, String> env) {
    return new StackSettings(
        dataDir,
        true,
        LAUNCHER_KAFKA_PORT,
        LAUNCHER_KAFKA_CONTROLLER_PORT,
        LAUNCHER_POSTGRES_PORT,
        LAUNCHER_INFINISPAN_PORT,
        LAUNCHER_INFINISPAN_CLUSTER_PORT,
        6,
        externalPostgres(env));
  }

  /** Test settings: free ports and a fresh temporary directory, deleted on stop. */
  public static StackSettings forTests(Map<String, String> env) {
    try {
      return new StackSettings(
          Files.createTempDirectory("cdp-test-stack"),
          false,
          Ports.free(),
          Ports.free(),
          Ports.free(),
          Ports.free(),
          Ports.free(),
          3,
          externalPostgres(env));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code CDP_POSTGRES_URL} (a JDBC URL) with {@code CDP_POSTGRES_USER}/{@code _PASSWORD}. */
  static Optional<ExternalPostgres> externalPostgres(Map<String, String> env) {
    String url = env.get("CDP_POSTGRES_URL");
    if (url == null || url.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(
        new ExternalPostgres(
            url,
            env.getOrDefault("CDP_POSTGRES_USER", "postgres"),
            env.getOrDefault("CDP_POSTGRES_PASSWORD", "")));
  }
}
