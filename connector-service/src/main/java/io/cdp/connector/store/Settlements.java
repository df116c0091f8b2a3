package io.cdp.connector.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.common.Batcher;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * Settles delivered deliveries in batches ({@link Batcher}): one transaction marks the rows
 * delivered and counts the fields they carried ({@link SentField}) for the rows it settled, and
 * only those, so each delivery counts once. A delivery is reported settled once its batch
 * committed; if the batch fails, it stays pending and is sent again (same id, same body).
 */
@ApplicationScoped
public class Settlements {

  /** One delivered delivery waiting for its batch. */
  private record Settled(UUID connectorId, String deliveryId, List<String> fields) {}

  private static final int MAX_BATCH = 500;

  private final ObjectMapper json;
  private final Batcher<Settled, Void> batches;

  public Settlements(Vertx vertx, ObjectMapper json) {
    this.json = json;
    this.batches =
        new Batcher<>(
            vertx,
            MAX_BATCH,
            batch ->
                Panache.withTransaction(() -> write(batch))
                    .replaceWith(Collections.nCopies(batch.size(), (Void) null)));
  }

  /**
   * Marks {@code deliveryId} delivered (if still pending) and counts {@code fields} for it;
   * completes once committed.
   */
  public Uni<Void> delivered(UUID connectorId, String deliveryId, List<String> fields) {
    return batches.submit(new Settled(connectorId, deliveryId, fields));
  }

  private Uni<Void> write(List<Settled> batch) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    List<String> ids = batch.stream().map(Settled::deliveryId).toList();
    return Panache.getSession()
        .flatMap(
            session ->
                session
                    .createNativeQuery(
                        "update connector.deliveries set status = 'delivered',"
                            + " attempts = attempts + 1, last_error = null, updated_at = ?1"
                            + " where delivery_id in (?2) and status = 'pending'"
                            + " returning delivery_id",
                        String.class)
                    .setParameter(1, now)
                    .setParameter(2, ids)
                    .getResultList()
                    .flatMap(
                        settled -> {
                          String counts = counts(batch, settled);
                          if (counts == null) {
                            return Uni.createFrom().voidItem();
                          }
                          return SentField.add(counts, now);
                        }));
  }

  /**
   * The fields of the deliveries this batch settled, counted per connector and field, as a JSON
   * array of {@code {"c": connector, "f": field, "n": count}} in key order; null when none.
   */
  private String counts(List<Settled> batch, List<String> settled) {
    var settledIds = new java.util.HashSet<>(settled);
    Map<String, Long> counts = new TreeMap<>();
    for (Settled s : batch) {
      if (settledIds.remove(s.deliveryId())) {
        s.fields().forEach(f -> counts.merge(s.connectorId() + "\n" + f, 1L, Long::sum));
      }
    }
    if (counts.isEmpty()) {
      return null;
    }
    try {
      return json.writeValueAsString(
          counts.entrySet().stream()
              .map(
                  e -> {
                    String[] key = e.getKey().split("\n", 2);
                    return Map.of("c", key[0], "f", key[1], "n", e.getValue());
                  })
              .collect(Collectors.toList()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Counts are always writable", e);
    }
  }

  /** A shard for this batch: concurrent batches (of other instances) rarely share rows. */
  static int shard() {
    return ThreadLocalRandom.current().nextInt(SentField.SHARDS);
  }
}
