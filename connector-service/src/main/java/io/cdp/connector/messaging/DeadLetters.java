package io.cdp.connector.messaging;

import com.google.protobuf.ByteString;
import io.cdp.common.messaging.KafkaMessages;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.connector.v1.DeadDelivery;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.eclipse.microprofile.reactive.messaging.Channel;

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
            .setFailedAt(ProtoTime.timestamp(now))
            .build();
    return emitter.sendMessage(KafkaMessages.keyed(connectorId, dead));
  }
}
