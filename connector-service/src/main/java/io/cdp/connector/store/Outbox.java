package io.cdp.connector.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.connector.DeliverySource;
import io.cdp.connector.WebhookPayload;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
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

  /** A match of the record {@code sourceId} (about {@code profileId}): one delivery. */
  public record Planned(String sourceId, String profileId, Match match) {

    String deliveryId() {
      return WebhookPayload.deliveryId(sourceId, match.connector().id.toString());
    }
  }

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
    return record(matches.stream().map(m -> new Planned(sourceId, profileId, m)).toList());
  }

  /**
   * Records a pending delivery per planned one unless it exists (one query and one batch of inserts
   * for all), and returns those still pending. Must run in a transaction.
   */
  public Uni<List<Pending>> record(List<Planned> planned) {
    if (planned.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    List<String> ids = planned.stream().map(Planned::deliveryId).toList();
    return Delivery.<Delivery>list("deliveryId in ?1", ids)
        .flatMap(
            rows -> {
              Map<String, Delivery> existing =
                  rows.stream().collect(Collectors.toMap(d -> d.deliveryId, Function.identity()));
              Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
              Map<String, Delivery> fresh = new LinkedHashMap<>();
              Map<String, Pending> pending = new LinkedHashMap<>();
              for (int i = 0; i < planned.size(); i++) {
                Planned plan = planned.get(i);
                String id = ids.get(i);
                Delivery known = existing.get(id);
                if (known != null && !Delivery.PENDING.equals(known.status)) {
                  continue;
                }
                // The same record twice in one batch (a redelivery) is one delivery.
                if (known == null && !fresh.containsKey(id)) {
                  Delivery delivery = new Delivery();
                  delivery.deliveryId = id;
                  delivery.connectorId = plan.match().connector().id;
                  delivery.profileId = plan.profileId();
                  delivery.status = Delivery.PENDING;
                  delivery.attempts = 0;
                  delivery.sourceJson = write(plan.match().source());
                  delivery.createdAt = now;
                  delivery.updatedAt = now;
                  fresh.put(id, delivery);
                }
                pending.put(id, new Pending(plan.match().connector().id, id));
              }
              Uni<Void> stored =
                  fresh.isEmpty()
                      ? Uni.createFrom().voidItem()
                      : Delivery.persist(List.copyOf(fresh.values()));
              return stored.replaceWith(List.copyOf(pending.values()));
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
