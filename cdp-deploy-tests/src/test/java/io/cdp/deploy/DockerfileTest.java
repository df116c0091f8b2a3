package io.cdp.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Lints each service's Dockerfile.jvm (no container engine runs here): a pinned base image, a
 * non-root user, the chart's port, the Quarkus fast-jar copied in layers, an exec-form start.
 */
class DockerfileTest {

  static final List<String> SERVICES = Manifests.SERVICES;

  /** Base images pinned to a version tag (not latest) or a digest. */
  private static final Pattern PINNED =
      Pattern.compile(
          "^[\\w.-]+(:\\d+)?(/[\\w.-]+)+(:(?!latest$)[\\w.-]*\\d[\\w.-]*|@sha256:[0-9a-f]{64})$");

  /** The fast-jar layout, least often changed first so rebuilds reuse the dependency layer. */
  private static final List<String> LAYERS =
      List.of(
          "target/quarkus-app/lib/",
          "target/quarkus-app/*.jar",
          "target/quarkus-app/app/",
          "target/quarkus-app/quarkus/");

  /** Instructions as {keyword, arguments}, with continuation lines joined and comments dropped. */
  private static List<String[]> instructions(String service) throws IOException {
    Path file = Manifests.repoRoot().resolve(service + "-service/src/main/docker/Dockerfile.jvm");
    assertTrue(Files.exists(file), file + " exists");
    String joined = Files.readString(file).replaceAll("\\\\\\r?\\n", " ");
    List<String[]> result = new ArrayList<>();
    for (String line : joined.split("\\r?\\n")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] parts = trimmed.split("\\s+", 2);
      result.add(new String[] {parts[0].toUpperCase(), parts.length > 1 ? parts[1] : ""});
    }
    return result;
  }

  private static List<String> args(List<String[]> instructions, String keyword) {
    return instructions.stream().filter(i -> i[0].equals(keyword)).map(i -> i[1]).toList();
  }

  @ParameterizedTest
  @FieldSource("SERVICES")
  void baseImageIsPinned(String service) throws IOException {
    List<String> from = args(instructions(service), "FROM");
    assertEquals(1, from.size(), "one stage");
    assertTrue(PINNED.matcher(from.get(0)).matches(), "pinned base image: " + from.get(0));
  }

  @ParameterizedTest
  @FieldSource("SERVICES")
  void runsAsANonRootUser(String service) throws IOException {
    List<String[]> all = instructions(service);
    List<String> users = args(all, "USER");
    assertFalse(users.isEmpty(), "a USER instruction");
    String user = users.get(users.size() - 1).split(":")[0];
    assertFalse(Set.of("0", "root").contains(user), "the final USER is not root: " + user);
    // The chart's pod securityContext runs as this uid.
    assertEquals("185", user);
  }

  @ParameterizedTest
  @FieldSource("SERVICES")
  void exposesTheChartsContainerPort(String service) throws IOException {
    assertEquals(List.of("8080"), args(instructions(service), "EXPOSE"));
  }

  @ParameterizedTest
  @FieldSource("SERVICES")
  void copiesTheQuarkusAppInLayersOwnedByTheRuntimeUser(String service) throws IOException {
    List<String> copies = args(instructions(service), "COPY");
    List<String> sources = new ArrayList<>();
    for (String copy : copies) {
      assertTrue(copy.startsWith("--chown=185 "), "owned by the runtime user: " + copy);
      sources.add(copy.split("\\s+")[1]);
    }
    assertEquals(LAYERS, sources);
    assertTrue(args(instructions(service), "ADD").isEmpty(), "COPY, never ADD");
  }

  @ParameterizedTest
  @FieldSource("SERVICES")
  void startsTheFastJarInExecForm(String service) throws IOException {
    List<String[]> all = instructions(service);
    List<String> entrypoint = args(all, "ENTRYPOINT");
    assertEquals(1, entrypoint.size());
    assertTrue(entrypoint.get(0).startsWith("["), "exec form, so the JVM gets SIGTERM");
    assertTrue(
        args(all, "ENV").stream().anyMatch(e -> e.contains("/deployments/quarkus-run.jar")),
        "runs quarkus-run.jar");
  }
}
