package io.cdp.localstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * PostgreSQL for the suite: embedded binaries (zonky) by default, or an existing server named by
 * {@code CDP_POSTGRES_URL}. Either way it ends with database {@value #DATABASE} holding one schema
 * per service.
 */
final class Postgres implements AutoCloseable {

  static final String DATABASE = "cdp";

  /** One schema per service: no service reads another's tables. */
  static final List<String> SCHEMAS =
      List.of("collector", "identity", "profile", "audience", "consent", "connector");

  private final StackSettings settings;
  private EmbeddedPostgres embedded;
  private String jdbcUrl;
  private String user;
  private String password;

  Postgres(StackSettings settings) {
    this.settings = settings;
  }

  void start() {
    settings
        .externalPostgres()
        .ifPresentOrElse(
            external -> {
              jdbcUrl = external.jdbcUrl();
              user = external.user();
              password = external.password();
            },
            this::startEmbedded);
    createSchemas();
  }

  private void startEmbedded() {
    Path dataDir = settings.dataDir().resolve("postgres");
    Path logFile = settings.dataDir().resolve("logs/postgres.log");
    try {
      Files.createDirectories(logFile.getParent());
      embedded =
          EmbeddedPostgres.builder()
              .setPort(settings.postgresPort())
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(!settings.persistent())
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("max_connections", "200")
              .setPGStartupWait(Duration.ofSeconds(60))
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the embedded PostgreSQL", e);
    }
    user = "postgres";
    password = "";
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), user, password);
        Statement s = c.createStatement()) {
      var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
      if (!rs.next()) {
        s.execute("CREATE DATABASE " + DATABASE);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create database " + DATABASE, e);
    }
    jdbcUrl = jdbcUrl(DATABASE);
  }

  private String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + settings.postgresPort() + "/" + database;
  }

  private void createSchemas() {
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
        Statement s = c.createStatement()) {
      for (String schema : SCHEMAS) {
        s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create the service schemas in " + jdbcUrl, e);
    }
  }

  /** The JDBC URL of the suite's database. */
  String jdbcUrl() {
    return jdbcUrl;
  }

  /** The same database as the Vert.x reactive client wants it. */
  String reactiveUrl() {
    return jdbcUrl.substring("jdbc:".length());
  }

  String user() {
    return user;
  }

  String password() {
    return password;
  }

  @Override
  public void close() {
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
