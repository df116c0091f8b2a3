package io.cdp.audience.store;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The statements that apply a whole Kafka poll of profile changes in one transaction, one round
 * trip each whatever the number of profiles, on the reactive SQL client (re-evaluations, backfills
 * and erasures, one profile at a time, go through Hibernate Reactive on the same tables). The
 * caller runs them on one connection inside a transaction; each statement is harmless to repeat.
 */
public final class MembershipRows {

  /**
   * The same transaction lock {@link ProfileLocks} takes, for many profiles, in id order: two
   * transactions that lock several profiles take them in the same order, so they cannot deadlock.
   */
  private static final String LOCK =
      """
      SELECT count(pg_advisory_xact_lock(hashtextextended(id, 0)))
      FROM (SELECT unnest($1::text[]) AS id ORDER BY 1) AS ids""";

  private static final String STATES =
      """
      SELECT profile_id, version, deleted, erased, round
      FROM audience.profile_states WHERE profile_id = ANY($1)""";

  private static final String MEMBERS =
      "SELECT profile_id, audience_id FROM audience.memberships WHERE profile_id = ANY($1)";

  /** A profile's round is kept: it counts re-evaluations, which a new version does not reset. */
  private static final String SAVE_STATES =
      """
      INSERT INTO audience.profile_states (profile_id, version, deleted, erased, round)
      SELECT p, v, d, false, 0 FROM unnest($1::text[], $2::bigint[], $3::boolean[]) AS s(p, v, d)
      ON CONFLICT (profile_id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted""";

  private static final String DELETE_SNAPSHOTS =
      "DELETE FROM audience.profile_snapshots WHERE profile_id = ANY($1)";

  private static final String SAVE_SNAPSHOTS =
      """
      INSERT INTO audience.profile_snapshots (profile_id, version, snapshot, next_check_at)
      SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[], $4::timestamptz[])
      ON CONFLICT (profile_id) DO UPDATE SET version = excluded.version,
          snapshot = excluded.snapshot, next_check_at = excluded.next_check_at""";

  private static final String DELETE_IDENTIFIERS =
      """
      DELETE FROM audience.profile_identifiers
      WHERE profile_id = ANY($1) OR identifier = ANY($2)""";

  /** A concurrent poll may have given one of them to another profile since: the latest wins. */
  private static final String SAVE_IDENTIFIERS =
      """
      INSERT INTO audience.profile_identifiers (identifier, profile_id)
      SELECT * FROM unnest($1::text[], $2::text[])
      ON CONFLICT (identifier) DO UPDATE SET profile_id = excluded.profile_id""";

  private static final String LEAVE =
      """
      DELETE FROM audience.memberships AS m USING unnest($1::text[], $2::uuid[]) AS l(p, a)
      WHERE m.profile_id = l.p AND m.audience_id = l.a""";

  private static final String JOIN =
      """
      INSERT INTO audience.memberships (profile_id, audience_id, since, last_version)
      SELECT * FROM unnest($1::text[], $2::uuid[], $3::timestamptz[], $4::bigint[])
      ON CONFLICT (profile_id, audience_id) DO NOTHING""";

  /** The applied version of a profile and how it stands, as {@link ProfileState} holds it. */
  public record State(long version, boolean deleted, boolean erased, long round) {}

  /** What one change leaves for its profile. {@code snapshot} is null for a deleted profile. */
  public record Write(
      String profileId,
      long version,
      boolean deleted,
      byte[] snapshot,
      Instant nextCheckAt,
      List<String> identifiers,
      Set<UUID> joined,
      Set<UUID> left) {}

  private MembershipRows() {}

  /** Locks the profiles until the transaction ends. */
  public static Uni<Void> lock(SqlConnection connection, Collection<String> profileIds) {
    return connection
        .preparedQuery(LOCK)
        .execute(Tuple.of(profileIds.toArray(String[]::new)))
        .replaceWithVoid();
  }

  /** The recorded state of each of the profiles that has one. */
  public static Uni<Map<String, State>> states(
      SqlConnection connection, Collection<String> profileIds) {
    return connection
        .preparedQuery(STATES)
        .execute(Tuple.of(profileIds.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, State> states = new HashMap<>();
              for (Row row : rows) {
                states.put(
                    row.getString(0),
                    new State(
                        row.getLong(1), row.getBoolean(2), row.getBoolean(3), row.getLong(4)));
              }
              return states;
            });
  }

