package io.cdp.connector;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.connector.DeliverySource.AudienceView;
import io.cdp.connector.DeliverySource.TriggerView;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/**
 * The JSON body of a delivery (API.md). Built once, at the first attempt, and kept with the
 * delivery: retries, redeliveries after a crash and replays send the same bytes under the same id.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookPayload(
    String type,
    String action,
    String deliveryId,
    String connectorId,
    TriggerView trigger,
    String profileId,
    AudienceView audience,
    Map<String, Object> data,
    String occurredAt) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The delivery id of {@code connectorId} for {@code sourceId} (a transition id or an event's
   * message id): a name-based UUID, so the same source delivered again (Kafka redelivery) gets the
   * same id and the receiver can dedupe.
   */
  public static String deliveryId(String sourceId, String connectorId) {
    return UUID.nameUUIDFromBytes((sourceId + "/" + connectorId).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /** The payload of one delivery: its source and the mapped fields, and nothing else. */
  public static WebhookPayload of(
      String deliveryId, String connectorId, DeliverySource source, Map<String, Object> data) {
    return new WebhookPayload(
        source.isErasure() ? DeliverySource.ERASURE : null,
        null,
        deliveryId,
        connectorId,
        source.trigger(),
        source.profileId(),
        source.audience(),
        data,
        source.occurredAt());
  }

  /**
   * This payload with {@code action} set, as a {@code crm} connector sends it ({@link CrmAction}).
   */
  public WebhookPayload withAction(CrmAction crmAction) {
    return new WebhookPayload(
        type,
        crmAction.wireName(),
        deliveryId,
        connectorId,
        trigger,
        profileId,
        audience,
        data,
        occurredAt);
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
