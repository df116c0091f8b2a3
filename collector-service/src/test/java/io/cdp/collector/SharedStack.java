package io.cdp.collector;

import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * {@link LocalStackResource}, kept across Quarkus restarts. A {@code @TestProfile} reloads every
 * class, static fields included, so it would start a second Kafka, PostgreSQL and Infinispan; the
 * first stack's settings are therefore kept in a system property, which survives the reload.
 */
public class SharedStack implements QuarkusTestResourceLifecycleManager {

  private static final String KEY = "collector-tests.local-stack";

  @Override
  public Map<String, String> start() {
    synchronized (System.getProperties()) {
      String saved = System.getProperty(KEY);
      if (saved != null) {
        return decode(saved);
      }
      Map<String, String> config = new LocalStackResource().start();
      System.setProperty(KEY, encode(config));
      return config;
    }
  }

  @Override
  public void stop() {
    // The stack stops when the JVM exits (LocalStackResource's shutdown hook).
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
