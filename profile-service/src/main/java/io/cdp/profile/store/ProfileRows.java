package io.cdp.profile.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.common.Batcher;
import io.cdp.profile.LiveProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The profiles in PostgreSQL ({@link ProfileRow}, {@link IdentifierRow}): the system of record. The
 * caches are written first and this table behind them, in batches ({@link RowBatch}); a consumer
 * acknowledges its Kafka records only once their batch is saved, so whatever the caches lose was
 * either saved here or is delivered again.
 *
 * <p>The body is the whole {@link LiveProfile} as JSONB rather than protobuf bytes: traits and
 * attributes are free-form JSON already, and an operator can read or query a profile (a subject
 * access request, a support question) with plain SQL. Version, update time and merge pointer are
 * columns because the upsert guard and retention need them.
 *
 * <p>Ordering: several writers save the same profile (the event and merge consumers, the visit
 * scan, other replicas). A row is replaced only by a higher version, so an older write arriving
 * late changes nothing; a merged profile's row is never replaced by the profile again. Rows are
 * written in id order so that concurrent batches lock them in the same order and never deadlock.
 */
@ApplicationScoped
public class ProfileRows {

  private static final String UPSERT =
      """
      INSERT INTO profile.profiles AS p (id, version, updated_at, merged_into, body)
      SELECT r.id, r.version, r.updated_at, r.merged_into, r.body::jsonb
      FROM unnest($1::text[], $2::int8[], $3::timestamptz[], $4::text[], $5::text[])
          AS r(id, version, updated_at, merged_into, body)
      ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at,
          merged_into = excluded.merged_into, body = excluded.body
      WHERE p.merged_into IS NULL
          AND (excluded.merged_into IS NOT NULL OR p.version < excluded.version)
      RETURNING id""";

  private static final String INDEX =
      """
      INSERT INTO profile.profile_identifiers AS i (identifier, profile_id)
      SELECT * FROM unnest($1::text[], $2::text[])
      ON CONFLICT (identifier) DO UPDATE SET profile_id = excluded.profile_id
      WHERE i.profile_id <> excluded.profile_id""";

  private static final String UNINDEX =
      "DELETE FROM profile.profile_identifiers WHERE profile_id = ANY($1) RETURNING identifier";

  // A write retried this often over about a minute means PostgreSQL is down: fail, redeliver.
  private static final int SAVE_ATTEMPTS = 15;

  /** How many reads of profiles wanted at the same moment go in one statement, at most. */
  private static final int MAX_READS = 500;

  private final Pool pool;
  private final ObjectMapper json;
  private final Batcher<String, Stored> loads;
  private final Batcher<String, Optional<String>> survivors;

  public ProfileRows(Pool pool, ObjectMapper json, Vertx vertx) {
    this.pool = pool;
    this.json = json;
    // A poll's profiles are worked on side by side, each missing from the cache read here: their
    // reads share statements instead of one each.
    this.loads = new Batcher<>(vertx, MAX_READS, this::loadAll);
    this.survivors = new Batcher<>(vertx, MAX_READS, this::mergedIntoAll);
  }

  /** One row of an upsert. */
  private record Line(
      String id, long version, OffsetDateTime updatedAt, String mergedInto, String body) {}

  /** What a deletion removed: profile rows (merged ones included) and identifier index entries. */
  public record Deleted(List<String> profileIds, List<String> identifiers) {}

