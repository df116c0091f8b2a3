package io.cdp.connector.store;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A field that left the suite through a connector, and in how many deliveries: the data
 * minimization report ({@code GET /v1/connectors/{id}/fields}). Counted in the transaction that
 * settles a delivery as delivered, so each delivery counts once; kept when deliveries are erased
 * (it holds field names, no personal data).
 */
@Entity
@Table(name = "sent_fields")
@IdClass(SentField.Key.class)
public class SentField extends PanacheEntityBase {

  /**
   * Each connector's count of a field is spread over this many rows (by delivery id), so concurrent
   * deliveries of one connector rarely wait for each other's row lock; the report adds them up.
   */
  public static final int SHARDS = 16;

  /** The primary key: connector, field name and shard. */
  public static class Key implements Serializable {
    public UUID connectorId;
    public String field;
    public int shard;

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && connectorId.equals(k.connectorId)
          && field.equals(k.field)
          && shard == k.shard;
    }

    @Override
    public int hashCode() {
      return Objects.hash(connectorId, field, shard);
    }
  }

  @Id
  @Column(name = "connector_id")
  public UUID connectorId;

  @Id
  @Column(columnDefinition = "text")
  public String field;

  @Id public int shard;

  /** Deliveries that carried the field. */
  @Column(nullable = false)
  public long deliveries;

  @Column(name = "first_sent_at", nullable = false)
  public Instant firstSentAt;

  @Column(name = "last_sent_at", nullable = false)
  public Instant lastSentAt;

  /** The fields of {@code connectorId} with their counts summed over the shards, by name. */
  public static Uni<List<SentField>> report(UUID connectorId) {
    return find(
            "select field, sum(deliveries), min(firstSentAt), max(lastSentAt) from SentField"
                + " where connectorId = ?1 group by field order by field",
            connectorId)
        .project(Object[].class)
        .list()
        .map(
            rows ->
                rows.stream()
                    .map(
                        row -> {
                          SentField total = new SentField();
                          total.connectorId = connectorId;
                          total.field = (String) row[0];
                          total.deliveries = ((Number) row[1]).longValue();
                          total.firstSentAt = (Instant) row[2];
                          total.lastSentAt = (Instant) row[3];
                          return total;
                        })
                    .toList());
  }

  /**
   * Adds {@code countsJson} ({@code [{"c": connector id, "f": field, "n": deliveries}]}, in key
   * order, so concurrent writers lock rows in one order) in one statement, in the caller's
   * transaction, to one shard.
   */
  public static Uni<Void> add(String countsJson, Instant at) {
    return Panache.getSession()
        .flatMap(
            session ->
                session
                    .createNativeQuery(
                        "insert into connector.sent_fields"
                            + " (connector_id, field, shard, deliveries, first_sent_at,"
                            + " last_sent_at)"
                            + " select cast(e->>'c' as uuid), e->>'f', ?1, cast(e->>'n' as bigint),"
                            + " ?2, ?3"
                            // As text first: the driver would send a string as a JSON string.
                            + " from jsonb_array_elements(cast(cast(?4 as text) as jsonb)) e"
                            + " on conflict (connector_id, field, shard) do update"
                            + " set deliveries = connector.sent_fields.deliveries"
                            + " + excluded.deliveries,"
                            + " last_sent_at = excluded.last_sent_at")
                    .setParameter(1, Settlements.shard())
                    .setParameter(2, at)
                    .setParameter(3, at)
                    .setParameter(4, countsJson)
                    .executeUpdate())
        .replaceWithVoid();
  }
}
