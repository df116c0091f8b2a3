package io.cdp.localstack;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Points a {@code @QuarkusTest} at a real local stack with free ports.
 *
 * <p>One stack serves every test of a JVM (it is costly to start and tests use fresh identifiers);
 * it stops when the JVM exits. A {@code @TestProfile} restart reloads this class, static fields
 * included, so the running stack's settings are kept in a system property, which survives the
 * reload: the restarted app and the test code find the same stack.
 */
public class LocalStackResource implements QuarkusTestResourceLifecycleManager {

  private static final String SHARED_CONFIG = "cdp.local-stack.service-config";

  private static LocalStack stack;

  /** The stack started by this class loader, started on first use. */
  public static synchronized LocalStack stack() {
    if (stack == null) {
      LocalStack started = LocalStack.start(StackSettings.forTests(System.getenv()));
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "local-stack-stop"));
      stack = started;
    }
    return stack;
  }

  /** The service configuration of this JVM's stack, starting it if none runs yet. */
  public static Map<String, String> serviceConfig() {
    synchronized (System.getProperties()) {
      String saved = System.getProperty(SHARED_CONFIG);
      if (saved != null) {
        return decode(saved);
      }
      Map<String, String> config = stack().serviceConfig();
      System.setProperty(SHARED_CONFIG, encode(config));
      return config;
    }
  }

  /** The Kafka bootstrap servers of this JVM's stack, for tests that read or write topics. */
  public static String kafkaBootstrapServers() {
    return serviceConfig().get("kafka.bootstrap.servers");
  }

  @Override
  public Map<String, String> start() {
    return serviceConfig();
  }

  @Override
  public void stop() {
    // Kept for the next test class; the shutdown hook stops it.
  }

  private static String encode(Map<String, String> config) {
    Properties properties = new Properties();
    properties.putAll(config);
    StringWriter out = new StringWriter();
    try {
      properties.store(out, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static Map<String, String> decode(String saved) {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(saved));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> config = new HashMap<>();
    properties.forEach((key, value) -> config.put((String) key, (String) value));
    return config;
  }
}
