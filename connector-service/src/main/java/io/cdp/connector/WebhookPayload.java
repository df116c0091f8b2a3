package io.cdp.connector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.contracts.audience.v1.MembershipTransition;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * The JSON body of a webhook delivery (API.md). Built only from the transition and the connector,
 * so a retry, or a redelivered transition after a crash, sends the same bytes under the same id.
 */
public record WebhookPayload(
    String deliveryId,
    String connectorId,
    TriggerView trigger,
    String profileId,
    AudienceView audience,
    Map<String, Object> data,
    String occurredAt) {

  /** The trigger that fired, as the connector declared it. */
  public record TriggerView(String audience, String on) {}

  /** The audience of the transition. */
  public record AudienceView(String id, String name) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The delivery id of {@code connectorId} for {@code transitionId}: a name-based UUID, so the same
   * transition delivered again (Kafka redelivery) gets the same id and the receiver can dedupe.
   */
  public static String deliveryId(String transitionId, String connectorId) {
    return UUID.nameUUIDFromBytes(
            (transitionId + "/" + connectorId).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /**
   * The payload for one connector and one transition. Mapping is not evaluated yet (CEL comes with
   * the service's issue), so {@code data} carries only the profile id: nothing else leaves.
   */
  public static WebhookPayload of(String connectorId, Trigger trigger, MembershipTransition t) {
    Instant occurredAt =
        Instant.ofEpochSecond(t.getOccurredAt().getSeconds(), t.getOccurredAt().getNanos());
    return new WebhookPayload(
        deliveryId(t.getTransitionId(), connectorId),
        connectorId,
        new TriggerView(trigger.audience(), trigger.on().wireName()),
        t.getProfileId(),
        new AudienceView(t.getAudienceId(), t.getAudienceName()),
        Map.of("profileId", t.getProfileId()),
        occurredAt.toString());
  }

  /** The exact bytes that are signed and sent. */
  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A webhook payload is always serialisable", e);
    }
  }
}
