package io.cdp.collector.messaging;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.Config;

/** The suite's shared Kafka settings, for the collector's own Kafka clients. */
public final class KafkaSettings {

  /** Where they are set (bootstrap servers, acks, idempotence, linger), in the order they apply. */
  private static final List<String> SHARED_PREFIXES =
      List.of("kafka.", "mp.messaging.connector.smallrye-kafka.");

  /** The shared settings among {@code names}: a client's own config names. */
  public static Map<String, Object> shared(Config config, Set<String> names) {
    Map<String, Object> settings = new HashMap<>();
    for (String prefix : SHARED_PREFIXES) {
      for (String key : config.getPropertyNames()) {
        String name = key.substring(Math.min(prefix.length(), key.length()));
        if (key.startsWith(prefix) && names.contains(name)) {
          config.getOptionalValue(key, String.class).ifPresent(value -> settings.put(name, value));
        }
      }
    }
    return settings;
  }

  private KafkaSettings() {}
}
