package io.cdp.identity.store;

import io.cdp.identity.IdentifierRef;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The identity graph's statements for a whole Kafka poll at once, one round trip each, on the
 * reactive SQL client (the per-event transactions of {@link io.cdp.identity.IdentityResolver} go
 * through Hibernate Reactive). Each statement is atomic on its own and harmless to repeat, so a
 * failure is retried, and a batch that still fails is delivered again.
 */
@ApplicationScoped
public class IdentifierRows {

  /**
   * Answers the owners of the identifiers as committed now, and records their sightings: {@code
   * last_seen} is kept to the minute, so most events of a visit only read (writing it at every
   * event would cost a row version each). Rows are updated in (type, value) order, the order
   * concurrent batches lock them in.
   */
  private static final String TOUCH =
      """
      WITH seen AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS s(type, value, seen)),
      touched AS (
        UPDATE identity.identifiers AS i SET last_seen = s.seen
        FROM seen s
        WHERE i.type = s.type AND i.value = s.value
            AND i.last_seen < s.seen - interval '1 minute')
      SELECT i.type, i.value, i.profile_id
      FROM identity.identifiers i JOIN seen s ON i.type = s.type AND i.value = s.value""";

  /**
   * Creates a profile for each identifier that is still nobody's and was never erased; answers
   * those linked. An identifier another writer linked first, or a suppressed one, is left out.
   */
  private static final String LINK_NEW =
      """
      WITH linked AS (
        INSERT INTO identity.identifiers (type, value, profile_id, first_seen, last_seen)
        SELECT n.type, n.value, n.profile_id, n.seen, n.seen
        FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[])
            AS n(type, value, profile_id, seen, hash)
        WHERE NOT EXISTS
            (SELECT 1 FROM identity.suppressed_identifiers s WHERE s.hash = n.hash)
        ON CONFLICT (type, value) DO NOTHING
        RETURNING type, value, profile_id),
      created AS (
        INSERT INTO identity.profiles (id, created_at) SELECT profile_id, now() FROM linked)
      SELECT type, value, profile_id FROM linked""";

  // About a minute of backoff: longer means PostgreSQL is down, and the batch is redelivered.
  private static final int ATTEMPTS = 15;

  private final Pool pool;

  public IdentifierRows(Pool pool) {
    this.pool = pool;
  }

  /** A new identifier and the id of the profile to create for it. */
  public record NewLink(IdentifierRef identifier, String profileId, Instant seenAt) {}

  /**
   * Raises {@code last_seen} of those identifiers that are linked to the latest time given, when
   * that is more than a minute later.
   *
   * @return {@code type:value} -> profile id of every one of them that is linked
   */
  public Uni<Map<String, String>> touch(Map<IdentifierRef, Instant> seen) {
    if (seen.isEmpty()) {
      return Uni.createFrom().item(Map.of());
    }
    List<Map.Entry<IdentifierRef, Instant>> rows =
        seen.entrySet().stream()
            .sorted(
                Comparator.comparing((Map.Entry<IdentifierRef, Instant> e) -> e.getKey().type())
                    .thenComparing(e -> e.getKey().value()))
            .toList();
    Tuple params =
        Tuple.of(
            rows.stream().map(e -> e.getKey().type()).toArray(String[]::new),
            rows.stream().map(e -> e.getKey().value()).toArray(String[]::new),
            rows.stream().map(e -> timestamp(e.getValue())).toArray(OffsetDateTime[]::new));
    return retried(pool.preparedQuery(TOUCH).execute(params)).map(IdentifierRows::owners);
  }

  /**
   * Links each new identifier to a new profile of its own, in one statement.
   *
   * @return {@code type:value} -> profile id of those linked; the others are left to the caller
   */
  public Uni<Map<String, String>> linkNew(List<NewLink> links) {
    if (links.isEmpty()) {
      return Uni.createFrom().item(Map.of());
    }
    Tuple params =
        Tuple.of(
            links.stream().map(l -> l.identifier().type()).toArray(String[]::new),
            links.stream().map(l -> l.identifier().value()).toArray(String[]::new),
            links.stream().map(NewLink::profileId).toArray(String[]::new),
            links.stream().map(l -> timestamp(l.seenAt())).toArray(OffsetDateTime[]::new),
            links.stream()
                .map(l -> SuppressedIdentifier.hashOf(l.identifier()))
                .toArray(String[]::new));
    return retried(pool.preparedQuery(LINK_NEW).execute(params)).map(IdentifierRows::owners);
  }

  private static Uni<RowSet<Row>> retried(Uni<RowSet<Row>> statement) {
    return statement
        .onFailure()
        .retry()
        .withBackOff(Duration.ofMillis(50), Duration.ofSeconds(5))
        .atMost(ATTEMPTS);
  }

  private static Map<String, String> owners(RowSet<Row> rows) {
    Map<String, String> owners = new HashMap<>();
    for (Row row : rows) {
      owners.put(new IdentifierRef(row.getString(0), row.getString(1)).key(), row.getString(2));
    }
    return owners;
  }

  private static OffsetDateTime timestamp(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