  /** The audience ids each of the profiles is a member of (absent: none). */
  public static Uni<Map<String, Set<String>>> members(
      SqlConnection connection, Collection<String> profileIds) {
    if (profileIds.isEmpty()) {
      return Uni.createFrom().item(Map.of());
    }
    return connection
        .preparedQuery(MEMBERS)
        .execute(Tuple.of(profileIds.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, Set<String>> members = new HashMap<>();
              for (Row row : rows) {
                members
                    .computeIfAbsent(row.getString(0), p -> new HashSet<>())
                    .add(row.getUUID(1).toString());
              }
              return members;
            });
  }

  /**
   * Records what the changes leave: versions, snapshots, identifiers (each identifier points at the
   * last profile in {@code writes} that has it) and memberships. The statements go out together on
   * the connection, which runs them in order.
   */
  public static Uni<Void> save(SqlConnection connection, List<Write> writes, Instant now) {
    List<Write> live = writes.stream().filter(w -> !w.deleted()).toList();
    String[] profileIds = writes.stream().map(Write::profileId).toArray(String[]::new);
    Map<String, String> owners = new HashMap<>();
    live.forEach(w -> w.identifiers().forEach(identifier -> owners.put(identifier, w.profileId())));
    List<String> leftProfiles = new ArrayList<>();
    List<UUID> leftAudiences = new ArrayList<>();
    List<String> joinedProfiles = new ArrayList<>();
    List<UUID> joinedAudiences = new ArrayList<>();
    List<Long> joinedVersions = new ArrayList<>();
    for (Write write : writes) {
      for (UUID audience : write.left()) {
        leftProfiles.add(write.profileId());
        leftAudiences.add(audience);
      }
      for (UUID audience : write.joined()) {
        joinedProfiles.add(write.profileId());
        joinedAudiences.add(audience);
        joinedVersions.add(write.version());
      }
    }
    List<Uni<RowSet<Row>>> statements = new ArrayList<>();
    statements.add(
        connection
            .preparedQuery(SAVE_STATES)
            .execute(
                Tuple.of(
                    profileIds,
                    writes.stream().map(Write::version).toArray(Long[]::new),
                    writes.stream().map(Write::deleted).toArray(Boolean[]::new))));
    String[] deleted =
        writes.stream().filter(Write::deleted).map(Write::profileId).toArray(String[]::new);
    if (deleted.length > 0) {
      statements.add(connection.preparedQuery(DELETE_SNAPSHOTS).execute(Tuple.of(deleted)));
    }
    if (!live.isEmpty()) {
      statements.add(
          connection
              .preparedQuery(SAVE_SNAPSHOTS)
              .execute(
                  Tuple.of(
                      live.stream().map(Write::profileId).toArray(String[]::new),
                      live.stream().map(Write::version).toArray(Long[]::new),
                      live.stream().map(w -> Buffer.buffer(w.snapshot())).toArray(Buffer[]::new),
                      live.stream()
                          .map(w -> w.nextCheckAt() == null ? null : timestamp(w.nextCheckAt()))
                          .toArray(OffsetDateTime[]::new))));
    }
    statements.add(
        connection
            .preparedQuery(DELETE_IDENTIFIERS)
            .execute(Tuple.of(profileIds, owners.keySet().toArray(String[]::new))));
    if (!owners.isEmpty()) {
      statements.add(
          connection
              .preparedQuery(SAVE_IDENTIFIERS)
              .execute(
                  Tuple.of(
                      owners.keySet().toArray(String[]::new),
                      owners.values().toArray(String[]::new))));
    }
    if (!leftProfiles.isEmpty()) {
      statements.add(
          connection
              .preparedQuery(LEAVE)
              .execute(
                  Tuple.of(
                      leftProfiles.toArray(String[]::new), leftAudiences.toArray(UUID[]::new))));
    }
    if (!joinedProfiles.isEmpty()) {
      OffsetDateTime[] since = new OffsetDateTime[joinedProfiles.size()];
      Arrays.fill(since, timestamp(now));
      statements.add(
          connection
              .preparedQuery(JOIN)
              .execute(
                  Tuple.of(
                      joinedProfiles.toArray(String[]::new),
                      joinedAudiences.toArray(UUID[]::new),
                      since,
                      joinedVersions.toArray(Long[]::new))));
    }
    return Uni.join().all(statements).andFailFast().replaceWithVoid();
  }

  private static OffsetDateTime timestamp(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
