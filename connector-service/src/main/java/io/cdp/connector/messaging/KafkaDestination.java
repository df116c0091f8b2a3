package io.cdp.connector.messaging;

import io.cdp.connector.Signatures;
import io.cdp.connector.config.DeliveryConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The {@code kafka} connector type: writes the delivery body (the same JSON a webhook gets) to the
 * connector's topic, keyed by profile id, with the delivery id and signature as headers.
 */
@ApplicationScoped
public class KafkaDestination {

  /** The channel every Kafka connector writes through; each record names its own topic. */
  public static final String CHANNEL = "connector-kafka";

  private final MutinyEmitter<byte[]> emitter;
  private final DeliveryConfig config;

  public KafkaDestination(@Channel(CHANNEL) MutinyEmitter<byte[]> emitter, DeliveryConfig config) {
    this.emitter = emitter;
    this.config = config;
  }

  /**
   * Writes {@code body} to {@code topic}; never fails. Emits {@code null} once the broker
   * acknowledged it, else why it was not.
   */
  public Uni<String> send(
      String topic, String profileId, String deliveryId, String secret, byte[] body) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("X-CDP-Delivery-Id", deliveryId.getBytes(StandardCharsets.UTF_8));
    headers.add(
        "X-CDP-Signature", Signatures.header(secret, body).getBytes(StandardCharsets.UTF_8));
    Message<byte[]> record =
        Message.of(body)
            .addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder()
                    .withTopic(topic)
                    .withKey(profileId)
                    .withHeaders(headers)
                    .build());
    return emitter
        .sendMessage(record)
        .ifNoItem()
        .after(config.timeout())
        .failWith(() -> new IllegalStateException("Kafka did not acknowledge in time"))
        .map(ignored -> (String) null)
        .onFailure()
        .recoverWithItem(DeliveryWorker::describe);
  }
}
