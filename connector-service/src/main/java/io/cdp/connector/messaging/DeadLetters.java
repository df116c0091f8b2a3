package io.cdp.connector.messaging;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.cdp.contracts.connector.v1.DeadDelivery;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Publishes deliveries that ran out of attempts on {@code cdp.deliveries.dead}. */
@ApplicationScoped
public class DeadLetters {

  /** The channel writing {@code cdp.deliveries.dead}. */
  public static final String CHANNEL = "deliveries-dead";

  private final MutinyEmitter<DeadDelivery> emitter;

  public DeadLetters(@Channel(CHANNEL) MutinyEmitter<DeadDelivery> emitter) {
    this.emitter = emitter;
  }

  /** Publishes one dead delivery, keyed by connector id; completes once Kafka acknowledged it. */
  public Uni<Void> publish(
      String deliveryId,
      String connectorId,
      String profileId,
      byte[] body,
      int attempts,
      String lastError) {
    Instant now = Instant.now();
    DeadDelivery dead =
        DeadDelivery.newBuilder()
            .setDeliveryId(deliveryId)
            .setConnectorId(connectorId)
            .setProfileId(profileId)
            .setBody(ByteString.copyFrom(body))
            .setAttempts(attempts)
            .setLastError(lastError)
            .setFailedAt(
                Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
            .build();
    return emitter.sendMessage(
        Message.of(dead)
            .addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(connectorId).build()));
  }
}
