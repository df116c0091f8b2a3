package io.cdp.identity;

import io.cdp.identity.store.IdentifierLink;
import io.cdp.identity.store.IdentityIndex;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * How an event's identifiers become one profile id: the identity graph in PostgreSQL (the truth)
 * with the Infinispan index in front of it.
 *
 * <ol>
 *   <li>Read the identifiers from the index; read the misses from PostgreSQL.
 *   <li>Choose the profile ({@link ResolutionRules}): the one of the highest-priority known
 *       identifier, else a new one.
 *   <li>In one transaction, upsert every identifier in priority order ({@code INSERT ... ON
 *       CONFLICT DO UPDATE last_seen ... RETURNING profile_id}). An identifier already linked keeps
 *       its profile; the statement returns that owner, so a concurrent resolution that linked the
 *       top identifier first wins and this event follows it. A replay links nothing new and leaves
 *       {@code last_seen} as it was (it is the greatest event time).
 *   <li>After the commit, write the links to the index.
 * </ol>
 */
@ApplicationScoped
public class IdentityResolver {

  private static final String UPSERT =
      """
      INSERT INTO {h-schema}identifiers AS i (type, value, profile_id, first_seen, last_seen)
      VALUES (:type, :value, :profile, :seen, :seen)
      ON CONFLICT (type, value)
      DO UPDATE SET last_seen = GREATEST(i.last_seen, EXCLUDED.last_seen)
      RETURNING profile_id
      """;

  private final IdentityIndex index;

  public IdentityResolver(IdentityIndex index) {
    this.index = index;
  }

  /** The profile and every identifier linked to it. */
  public record ProfileIdentifiers(String profileId, List<IdentifierRef> identifiers) {}

  /** What one transaction decided, with every identifier's owner to cache once committed. */
  private record Linked(Resolution resolution, Map<String, String> owners) {}

  /**
   * Resolves normalised identifiers to one profile, linking the unknown ones to it.
   *
   * @param identifiers at least one, as {@link Identifiers} produces them
   * @param seenAt the event time, recorded as first/last seen
   */
  @WithSpan("identity.resolve")
  public Uni<Resolution> resolve(List<IdentifierRef> identifiers, Instant seenAt) {
    if (identifiers.isEmpty()) {
      return Uni.createFrom().failure(new IllegalArgumentException("Nothing to resolve"));
    }
    List<IdentifierRef> ordered =
        identifiers.stream().distinct().sorted(IdentifierRef.BY_PRIORITY).toList();
    Instant seen = seenAt.truncatedTo(ChronoUnit.MICROS);
    return index
        .getAll(ordered.stream().map(IdentifierRef::key).collect(Collectors.toSet()))
        .flatMap(cached -> Panache.withTransaction(() -> link(ordered, cached, seen)))
        .call(linked -> index.putAll(linked.owners()))
        .map(Linked::resolution);
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
                          ownerOf(identifier, hit)
                              .flatMap(
                                  profileId ->
                                      profileId == null
                                          ? Uni.createFrom().item(Optional.empty())
                                          : identifiersOf(profileId).map(Optional::of)));
              // A miss that PostgreSQL answered fills the index for the next caller.
              return hit != null
                  ? found
                  : found.call(
                      f ->
                          f.isEmpty()
                              ? Uni.createFrom().voidItem()
                              : index.putAll(Map.of(key, f.get().profileId())));
            });
  }

  private static Uni<String> ownerOf(IdentifierRef identifier, String cachedOwner) {
    if (cachedOwner != null) {
      return Uni.createFrom().item(cachedOwner);
    }
    return IdentifierLink.<IdentifierLink>findById(key(identifier))
        .map(link -> link == null ? null : link.profileId);
  }

  private Uni<ProfileIdentifiers> identifiersOf(String profileId) {
    return IdentifierLink.<IdentifierLink>list("profileId", profileId)
        .map(
            links ->
                new ProfileIdentifiers(
                    profileId,
                    links.stream()
                        .map(l -> new IdentifierRef(l.type, l.value))
                        .sorted(IdentifierRef.BY_PRIORITY)
                        .toList()));
  }

  private Uni<Linked> link(List<IdentifierRef> ordered, Map<String, String> cached, Instant seen) {
    Map<IdentifierRef, String> known = new HashMap<>();
    Uni<Void> reads = Uni.createFrom().voidItem();
    for (IdentifierRef id : ordered) {
      String hit = cached.get(id.key());
      if (hit != null) {
        known.put(id, hit);
      } else {
        reads =
            reads.chain(
                () ->
                    IdentifierLink.<IdentifierLink>findById(key(id))
                        .invoke(
                            link -> {
                              if (link != null) {
                                known.put(id, link.profileId);
                              }
                            })
                        .replaceWithVoid());
      }
    }
    return reads.chain(
        () -> {
          Optional<String> chosen = ResolutionRules.chooseProfile(ordered, known);
          String candidate = chosen.orElseGet(() -> UUID.randomUUID().toString());
          AtomicReference<String> profile = new AtomicReference<>(candidate);
          Map<String, String> owners = new LinkedHashMap<>();
          Uni<Void> writes = Uni.createFrom().voidItem();
          for (IdentifierRef id : ordered) {
            writes =
                writes.chain(
                    () ->
                        upsert(id, profile.get(), seen)
                            .invoke(
                                owner -> {
                                  if (owners.isEmpty()) {
                                    // The top identifier's owner is the event's profile, even if
                                    // a concurrent resolution linked it a moment ago.
                                    profile.set(owner);
                                  }
                                  // An owner other than the profile is a MERGE POINT (see
                                  // ResolutionRules): the identifier stays where it is for now.
                                  owners.put(id.key(), owner);
                                })
                            .replaceWithVoid());
          }
          return writes.map(
              v -> {
                boolean created = chosen.isEmpty() && profile.get().equals(candidate);
                return new Linked(new Resolution(profile.get(), created, ordered), owners);
              });
        });
  }

  private static Uni<String> upsert(IdentifierRef id, String profileId, Instant seen) {
    return Panache.getSession()
        .flatMap(
            session ->
                session
                    .createNativeQuery(UPSERT, String.class)
                    .setParameter("type", id.type())
                    .setParameter("value", id.value())
                    .setParameter("profile", profileId)
                    .setParameter("seen", seen)
                    .getSingleResult());
  }

  private static IdentifierLink.Key key(IdentifierRef id) {
    return new IdentifierLink.Key(id.type(), id.value());
  }
}
