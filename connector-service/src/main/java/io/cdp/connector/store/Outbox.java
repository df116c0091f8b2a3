package io.cdp.connector.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.connector.DeliverySource;
import io.cdp.connector.WebhookPayload;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

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

  /**
   * Inserts what is new (the same delivery twice in one batch, a redelivery, is one) and answers
   * every planned id still pending. The final SELECT sees the table as the statement began, so it
   * finds the rows recorded before, and the INSERT's RETURNING the new ones.
   */
  private static final String RECORD =
      """
      WITH planned AS (
        SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[])
            AS p(delivery_id, connector_id, profile_id, source_json)),
      inserted AS (
        INSERT INTO connector.deliveries (delivery_id, connector_id, profile_id, status, attempts,
            source_json, created_at, updated_at)
        SELECT DISTINCT ON (delivery_id) delivery_id, connector_id, profile_id, 'pending', 0,
            source_json, $5, $5
        FROM planned
        ON CONFLICT (delivery_id) DO NOTHING
        RETURNING delivery_id)
      SELECT delivery_id FROM inserted
      UNION
      SELECT d.delivery_id FROM connector.deliveries d JOIN planned p USING (delivery_id)
      WHERE d.status = 'pending'""";

  private final ObjectMapper json;
  private final Pool pool;

  public Outbox(ObjectMapper json, Pool pool) {
    this.json = json;
    this.pool = pool;
  }

  /**
   * Records a pending delivery per match of {@code sourceId} unless it exists, and returns those
   * still pending.
   */
  public Uni<List<Pending>> record(String sourceId, String profileId, List<Match> matches) {
    return record(matches.stream().map(m -> new Planned(sourceId, profileId, m)).toList());
  }

  /**
   * Records a pending delivery per planned one unless it exists, in one statement, and returns
   * those still pending (new or recorded before and not settled), in order, each once.
   */
  public Uni<List<Pending>> record(List<Planned> planned) {
    if (planned.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    List<String> ids = planned.stream().map(Planned::deliveryId).toList();
    Tuple params =
        Tuple.of(
            ids.toArray(String[]::new),
            planned.stream().map(p -> p.match().connector().id).toArray(UUID[]::new),
            planned.stream().map(Planned::profileId).toArray(String[]::new),
            planned.stream().map(p -> write(p.match().source())).toArray(String[]::new),
            Instant.now().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC));
    return pool.preparedQuery(RECORD)
        .execute(params)
        .map(
            rows -> {
              Set<String> pendingIds = new HashSet<>();
              for (Row row : rows) {
                pendingIds.add(row.getString(0));
              }
              Map<String, Pending> pending = new LinkedHashMap<>();
              for (int i = 0; i < planned.size(); i++) {
                if (pendingIds.contains(ids.get(i))) {
                  pending.putIfAbsent(
                      ids.get(i), new Pending(planned.get(i).match().connector().id, ids.get(i)));
                }
              }
              return List.copyOf(pending.values());
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
