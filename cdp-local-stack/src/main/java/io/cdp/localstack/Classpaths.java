package io.cdp.localstack;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Reads the server classpaths that the kafka-runtime and infinispan-runtime modules record. */
final class Classpaths {

  static List<String> of(String server) {
    String resource = "cdp-local-stack/" + server + ".classpath";
    try (InputStream in = Classpaths.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            resource + " is missing: build the project first (./mvnw -DskipTests install)");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      return Arrays.asList(text.split(File.pathSeparator));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Classpaths() {}
}