  /**
   * Writes {@code batch} in one transaction: the profiles, the merge pointers and the identifier
   * index of every row written. Retried with backoff while PostgreSQL is unreachable; each attempt
   * is harmless to repeat.
   */
  public Uni<Void> save(RowBatch batch) {
    if (batch.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    List<Line> lines = new ArrayList<>();
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    for (LiveProfile profile : batch.profiles()) {
      Instant updatedAt = profile.updatedAt() == null ? Instant.now() : profile.updatedAt();
      lines.add(
          new Line(
              profile.profileId(),
              profile.version(),
              updatedAt.atOffset(ZoneOffset.UTC),
              null,
              body(profile)));
    }
    // A merged row's version is never compared: the pointer wins over any write of the profile.
    batch.merged().forEach((id, survivor) -> lines.add(new Line(id, 0, now, survivor, null)));
    lines.sort(Comparator.comparing(Line::id));
    Tuple upsert =
        Tuple.of(
            lines.stream().map(Line::id).toArray(String[]::new),
            lines.stream().map(Line::version).toArray(Long[]::new),
            lines.stream().map(Line::updatedAt).toArray(OffsetDateTime[]::new),
            lines.stream().map(Line::mergedInto).toArray(String[]::new),
            lines.stream().map(Line::body).toArray(String[]::new));
    return pool.withTransaction(
            connection ->
                connection
                    .preparedQuery(UPSERT)
                    .execute(upsert)
                    .map(ProfileRows::strings)
                    .chain(written -> index(connection, batch, new HashSet<>(written))))
        .onFailure()
        .retry()
        .withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5))
        .atMost(SAVE_ATTEMPTS);
  }

  /**
   * Points the identifiers of the profiles just written at them, and drops the entries of the
   * profiles just merged away (their identifiers now point at the survivor). Rows the version guard
   * refused are left alone: a newer write already indexed that profile.
   */
  private Uni<Void> index(SqlConnection connection, RowBatch batch, Set<String> written) {
    Map<String, String> index = new TreeMap<>();
    for (LiveProfile profile : batch.profiles()) {
      if (written.contains(profile.profileId())) {
        profile.identifiers().forEach(identifier -> index.put(identifier, profile.profileId()));
      }
    }
    String[] merged =
        batch.merged().keySet().stream().filter(written::contains).toArray(String[]::new);
    Uni<Void> upsert =
        index.isEmpty()
            ? Uni.createFrom().voidItem()
            : connection
                .preparedQuery(INDEX)
                .execute(
                    Tuple.of(
                        index.keySet().toArray(String[]::new),
                        index.values().toArray(String[]::new)))
                .replaceWithVoid();
    return merged.length == 0
        ? upsert
        : upsert.chain(
            () -> connection.preparedQuery(UNINDEX).execute(Tuple.of(merged)).replaceWithVoid());
  }

  /**
   * What PostgreSQL holds for a profile id: its live profile, or the profile it was merged into, or
   * neither ({@link #NONE}: the id was never stored, so it was not merged either, as a merge saves
   * its pointers before anything else).
   */
  public record Stored(LiveProfile profile, String mergedInto) {

    public static final Stored NONE = new Stored(null, null);

    public boolean none() {
      return profile == null && mergedInto == null;
    }
  }

  /** What is stored for {@code profileId}. */
  public Uni<Stored> load(String profileId) {
    return loads.submit(profileId);
  }

  private Uni<List<Stored>> loadAll(List<String> profileIds) {
    return byId(
            "SELECT id, merged_into, body::text FROM profile.profiles WHERE id = ANY($1)",
            profileIds,
            row ->
                row.getString(1) != null
                    ? new Stored(null, row.getString(1))
                    : new Stored(parse(row.getString(2)), null))
        .map(found -> found.stream().map(stored -> stored.orElse(Stored.NONE)).toList());
  }

  /**
   * What {@code select} (the id first, for the ids in {@code $1}) finds for each of {@code ids}, as
   * {@code read} makes it of the row, in their order; empty where it finds nothing.
   */
  private <T> Uni<List<Optional<T>>> byId(String select, List<String> ids, Function<Row, T> read) {
    return pool.preparedQuery(select)
        .execute(Tuple.of(ids.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, T> found = new HashMap<>();
              rows.forEach(row -> found.put(row.getString(0), read.apply(row)));
              return ids.stream().map(id -> Optional.ofNullable(found.get(id))).toList();
            });
  }

  /** Every stored profile with an open visit, with its last event's time. */
  public Uni<Map<String, Instant>> openVisits() {
    return pool.preparedQuery(
            "SELECT id, body->'visit'->>'lastEventAt' AS last_event_at FROM profile.profiles"
                + " WHERE merged_into IS NULL AND body->'visit'->>'ended' = 'false'")
        .execute()
        .map(
            rows -> {
              Map<String, Instant> open = new HashMap<>();
              rows.forEach(
                  row ->
                      open.put(row.getString("id"), Instant.parse(row.getString("last_event_at"))));
              return open;
            });
  }

  /** The profile {@code profileId} was merged into, if it was. */
  public Uni<Optional<String>> mergedInto(String profileId) {
    return survivors.submit(profileId);
  }

  private Uni<List<Optional<String>>> mergedIntoAll(List<String> profileIds) {
    return byId(
        "SELECT id, merged_into FROM profile.profiles"
            + " WHERE id = ANY($1) AND merged_into IS NOT NULL",
        profileIds,
        row -> row.getString(1));
  }

  /** The profile id indexed for {@code identifier} (normalised {@code type:value}). */
  public Uni<Optional<String>> profileIdOf(String identifier) {
    return pool.preparedQuery(
            "SELECT profile_id FROM profile.profile_identifiers WHERE identifier = $1")
        .execute(Tuple.of(identifier))
        .map(rows -> first(rows).map(row -> row.getString("profile_id")));
  }

  /**
   * Deletes the profiles {@code profileIds}, the pointers of profiles merged into them, their
   * identifier index entries and those of {@code identifiers}.
   */
  public Uni<Deleted> delete(Collection<String> profileIds, Collection<String> identifiers) {
    String[] ids = profileIds.toArray(String[]::new);
    return pool.withTransaction(
        connection ->
            connection
                .preparedQuery(
                    "DELETE FROM profile.profiles WHERE id = ANY($1) OR merged_into = ANY($1)"
                        + " RETURNING id")
                .execute(Tuple.of(ids))
                .chain(
                    deleted ->
                        connection
                            .preparedQuery(
                                "DELETE FROM profile.profile_identifiers"
                                    + " WHERE profile_id = ANY($1) OR identifier = ANY($2)"
                                    + " RETURNING identifier")
                            .execute(Tuple.of(ids, identifiers.toArray(String[]::new)))
                            .map(unindexed -> new Deleted(strings(deleted), strings(unindexed)))));
  }

  /**
   * Deletes up to {@code limit} rows (profiles or merge pointers) not updated since {@code before}.
   */
  public Uni<Deleted> deleteNotUpdatedSince(Instant before, int limit) {
    return pool.withTransaction(
        connection ->
            connection
                .preparedQuery(
                    "DELETE FROM profile.profiles WHERE id IN (SELECT id FROM profile.profiles"
                        + " WHERE updated_at < $1 ORDER BY updated_at LIMIT $2) RETURNING id")
                .execute(Tuple.of(before.atOffset(ZoneOffset.UTC), limit))
                .chain(
                    deleted -> {
                      String[] ids = strings(deleted).toArray(String[]::new);
                      return connection
                          .preparedQuery(UNINDEX)
                          .execute(Tuple.of(ids))
                          .map(unindexed -> new Deleted(List.of(ids), strings(unindexed)));
                    }));
  }

  private String body(LiveProfile profile) {
    try {
      return json.writeValueAsString(profile);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A profile did not serialise", e);
    }
  }

  private LiveProfile parse(String body) {
    try {
      return json.readValue(body, LiveProfile.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A stored profile did not parse", e);
    }
  }

  private static Optional<Row> first(RowSet<Row> rows) {
    var iterator = rows.iterator();
    return iterator.hasNext() ? Optional.of(iterator.next()) : Optional.empty();
  }

  private static List<String> strings(RowSet<Row> rows) {
    List<String> values = new ArrayList<>();
    rows.forEach(row -> values.add(row.getString(0)));
    return values;
  }
}
