package io.cdp.identity;

import io.cdp.common.VertxContexts;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.identity.v1.IdentityMerge;
import io.cdp.contracts.identity.v1.IdentitySplit;
import io.cdp.identity.ResolutionRules.Decision;
import io.cdp.identity.ResolutionRules.Profile;
import io.cdp.identity.messaging.GraphPublisher;
import io.cdp.identity.store.IdentifierRows;
import io.cdp.identity.store.IdentifierRows.NewLink;
import io.cdp.identity.store.IdentityIndex;
import io.cdp.identity.store.SuppressedIdentifier;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.hibernate.JDBCException;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * How an event's identifiers become one profile id: the identity graph in PostgreSQL (the truth)
 * with the Infinispan index in front of it, and every merge decided by {@link ResolutionRules}.
 *
 * <p>CONCURRENCY. Two events on different partitions may link the same profiles at the same time;
 * they must end with one profile, never two and never a cycle. Every change to a profile's
 * identifiers happens in one PostgreSQL transaction that first holds the row lock of every profile
 * it touches ({@code SELECT ... FOR UPDATE} on {@code profiles}, taken in id order):
 *
 * <ol>
 *   <li>Read the owners of the event's identifiers (index first, PostgreSQL for the misses); they
 *       are only a hint of which profiles to lock.
 *   <li>Lock those profiles in id order, then re-read the owners from PostgreSQL. An identifier of
 *       a locked profile cannot move any more. If an owner is a profile not yet locked (the graph
 *       changed meanwhile), lock it too when its id sorts after every lock held, else roll back and
 *       start again from PostgreSQL holding nothing: locks are only ever taken in id order, so two
 *       transactions never wait on each other in a circle. A merged profile's row is gone, so
 *       whoever waited on it finds the survivor on the re-read.
 *   <li>Read every identifier of the locked profiles and decide ({@link ResolutionRules}): the
 *       survivor is the oldest profile, so two transactions merging the same profiles pick the same
 *       one, and the second finds nothing left to merge.
 *   <li>Apply: move the merged profiles' identifiers to the survivor, record {@code
 *       merged_profiles}, delete the merged rows, link the new identifiers with {@code INSERT ...
 *       ON CONFLICT ... RETURNING profile_id}. A new identifier that another transaction linked
 *       first comes back with that owner: the graph changed under us, so the whole transaction is
 *       rolled back and run again (as on a deadlock or serialization failure, should PostgreSQL
 *       report one). New identifiers are inserted in priority order, the same in every transaction.
 *   <li>After the commit: the merge is published on {@code cdp.identity.merges}, then the index
 *       gets the new owners. A replay finds every identifier on the survivor and merges nothing, so
 *       nothing is published again. (A crash between the commit and the send loses that one record;
 *       {@code merged_profiles} keeps its {@code merge_id} for a relay to resend.)
 * </ol>
 *
 * <p>SUPPRESSION. An erased identifier ({@link IdentityEraser}) is in no profile and never linked
 * again, so only the identifiers without an owner are checked against {@code
 * suppressed_identifiers}, in step 3 with the locks held: an erasure that deleted a locked profile
 * has committed by then, and its suppressions are seen. An event carrying one is not resolved and
 * nothing is written. Known identifiers, the hot path, cost no check.
 *
 * <p>{@link #detach} moves one identifier to a new profile under the same lock of its profile.
 */
@ApplicationScoped
public class IdentityResolver {

  /** How many independent groups of a poll's events are resolved side by side. */
  private static final int GROUPS_IN_PARALLEL = 16;

  /** Rounds of "lock, re-read" and whole-transaction attempts before giving up. */
  private static final int ATTEMPTS = 8;

  /** Merge chains are repointed on every merge; this only bounds a corrupt graph. */
  private static final int MAX_CHAIN = 32;

  private static final String UPSERT =
      """
      INSERT INTO {h-schema}identifiers AS i (type, value, profile_id, first_seen, last_seen)
      VALUES (:type, :value, :profile, :seen, :seen)
      ON CONFLICT (type, value)
      DO UPDATE SET last_seen = GREATEST(i.last_seen, EXCLUDED.last_seen)
      RETURNING profile_id
      """;

  /** Byte order ({@code "C"}), the order of {@link String#compareTo} for these ASCII ids. */
  private static final String LOCK_PROFILES =
      """
      SELECT id, created_at FROM {h-schema}profiles WHERE id IN (:ids)
      ORDER BY id COLLATE "C" FOR UPDATE
      """;

  private static final String IDENTIFIERS_OF =
      "SELECT type, value, profile_id FROM {h-schema}identifiers WHERE profile_id IN (:ids)";

  private final IdentityIndex index;
  private final ResolutionRules resolutionRules;
  private final MergeRules rules;
  private final GraphPublisher graph;
  private final IdentifierRows rows;

  public IdentityResolver(
      IdentityIndex index,
      ResolutionRules resolutionRules,
      MergeRules rules,
      GraphPublisher graph,
      IdentifierRows rows) {
    this.rows = rows;
    this.index = index;
    this.resolutionRules = resolutionRules;
    this.rules = rules;
    this.graph = graph;
  }

  /** The profile and every identifier linked to it. */
  public record ProfileIdentifiers(String profileId, List<IdentifierRef> identifiers) {}

  /**
   * What one transaction decided (empty: suppressed), the owners to cache, the merge to publish.
   */
  private record Linked(
      Optional<Resolution> resolution, Map<String, String> owners, Optional<IdentityMerge> merge) {
    static final Linked SUPPRESSED = new Linked(Optional.empty(), Map.of(), Optional.empty());
  }

  /**
   * An identifier detached from {@code fromProfileId} onto the new profile {@code toProfileId};
   * {@code id} is its row in {@code detached_identifiers} and the id of the split published.
   */
  public record Detached(
      String id,
      IdentifierRef identifier,
      String fromProfileId,
      String toProfileId,
      Instant detachedAt) {}

  /** Detaching the only identifier of a profile would leave an empty profile behind. */
  public static final class OnlyIdentifierException extends RuntimeException {
    OnlyIdentifierException(IdentifierRef identifier) {
      super(identifier + " is the only identifier of its profile; there is nothing to detach from");
    }
  }

  /** The graph changed between reading and writing; the transaction is run again. */
  static final class StaleGraphException extends RuntimeException {
    StaleGraphException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Resolves normalised identifiers to one profile, linking and merging as the rules allow.
   *
   * @param identifiers at least one, as {@link Identifiers} produces them
   * @param seenAt the event time, recorded as first/last seen
   * @return the resolution, or empty when an identifier is suppressed (erased): nothing is written
   */
  @WithSpan("identity.resolve")
  public Uni<Optional<Resolution>> resolve(List<IdentifierRef> identifiers, Instant seenAt) {
    if (identifiers.isEmpty()) {
      return Uni.createFrom().failure(new IllegalArgumentException("Nothing to resolve"));
    }
    List<IdentifierRef> ordered = ordered(identifiers);
    return index
        .getAll(ordered.stream().map(IdentifierRef::key).collect(Collectors.toSet()))
        .flatMap(cached -> link(ordered, cached, micros(seenAt)))
        .map(Linked::resolution);
  }

  /** One event's identifiers (at least one) and its time. */
  public record Sighting(List<IdentifierRef> identifiers, Instant seenAt) {}

  /**
   * Resolves the events of one Kafka poll, in their order, to what {@link #resolve} would answer
   * for each in turn. Most events only carry identifiers that are already linked to one profile,
   * and a new visitor's first event carries one identifier that is nobody's; both are settled for
   * the whole poll in one statement each ({@link IdentifierRows}), and only the rest (logins,
   * merges, limits) take a transaction of their own: one after the other among events that share an
   * identifier or an owner, side by side otherwise ({@link #independentGroups}).
   *
   * <p>The owners the poll works from are those the {@code last_seen} update answers, as committed
   * at that moment: fresher than the index, so an erased identifier is never taken for known. Each
   * transaction of the poll updates them, so a later event of the poll sees an earlier one's link
   * or merge. A merge committed by another consumer after that moment is seen by the profile
   * service, which applies an event of a merged profile to its survivor.
   *
   * @return per sighting, in order: its resolution, or empty when suppressed (erased)
   */
  public Uni<List<Optional<Resolution>>> resolveAll(List<Sighting> sightings) {
    Context origin = Vertx.currentContext();
    if (origin == null) {
      throw new IllegalStateException("resolveAll must be called on a Vert.x context");
    }
    List<List<IdentifierRef>> ordered =
        sightings.stream().map(sighting -> ordered(sighting.identifiers())).toList();
    Map<IdentifierRef, Instant> latest = new HashMap<>();
    for (int i = 0; i < sightings.size(); i++) {
      Instant seen = micros(sightings.get(i).seenAt());
      ordered.get(i).forEach(id -> latest.merge(id, seen, (a, b) -> a.isAfter(b) ? a : b));
    }
    return rows.touch(latest)
        .chain(
            known -> {
              Map<String, String> owners = new HashMap<>(known);
              List<NewLink> fresh = newVisitors(sightings, ordered, owners);
              return rows.linkNew(fresh)
                  .call(index::putAll)
                  .chain(
                      created -> {
                        owners.putAll(created);
                        Set<String> createdProfiles = new HashSet<>(created.values());
                        List<Optional<Resolution>> resolutions =
                            new ArrayList<>(Collections.nCopies(sightings.size(), null));
                        return Multi.createFrom()
                            .iterable(independentGroups(ordered, owners))
                            .onItem()
                            .transformToUni(
                                group ->
                                    onNewContext(
                                        origin,
                                        () ->
                                            Multi.createFrom()
                                                .iterable(group)
                                                .onItem()
                                                .transformToUniAndConcatenate(
                                                    i ->
                                                        resolveInPoll(
                                                                ordered.get(i),
                                                                sightings.get(i).seenAt(),
                                                                owners,
                                                                createdProfiles)
                                                            .invoke(r -> resolutions.set(i, r)))
                                                .collect()
                                                .last()))
                            .merge(GROUPS_IN_PARALLEL)
                            .collect()
                            .last()
                            .map(ignored -> resolutions);
                      });
            });
  }

  /**
   * The poll's events in groups that share nothing: no identifier and no owner. Only events of one
   * group can change what another event of it resolves to, so groups run side by side, each in poll
   * order ({@link #GROUPS_IN_PARALLEL}); what they run at the same time is serialised by the locks.
   *
   * @param owners committed owners of the poll's identifiers ({@code type:value} -> profile id)
   * @return the indices of each group's events, in poll order; groups in the order of their first
   */
  static List<List<Integer>> independentGroups(
      List<List<IdentifierRef>> events, Map<String, String> owners) {
    Map<String, String> parent = new HashMap<>();
    for (List<IdentifierRef> ids : events) {
      String first = "i:" + ids.get(0).key();
      for (IdentifierRef id : ids) {
        union(parent, first, "i:" + id.key());
        String owner = owners.get(id.key());
        if (owner != null) {
          union(parent, first, "p:" + owner);
        }
      }
    }
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < events.size(); i++) {
      String root = find(parent, "i:" + events.get(i).get(0).key());
      groups.computeIfAbsent(root, r -> new ArrayList<>()).add(i);
    }
    return List.copyOf(groups.values());
  }

  private static void union(Map<String, String> parent, String a, String b) {
    String rootA = find(parent, a);
    String rootB = find(parent, b);
    if (!rootA.equals(rootB)) {
      parent.put(rootB, rootA);
    }
  }

  private static String find(Map<String, String> parent, String node) {
    String root = node;
    for (String up = parent.get(root); up != null; up = parent.get(root)) {
      root = up;
    }
    if (!root.equals(node)) {
      parent.put(node, root); // shortens the path for the next find
    }
    return root;
  }

  /**
   * Runs {@code work} on a Vert.x context of its own, as a request would: Hibernate Reactive keeps
   * one session per context, so transactions that run side by side need one each.
   */
  private static <T> Uni<T> onNewContext(Context origin, Supplier<Uni<T>> work) {
    Context context = VertxContext.createNewDuplicatedContext(origin);
    VertxContextSafetyToggle.setContextSafe(context, true);
    return Uni.createFrom()
        .emitter(
            emitter ->
                context.runOnContext(
                    ignored -> work.get().subscribe().with(emitter::complete, emitter::fail)));
  }

  /**
   * The first sighting of an identifier that is nobody's, when it is the event's only identifier:
   * it gets a profile of its own, which is all {@link #resolve} would do with it.
   */
  private static List<NewLink> newVisitors(
      List<Sighting> sightings, List<List<IdentifierRef>> ordered, Map<String, String> owners) {
    List<NewLink> fresh = new ArrayList<>();
    Set<IdentifierRef> earlier = new HashSet<>();
    for (int i = 0; i < sightings.size(); i++) {
      List<IdentifierRef> ids = ordered.get(i);
      IdentifierRef only = ids.get(0);
      if (ids.size() == 1 && !owners.containsKey(only.key()) && !earlier.contains(only)) {
        fresh.add(
            new NewLink(only, UUID.randomUUID().toString(), micros(sightings.get(i).seenAt())));
      }
      earlier.addAll(ids);
    }
    return fresh;
  }

  private Uni<Optional<Resolution>> resolveInPoll(
      List<IdentifierRef> ordered,
      Instant seenAt,
      Map<String, String> owners,
      Set<String> createdProfiles) {
    Set<String> found = new HashSet<>();
    for (IdentifierRef id : ordered) {
      found.add(owners.get(id.key()));
    }
    if (found.size() == 1 && !found.contains(null)) {
      String profileId = found.iterator().next();
      boolean created = createdProfiles.remove(profileId);
      return Uni.createFrom().item(Optional.of(new Resolution(profileId, created, ordered)));
    }
    return link(ordered, owners, micros(seenAt))
        .invoke(linked -> owners.putAll(linked.owners()))
        .map(Linked::resolution);
  }

  private List<IdentifierRef> ordered(List<IdentifierRef> identifiers) {
    return identifiers.stream().distinct().sorted(rules.byPriority()).toList();
  }

  private static Instant micros(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * Links and merges in one transaction, run again when the graph changed under it; then publishes
   * the merge and updates the index.
   *
   * @param hints owners known beforehand ({@code type:value} -> profile id), only used to choose
   *     which profiles to lock first
   */
  private Uni<Linked> link(List<IdentifierRef> ordered, Map<String, String> hints, Instant seen) {
    // The publish and the index complete on their clients' threads; the caller goes on here.
    Executor caller = VertxContexts.callerContext();
    // A retry reads the owners from PostgreSQL: the hints are what misled the first try.
    AtomicInteger attempt = new AtomicInteger();
    Map<String, String> none = Map.of();
    // Retried without delay: a timer would leave the Vert.x context Hibernate needs.
    return Uni.createFrom()
        .deferred(
            () -> {
              Map<String, String> known = attempt.getAndIncrement() == 0 ? hints : none;
              return Panache.withTransaction(() -> linkLocked(ordered, known, seen));
            })
        .onFailure(IdentityResolver::isRetryable)
        .retry()
        .atMost(ATTEMPTS)
        // The merge first: once committed it must not wait on the index. Until the index is
        // written, a stale entry only names a merged profile, which lookups and locks follow.
        .call(linked -> linked.merge().map(graph::publish).orElse(Uni.createFrom().voidItem()))
        .call(linked -> index.putAll(linked.owners()))
        .emitOn(caller);
  }

  /**
   * Moves a wrongly linked identifier to a new profile of its own, so that later events carrying it
   * resolve there, records the move in {@code detached_identifiers} and, once committed, publishes
   * it on {@code cdp.identity.splits} for the profile service. (A crash between the commit and the
   * send loses that one record, as with merges; the row keeps its id for a relay to resend.)
   *
   * @return empty when the identifier is unknown
   * @throws OnlyIdentifierException (as the failure) when it is its profile's only identifier
   */
  @WithSpan("identity.detach")
  public Uni<Optional<Detached>> detach(IdentifierRef identifier) {
    return Uni.createFrom()
        .deferred(() -> Panache.withTransaction(() -> detachLocked(identifier)))
        .onFailure(IdentityResolver::isRetryable)
        .retry()
        .atMost(ATTEMPTS)
        .call(
            detached ->
                detached.map(d -> graph.publish(split(d))).orElse(Uni.createFrom().voidItem()))
        .call(
            detached ->
                detached
                    .map(d -> index.putAll(Map.of(identifier.key(), d.toProfileId())))
                    .orElse(Uni.createFrom().voidItem()));
  }

  private static IdentitySplit split(Detached detached) {
    return IdentitySplit.newBuilder()
        .setSplitId(detached.id())
        .setFromProfileId(detached.fromProfileId())
        .setToProfileId(detached.toProfileId())
        .addIdentifiers(detached.identifier().toProto())
        .setSplitAt(ProtoTime.timestamp(detached.detachedAt()))
        .build();
  }

  private Uni<Optional<Detached>> detachLocked(IdentifierRef identifier) {
    return ownerOf(identifier)
        .flatMap(
            owner -> {
              if (owner == null) {
                return Uni.createFrom().item(Optional.empty());
              }
              return lockProfiles(List.of(owner))
                  .flatMap(locked -> ownerOf(identifier).map(now -> locked.containsKey(now)))
                  .flatMap(
                      stillOwned -> {
                        if (!stillOwned) {
                          // Merged or erased meanwhile: start again from what is committed.
                          throw new StaleGraphException(identifier + " moved from " + owner);
                        }
                        return identifiersOf(List.of(owner));
                      })
                  .flatMap(
                      links -> {
                        if (links.size() == 1) {
                          throw new OnlyIdentifierException(identifier);
                        }
                        return moveToNewProfile(identifier, owner).map(Optional::of);
                      });
            });
  }

  private static Uni<Detached> moveToNewProfile(IdentifierRef identifier, String from) {
    String id = UUID.randomUUID().toString();
    String to = UUID.randomUUID().toString();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return execute(
            "INSERT INTO {h-schema}profiles (id, created_at) VALUES (:id, :at)",
            Map.of("id", to, "at", now))
        .chain(
            () ->
                execute(
                    "UPDATE {h-schema}identifiers SET profile_id = :to"
                        + " WHERE type = :type AND value = :value",
                    Map.of("to", to, "type", identifier.type(), "value", identifier.value())))
        .chain(
            () ->
                execute(
                    "INSERT INTO {h-schema}detached_identifiers"
                        + " (id, type, value, from_profile_id, to_profile_id, detached_at)"
                        + " VALUES (:id, :type, :value, :from, :to, :at)",
                    Map.of(
                        "id",
                        id,
                        "type",
                        identifier.type(),
                        "value",
                        identifier.value(),
                        "from",
                        from,
                        "to",
                        to,
                        "at",
                        now)))
        .map(v -> new Detached(id, identifier, from, to, now));
  }

  /** Finds the profile of one identifier without changing the graph. */
  @WithSpan("identity.lookup")
  public Uni<Optional<ProfileIdentifiers>> lookup(IdentifierRef identifier) {
    String key = identifier.key();
    return index
        .getAll(Set.of(key))
        .flatMap(
            cached -> {
              String hit = cached.get(key);
              Uni<Optional<ProfileIdentifiers>> found =
                  Panache.withSession(
                      () ->
                          (hit != null ? Uni.createFrom().item(hit) : ownerOf(identifier))
                              .flatMap(
                                  owner ->
                                      owner == null
                                          ? Uni.createFrom().item(Optional.empty())
                                          : survivorOf(owner).flatMap(this::identifiersOf)));
              return found
                  // A miss (or an entry older than a merge) is corrected for the next caller.
                  .call(
                  f ->
                      f.isEmpty() || f.get().profileId().equals(hit)
                          ? Uni.createFrom().voidItem()
                          : index.putAll(Map.of(key, f.get().profileId())));
            });
  }

  /** Finds a profile by its id; the id of a merged profile finds the profile it was merged into. */
  @WithSpan("identity.lookup-profile")
  public Uni<Optional<ProfileIdentifiers>> lookupProfile(String profileId) {
    return Panache.withSession(() -> survivorOf(profileId).flatMap(this::identifiersOf));
  }

  private static Uni<String> ownerOf(IdentifierRef identifier) {
    return session()
        .flatMap(
            s ->
                s.createNativeQuery(
                        "SELECT profile_id FROM {h-schema}identifiers"
                            + " WHERE type = :type AND value = :value",
                        String.class)
                    .setParameter("type", identifier.type())
                    .setParameter("value", identifier.value())
                    .getResultList())
        .map(rows -> rows.isEmpty() ? null : rows.get(0));
  }

  /** Follows {@code merged_profiles} from a profile id to the live profile. */
  static Uni<String> survivorOf(String profileId) {
    return survivorOf(profileId, 0);
  }

  private static Uni<String> survivorOf(String profileId, int hops) {
    if (hops == MAX_CHAIN) {
      return Uni.createFrom().item(profileId);
    }
    return session()
        .flatMap(
            s ->
                s.createNativeQuery(
                        "SELECT survivor_id FROM {h-schema}merged_profiles WHERE merged_id = :id",
                        String.class)
                    .setParameter("id", profileId)
                    .getResultList())
        .flatMap(
            rows ->
                rows.isEmpty()
                    ? Uni.createFrom().item(profileId)
                    : survivorOf(rows.get(0), hops + 1));
  }

  private Uni<Optional<ProfileIdentifiers>> identifiersOf(String profileId) {
    return identifiersOf(List.of(profileId))
        .map(
            links ->
                links.isEmpty()
                    ? Optional.empty()
                    : Optional.of(
                        new ProfileIdentifiers(
                            profileId,
                            links.keySet().stream().sorted(rules.byPriority()).toList())));
  }

  private Uni<Linked> linkLocked(
      List<IdentifierRef> ordered, Map<String, String> cached, Instant seen) {
    Map<IdentifierRef, String> hint = new HashMap<>();
    List<IdentifierRef> misses = new ArrayList<>();
    for (IdentifierRef id : ordered) {
      String owner = cached.get(id.key());
      if (owner != null) {
        hint.put(id, owner);
      } else {
        misses.add(id);
      }
    }
    Uni<Map<IdentifierRef, String>> first =
        misses.isEmpty()
            ? Uni.createFrom().item(hint)
            : readOwners(misses)
                .map(
                    found -> {
                      Map<IdentifierRef, String> all = new HashMap<>(hint);
                      all.putAll(found);
                      return all;
                    });
    return first
        .flatMap(owners -> lockOwners(ordered, owners, new HashMap<>(), 0))
        .flatMap(locked -> decideAndApply(ordered, locked, seen));
  }

  /** The owners once every owner's profile is locked, with those profiles' creation times. */
  private record Locked(Map<IdentifierRef, String> owners, Map<String, Instant> profiles) {}

  private Uni<Locked> lockOwners(
      List<IdentifierRef> ordered,
      Map<IdentifierRef, String> owners,
      Map<String, Instant> locked,
      int round) {
    List<String> needed =
        owners.values().stream().filter(p -> !locked.containsKey(p)).distinct().sorted().toList();
    if (needed.isEmpty()) {
      return Uni.createFrom().item(new Locked(owners, locked));
    }
    if (round == ATTEMPTS) {
      return Uni.createFrom().failure(new StaleGraphException("Owners keep moving: " + owners));
    }
    // Locks only ever grow in id order, so two transactions never wait on each other in a circle.
    // A profile that sorts before one already held means starting again, holding nothing.
    String highestHeld = locked.keySet().stream().max(String::compareTo).orElse("");
    if (needed.get(0).compareTo(highestHeld) < 0) {
      return Uni.createFrom()
          .failure(new StaleGraphException("Owners moved to " + needed + " below " + highestHeld));
    }
    return lockProfiles(needed)
        .invoke(locked::putAll)
        // Read again: only now, with the locks held, are the owners of known identifiers final.
        .flatMap(ignored -> readOwners(ordered))
        .flatMap(fresh -> lockOwners(ordered, fresh, locked, round + 1));
  }

  private Uni<Linked> decideAndApply(List<IdentifierRef> ordered, Locked locked, Instant seen) {
    List<IdentifierRef> unowned =
        ordered.stream().filter(id -> !locked.owners().containsKey(id)).toList();
    return anySuppressed(unowned)
        .flatMap(
            suppressed ->
                suppressed
                    ? Uni.createFrom().item(Linked.SUPPRESSED)
                    : decideAndApplyUnsuppressed(ordered, locked, seen));
  }

  private Uni<Linked> decideAndApplyUnsuppressed(
      List<IdentifierRef> ordered, Locked locked, Instant seen) {
    return identifiersOf(List.copyOf(locked.profiles().keySet()))
        .flatMap(
            links -> {
              Map<String, Set<IdentifierRef>> byProfile = new HashMap<>();
              locked.profiles().keySet().forEach(p -> byProfile.put(p, new HashSet<>()));
              links.forEach((id, p) -> byProfile.get(p).add(id));
              Map<String, Profile> profiles = new HashMap<>();
              byProfile.forEach(
                  (p, ids) -> profiles.put(p, new Profile(p, locked.profiles().get(p), ids)));
              Decision decision =
                  resolutionRules.decide(
                      ordered, locked.owners(), profiles, UUID.randomUUID().toString());
              return apply(decision, links, seen)
                  .map(
                      owners ->
                          new Linked(
                              Optional.of(
                                  new Resolution(
                                      decision.profileId(), decision.created(), ordered)),
                              owners,
                              merge(decision)));
            });
  }

  /** Writes a decision; answers every identifier whose owner is now known, for the index. */
  private Uni<Map<String, String>> apply(
      Decision decision, Map<IdentifierRef, String> lockedLinks, Instant seen) {
    String survivor = decision.profileId();
    Map<String, String> owners = new LinkedHashMap<>();
    Uni<Void> steps = Uni.createFrom().voidItem();
    if (decision.created()) {
      steps =
          steps.chain(
              () ->
                  execute(
                      "INSERT INTO {h-schema}profiles (id, created_at) VALUES (:id, :at)",
                      Map.of("id", survivor, "at", Instant.now().truncatedTo(ChronoUnit.MICROS))));
    }
    if (!decision.mergedProfileIds().isEmpty()) {
      List<String> merged = decision.mergedProfileIds();
      String mergeId = mergeId(decision);
      steps =
          steps
              .chain(
                  () ->
                      execute(
                          "UPDATE {h-schema}identifiers SET profile_id = :survivor"
                              + " WHERE profile_id IN (:merged)",
                          Map.of("survivor", survivor, "merged", merged)))
              // Older merges into a merged profile now point at the survivor: chains stay short.
              .chain(
                  () ->
                      execute(
                          "UPDATE {h-schema}merged_profiles SET survivor_id = :survivor"
                              + " WHERE survivor_id IN (:merged)",
                          Map.of("survivor", survivor, "merged", merged)));
      for (String m : merged) {
        steps =
            steps.chain(
                () ->
                    execute(
                        "INSERT INTO {h-schema}merged_profiles"
                            + " (merged_id, survivor_id, merge_id, merged_at)"
                            + " VALUES (:merged, :survivor, :mergeId, now())",
                        Map.of("merged", m, "survivor", survivor, "mergeId", mergeId)));
      }
      steps =
          steps.chain(
              () ->
                  execute(
                      "DELETE FROM {h-schema}profiles WHERE id IN (:merged)",
                      Map.of("merged", merged)));
      lockedLinks.forEach(
          (id, p) -> {
            if (merged.contains(p)) {
              owners.put(id.key(), survivor);
            }
          });
    }
    for (IdentifierRef id : decision.linked()) {
      steps =
          steps.chain(
              () ->
                  upsert(id, survivor, seen)
                      .invoke(
                          owner -> {
                            if (!owner.equals(survivor)) {
                              throw new StaleGraphException(id + " was linked to " + owner);
                            }
                            owners.put(id.key(), survivor);
                          })
                      .replaceWithVoid());
    }
    return steps.map(v -> owners);
  }

  private static Optional<IdentityMerge> merge(Decision decision) {
    if (decision.mergedProfileIds().isEmpty()) {
      return Optional.empty();
    }
    Instant now = Instant.now();
    return Optional.of(
        IdentityMerge.newBuilder()
            .setMergeId(mergeId(decision))
            .setSurvivingProfileId(decision.profileId())
            .addAllMergedProfileIds(decision.mergedProfileIds())
            .setReason(decision.reason())
            .setMergedAt(ProtoTime.timestamp(now))
            .build());
  }

  /** Deterministic: a merged profile is merged once, so survivor and merged ids name the merge. */
  private static String mergeId(Decision decision) {
    String name = decision.profileId() + "<-" + String.join(",", decision.mergedProfileIds());
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /**
   * Locks the live profiles among {@code ids} ({@code FOR UPDATE}, in id order) and answers their
   * creation times; a merged or erased profile has no row and is left out.
   */
  static Uni<Map<String, Instant>> lockProfiles(List<String> ids) {
    return session()
        .flatMap(
            s ->
                s.createNativeQuery(LOCK_PROFILES, Object[].class)
                    .setParameter("ids", ids)
                    .getResultList())
        .map(
            rows -> {
              Map<String, Instant> locked = new HashMap<>();
              rows.forEach(r -> locked.put((String) r[0], instant(r[1])));
              return locked;
            });
  }

  /** Whether any of those identifiers was erased and is suppressed. */
  private static Uni<Boolean> anySuppressed(List<IdentifierRef> identifiers) {
    if (identifiers.isEmpty()) {
      return Uni.createFrom().item(false);
    }
    List<String> hashes = identifiers.stream().map(SuppressedIdentifier::hashOf).toList();
    return session()
        .flatMap(
            s ->
                s.createNativeQuery(
                        "SELECT hash FROM {h-schema}suppressed_identifiers WHERE hash IN (:hashes)",
                        String.class)
                    .setParameter("hashes", hashes)
                    .getResultList())
        .map(rows -> !rows.isEmpty());
  }

  /** The current owners of those identifiers that have one. */
  static Uni<Map<IdentifierRef, String>> readOwners(List<IdentifierRef> identifiers) {
    StringBuilder sql =
        new StringBuilder("SELECT type, value, profile_id FROM {h-schema}identifiers WHERE ");
    Map<String, Object> params = new HashMap<>();
    for (int i = 0; i < identifiers.size(); i++) {
      sql.append(i == 0 ? "" : " OR ").append("(type = :t").append(i);
      sql.append(" AND value = :v").append(i).append(')');
      params.put("t" + i, identifiers.get(i).type());
      params.put("v" + i, identifiers.get(i).value());
    }
    return links(sql.toString(), params);
  }

  /** Every identifier of those profiles, with its owner. */
  static Uni<Map<IdentifierRef, String>> identifiersOf(List<String> profileIds) {
    return links(IDENTIFIERS_OF, Map.of("ids", profileIds));
  }

  private static Uni<Map<IdentifierRef, String>> links(String sql, Map<String, Object> params) {
    return session()
        .flatMap(
            s -> {
              Mutiny.SelectionQuery<Object[]> query = s.createNativeQuery(sql, Object[].class);
              params.forEach(query::setParameter);
              return query.getResultList();
            })
        .map(
            rows -> {
              Map<IdentifierRef, String> owners = new HashMap<>();
              rows.forEach(
                  r -> owners.put(new IdentifierRef((String) r[0], (String) r[1]), (String) r[2]));
              return owners;
            });
  }

  static Uni<Void> execute(String sql, Map<String, Object> params) {
    return session()
        .flatMap(
            s -> {
              Mutiny.Query<?> query = s.createNativeQuery(sql);
              params.forEach(query::setParameter);
              return query.executeUpdate();
            })
        .replaceWithVoid();
  }

  private static Uni<String> upsert(IdentifierRef id, String profileId, Instant seen) {
    return session()
        .flatMap(
            s ->
                s.createNativeQuery(UPSERT, String.class)
                    .setParameter("type", id.type())
                    .setParameter("value", id.value())
                    .setParameter("profile", profileId)
                    .setParameter("seen", seen)
                    .getSingleResult());
  }

  static Uni<Mutiny.Session> session() {
    return Panache.getSession();
  }

  private static Instant instant(Object column) {
    if (column instanceof Instant i) {
      return i;
    }
    if (column instanceof OffsetDateTime o) {
      return o.toInstant();
    }
    if (column instanceof java.sql.Timestamp t) {
      return t.toInstant();
    }
    throw new IllegalStateException("Unexpected timestamp " + column.getClass());
  }

  /** Changes made by a concurrent transaction: running the whole transaction again is safe. */
  static boolean isRetryable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String state = null;
      if (t instanceof StaleGraphException) {
        return true;
      } else if (t instanceof JDBCException jdbc) {
        state = jdbc.getSQLState();
      } else if (t instanceof PgException pg) {
        state = pg.getSqlState();
      }
      // 40P01 deadlock (locks taken in a second round), 40001 serialization failure.
      if ("40P01".equals(state) || "40001".equals(state)) {
        return true;
      }
    }
    return false;
  }
}
