package io.cdp.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The Kafka producer settings of the collector's {@code cdp.events.raw} producer, read from the
 * files that configure it (the shared defaults, then the collector's own), so the raw producer that
 * the collector is compared with always runs with exactly the same acks, idempotence, batching and
 * timeouts.
 */
final class CollectorProducerSettings {

  private static final List<String> FILES =
      List.of(
          "cdp-common/src/main/resources/META-INF/microprofile-config.properties",
          "collector-service/src/main/resources/application.properties");

  /** Connector-wide settings first, the channel's own override them. */
  private static final List<String> PREFIXES =
      List.of("mp.messaging.connector.smallrye-kafka.", "cdp.collector.producer.");

  static Map<String, Object> read(Path root) throws IOException {
    Properties merged = new Properties();
    for (String file : FILES) {
      try (Reader reader = Files.newBufferedReader(root.resolve(file))) {
        merged.load(reader);
      }
    }
    Map<String, Object> producer = new LinkedHashMap<>();
    for (String prefix : PREFIXES) {
      for (String key : merged.stringPropertyNames()) {
        if (!key.startsWith(prefix)) {
          continue;
        }
        String name = key.substring(prefix.length());
        // The raw producer sends bytes it serialized once; everything else is taken as is.
        if (ProducerConfig.configNames().contains(name) && !name.endsWith(".serializer")) {
          producer.put(name, merged.getProperty(key));
        }
      }
    }
    return producer;
  }

  private CollectorProducerSettings() {}
}
