package io.cdp.connector.store;

import io.cdp.common.Batcher;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What an attempt reads and writes before it calls the destination, for many deliveries at once
 * ({@link Batcher}): the pending delivery with its connector, and the body it sends. Settling is
 * {@link Settlements}.
 */
@ApplicationScoped
public class PendingDeliveries {

  /** A pending delivery and the connector it goes to. */
  public record Loaded(Delivery delivery, Connector connector) {}

  /** A body built for {@code deliveryId}, to store unless one is stored already. */
  private record Body(String deliveryId, byte[] bytes) {}

  /** Bodies stored where none was; answers the ids it stored. */
  private static final String STORE_BODIES =
      """
      UPDATE connector.deliveries d SET body = v.body
      FROM unnest($1::text[], $2::bytea[]) AS v(id, body)
      WHERE d.delivery_id = v.id AND d.body IS NULL
      RETURNING d.delivery_id""";

  /** The pending rows among some delivery ids, with what an attempt needs of them. */
  private static final String PENDING =
      """
      SELECT delivery_id, connector_id, profile_id, attempts, source_json, body, created_at
      FROM connector.deliveries WHERE delivery_id = ANY($1) AND status = 'pending'""";

  private static final String DELETE =
      "DELETE FROM connector.deliveries WHERE delivery_id = ANY($1)";

  /** The bodies that were stored before. */
  private static final String STORED_BODIES =
      "SELECT delivery_id, body FROM connector.deliveries WHERE delivery_id = ANY($1)";

  private static final int MAX_BATCH = 500;

  private final ConnectorCatalog catalog;
  private final Pool pool;
  private final Batcher<String, Loaded> loads;
  private final Batcher<Body, byte[]> bodies;

  public PendingDeliveries(Vertx vertx, ConnectorCatalog catalog, Pool pool) {
    this.catalog = catalog;
    this.pool = pool;
    this.loads = new Batcher<>(vertx, MAX_BATCH, this::load);
    this.bodies = new Batcher<>(vertx, MAX_BATCH, this::store);
  }

  /**
   * {@code deliveryId} with its connector while it is pending; null once settled or deleted. A
   * delivery whose connector is gone (recorded while it was being deleted) has nowhere to go: it is
   * deleted.
   */
  public Uni<Loaded> pending(String deliveryId) {
    return loads.submit(deliveryId);
  }

  /**
   * Stores {@code body} as what {@code deliveryId} sends, unless a body is stored already; answers
   * the stored one. Whoever stored first wins, so every attempt sends the same bytes.
   */
  public Uni<byte[]> body(String deliveryId, byte[] body) {
    return bodies.submit(new Body(deliveryId, body));
  }

  private Uni<List<Loaded>> load(List<String> ids) {
    return pool.preparedQuery(PENDING)
        .execute(Tuple.of(ids.toArray(String[]::new)))
        .flatMap(
            rows -> {
              Map<String, Delivery> byId = new HashMap<>();
              for (Row row : rows) {
                Delivery d = delivery(row);
                byId.put(d.deliveryId, d);
              }
              // The catalog spares a query; connectors it does not know yet are read.
              Set<UUID> unknown = new HashSet<>();
              byId.values()
                  .forEach(
                      d -> {
                        if (catalog.known(d.connectorId) == null) {
                          unknown.add(d.connectorId);
                        }
                      });
              Uni<List<Connector>> read =
                  unknown.isEmpty()
                      ? Uni.createFrom().item(List.of())
                      : Panache.withSession(() -> Connector.<Connector>list("id in ?1", unknown));
              return read.flatMap(
                  found -> {
                    Map<UUID, Connector> connectors = new HashMap<>();
                    found.forEach(c -> connectors.put(c.id, c));
                    List<Loaded> loaded = new ArrayList<>(ids.size());
                    List<String> orphans = new ArrayList<>();
                    for (String id : ids) {
                      Delivery d = byId.get(id);
                      Connector c =
                          d == null
                              ? null
                              : connectors.getOrDefault(
                                  d.connectorId, catalog.known(d.connectorId));
                      if (d != null && c == null) {
                        orphans.add(id);
                      }
                      loaded.add(c == null ? null : new Loaded(d, c));
                    }
                    return orphans.isEmpty()
                        ? Uni.createFrom().item(loaded)
                        : pool.preparedQuery(DELETE)
                            .execute(Tuple.of(orphans.toArray(String[]::new)))
                            .replaceWith(loaded);
                  });
            });
  }

  /** A pending row as read by {@link #PENDING}, detached: attempts only read it. */
  private static Delivery delivery(Row row) {
    Delivery d = new Delivery();
    d.deliveryId = row.getString("delivery_id");
    d.connectorId = row.getUUID("connector_id");
    d.profileId = row.getString("profile_id");
    d.status = Delivery.PENDING;
    d.attempts = row.getInteger("attempts");
    d.sourceJson = row.getString("source_json");
    var body = row.getBuffer("body");
    d.body = body == null ? null : body.getBytes();
    d.createdAt = row.getOffsetDateTime("created_at").toInstant(); // timestamptz
    return d;
  }

  private Uni<List<byte[]>> store(List<Body> batch) {
    String[] ids = batch.stream().map(Body::deliveryId).toArray(String[]::new);
    Buffer[] bytes = batch.stream().map(b -> Buffer.buffer(b.bytes())).toArray(Buffer[]::new);
    return pool.preparedQuery(STORE_BODIES)
        .execute(Tuple.of(ids, bytes))
        .flatMap(
            updated -> {
              Set<String> stored = new HashSet<>();
              for (Row row : updated) {
                stored.add(row.getString(0));
              }
              List<String> before =
                  batch.stream().map(Body::deliveryId).filter(id -> !stored.contains(id)).toList();
              Uni<Map<String, byte[]>> earlier =
                  before.isEmpty()
                      ? Uni.createFrom().item(Map.of())
                      : pool.preparedQuery(STORED_BODIES)
                          .execute(Tuple.of(before.toArray(String[]::new)))
                          .map(
                              rows -> {
                                Map<String, byte[]> found = new HashMap<>();
                                for (Row row : rows) {
                                  var body = row.getBuffer(1);
                                  if (body != null) {
                                    found.put(row.getString(0), body.getBytes());
                                  }
                                }
                                return found;
                              });
              // A delivery deleted meanwhile stores nothing: its attempt sends what it built.
              return earlier.map(
                  found ->
                      batch.stream()
                          .map(b -> found.getOrDefault(b.deliveryId(), b.bytes()))
                          .toList());
            });
  }
}
