package io.cdp.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The suite's infrastructure on loopback: a Kafka broker, PostgreSQL and an Infinispan server,
 * started together, with the topics and the per-service schemas created.
 */
public final class LocalStack implements AutoCloseable {

  private final StackSettings settings;
  private final KafkaBroker kafka;
  private final Postgres postgres;
  private final InfinispanServer infinispan;

  private LocalStack(StackSettings settings) {
    this.settings = settings;
    this.kafka = new KafkaBroker(settings);
    this.postgres = new Postgres(settings);
    this.infinispan = new InfinispanServer(settings);
  }

  /** Starts the three servers side by side and returns once all are ready. */
  public static LocalStack start(StackSettings settings) {
    LocalStack stack = new LocalStack(settings);
    try {
      CompletableFuture.allOf(
              CompletableFuture.runAsync(stack.kafka::start),
              CompletableFuture.runAsync(stack.postgres::start),
              CompletableFuture.runAsync(stack.infinispan::start))
          .join();
    } catch (CompletionException e) {
      stack.close();
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    return stack;
  }

  /**
   * The Quarkus configuration that points a service at this stack. Services add their own schema
   * ({@code quarkus.hibernate-orm.database.default-schema}) in application.properties.
   */
  public Map<String, String> serviceConfig() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    config.put("quarkus.datasource.reactive.url", postgres.reactiveUrl());
    config.put("quarkus.datasource.username", postgres.user());
    config.put("quarkus.datasource.password", postgres.password());
    config.put("quarkus.infinispan-client.hosts", infinispan.hotRodAddress());
    config.put("quarkus.infinispan-client.use-auth", "false");
    return config;
  }

  /** The JDBC URL of the suite's database, for tools and tests. */
  public String jdbcUrl() {
    return postgres.jdbcUrl();
  }

  public String kafkaBootstrapServers() {
    return kafka.bootstrapServers();
  }

  public String infinispanHotRodAddress() {
    return infinispan.hotRodAddress();
  }

  public StackSettings settings() {
    return settings;
  }

  /** The child JVMs (Kafka, Infinispan), for status output. */
  public List<ChildProcess> processes() {
    return List.of(kafka.process(), infinispan.process());
  }

  /** Stops every server; a test stack's data directory is deleted. */
  @Override
  public void close() {
    for (AutoCloseable server : List.of(kafka, infinispan, postgres)) {
      try {
        server.close();
      } catch (Exception e) {
        System.err.println("Stopping " + server + " failed: " + e);
      }
    }
    if (!settings.persistent()) {
      deleteRecursively(settings.dataDir());
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
