package io.cdp.common.messaging;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Outgoing Kafka messages as every topic of the suite wants them: keyed by the id whose order
 * matters.
 */
public final class KafkaMessages {

  /** {@code payload} as a record keyed by {@code key}. */
  public static <T> Message<T> keyed(String key, T payload) {
    return Message.of(payload)
        .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build());
  }

  private KafkaMessages() {}
}
