package io.cdp.connector.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.connector.DeliverySource;
import io.cdp.connector.WebhookPayload;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Records deliveries as {@code pending} rows before the Kafka record that caused them is
 * acknowledged: once recorded, a delivery is sent even if the service stops right after.
 *
 * <p>Idempotency: a delivery's id is derived from its source (transition id or event message id)
 * and the connector id. A redelivered record finds its rows and adds none; the ones still pending
 * are handed to the dispatcher again, which ignores those it already works on.
 */
@ApplicationScoped
public class Outbox {

  /** A connector whose trigger matched, with what to deliver for it. */
  public record Match(Connector connector, DeliverySource source) {}

  /** A pending delivery to dispatch. */
  public record Pending(UUID connectorId, String deliveryId) {}

  private final ObjectMapper json;

  public Outbox(ObjectMapper json) {
    this.json = json;
  }

  /**
   * Records a pending delivery per match of {@code sourceId} unless it exists, and returns those
   * still pending. Must run in a transaction.
   */
  public Uni<List<Pending>> record(String sourceId, String profileId, List<Match> matches) {
    if (matches.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    List<String> ids =
        matches.stream()
            .map(m -> WebhookPayload.deliveryId(sourceId, m.connector().id.toString()))
            .toList();
    return Delivery.<Delivery>list("deliveryId in ?1", ids)
        .flatMap(
            rows -> {
              Map<String, Delivery> existing =
                  rows.stream().collect(Collectors.toMap(d -> d.deliveryId, Function.identity()));
              Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
              List<Delivery> fresh = new ArrayList<>();
              List<Pending> pending = new ArrayList<>();
              for (int i = 0; i < matches.size(); i++) {
                Match match = matches.get(i);
                Delivery known = existing.get(ids.get(i));
                if (known != null && !Delivery.PENDING.equals(known.status)) {
                  continue;
                }
                if (known == null) {
                  Delivery delivery = new Delivery();
                  delivery.deliveryId = ids.get(i);
                  delivery.connectorId = match.connector().id;
                  delivery.profileId = profileId;
                  delivery.status = Delivery.PENDING;
                  delivery.attempts = 0;
                  delivery.sourceJson = write(match.source());
                  delivery.createdAt = now;
                  delivery.updatedAt = now;
                  fresh.add(delivery);
                }
                pending.add(new Pending(match.connector().id, ids.get(i)));
              }
              Uni<Void> stored =
                  fresh.isEmpty() ? Uni.createFrom().voidItem() : Delivery.persist(fresh);
              return stored.replaceWith(pending);
            });
  }

  private String write(DeliverySource source) {
    try {
      return json.writeValueAsString(source);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A delivery source is always serialisable", e);
    }
  }
}
