package io.cdp.identity;

import io.cdp.identity.IdentityResolver.StaleGraphException;
import io.cdp.identity.store.IdentityIndex;
import io.cdp.identity.store.SuppressedIdentifier;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Erasure of a person from the identity graph, and the suppression that keeps them out.
 *
 * <p>In one transaction: the profiles of the request (its profile id, followed to the live profile,
 * and the owner of each listed identifier) are locked as {@link IdentityResolver} locks them, so no
 * event links or merges them meanwhile; then they, every profile merged into them, all their
 * identifier links, merge records and detach audit rows are deleted, and every deleted or listed
 * identifier is added to {@code suppressed_identifiers} as a hash. After the commit the index
 * forgets the identifiers. From then on an event carrying one of them is dropped ({@link
 * IdentityResolver#resolve} answers empty).
 *
 * <p>IDEMPOTENCY: a second identical request finds nothing left to delete and suppresses hashes
 * already there ({@code ON CONFLICT DO NOTHING}): it succeeds again and changes nothing.
 */
@ApplicationScoped
public class IdentityEraser {

  private static final int ATTEMPTS = 8;

  private final IdentityIndex index;

  public IdentityEraser(IdentityIndex index) {
    this.index = index;
  }

  /**
   * What an erasure deleted.
   *
   * @param profileIds the deleted profiles, merged ones included
   * @param suppressed how many distinct identifiers are suppressed by this request
   */
  public record Erased(Set<String> profileIds, int suppressed) {}

  /** The profiles to delete, locked, with every identifier to forget. */
  private record Doomed(Set<String> profileIds, Set<IdentifierRef> identifiers) {}

  /**
   * Erases a person.
   *
   * @param profileId the profile the request names, possibly merged since, or empty
   * @param listed the normalised identifiers of the request; all are suppressed, linked or not
   */
  @WithSpan("identity.erase")
  public Uni<Erased> erase(String profileId, List<IdentifierRef> listed) {
    return Uni.createFrom()
        .deferred(() -> Panache.withTransaction(() -> eraseLocked(profileId, listed)))
        .onFailure(IdentityResolver::isRetryable)
        .retry()
        .atMost(ATTEMPTS)
        .call(
            doomed ->
                index.removeAll(
                    doomed.identifiers().stream()
                        .map(IdentifierRef::key)
                        .collect(Collectors.toSet())))
        .map(doomed -> new Erased(doomed.profileIds(), doomed.identifiers().size()));
  }

  private Uni<Doomed> eraseLocked(String profileId, List<IdentifierRef> listed) {
    return liveProfiles(profileId, listed)
        .flatMap(
            live ->
                IdentityResolver.lockProfiles(List.copyOf(live))
                    // With the locks held the answer is final; if it moved, start again.
                    .flatMap(locked -> liveProfiles(profileId, listed))
                    .invoke(
                        now -> {
                          if (!live.containsAll(now)) {
                            throw new StaleGraphException("Profiles moved to " + now);
                          }
                        }))
        .flatMap(live -> withMerged(live, new LinkedHashSet<>(live)))
        .flatMap(
            profiles ->
                (profiles.isEmpty()
                        ? Uni.createFrom().item(Map.<IdentifierRef, String>of())
                        : IdentityResolver.identifiersOf(List.copyOf(profiles)))
                    .map(
                        links -> {
                          Set<IdentifierRef> identifiers = new LinkedHashSet<>(listed);
                          identifiers.addAll(links.keySet());
                          return new Doomed(profiles, identifiers);
                        }))
        .call(IdentityEraser::delete)
        .call(doomed -> suppress(doomed.identifiers()));
  }

  /** The live profiles named by the request: the survivor of its profile id, each owner. */
  private static Uni<Set<String>> liveProfiles(String profileId, List<IdentifierRef> listed) {
    Uni<Set<String>> owners =
        listed.isEmpty()
            ? Uni.createFrom().item(new HashSet<>())
            : IdentityResolver.readOwners(listed).map(found -> new HashSet<>(found.values()));
    return owners.flatMap(
        found ->
            profileId.isBlank()
                ? Uni.createFrom().item(found)
                : IdentityResolver.survivorOf(profileId)
                    .map(
                        survivor -> {
                          found.add(survivor);
                          return found;
                        }));
  }

  /** {@code from} and every profile merged into them, however long ago. Ends: ids only grow. */
  private static Uni<Set<String>> withMerged(Set<String> from, Set<String> all) {
    if (from.isEmpty()) {
      return Uni.createFrom().item(all);
    }
    return IdentityResolver.session()
        .flatMap(
            s ->
                s.createNativeQuery(
                        "SELECT merged_id FROM {h-schema}merged_profiles"
                            + " WHERE survivor_id IN (:ids)",
                        String.class)
                    .setParameter("ids", List.copyOf(from))
                    .getResultList())
        .flatMap(
            merged -> {
              Set<String> fresh = new LinkedHashSet<>(merged);
              fresh.removeAll(all);
              all.addAll(fresh);
              return withMerged(fresh, all);
            });
  }

  private static Uni<Void> delete(Doomed doomed) {
    if (doomed.profileIds().isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    Map<String, Object> ids = Map.of("ids", List.copyOf(doomed.profileIds()));
    return IdentityResolver.execute(
            "DELETE FROM {h-schema}identifiers WHERE profile_id IN (:ids)", ids)
        .chain(
            () ->
                IdentityResolver.execute(
                    "DELETE FROM {h-schema}merged_profiles"
                        + " WHERE merged_id IN (:ids) OR survivor_id IN (:ids)",
                    ids))
        .chain(
            () ->
                IdentityResolver.execute(
                    "DELETE FROM {h-schema}detached_identifiers"
                        + " WHERE from_profile_id IN (:ids) OR to_profile_id IN (:ids)",
                    ids))
        .chain(
            () ->
                IdentityResolver.execute("DELETE FROM {h-schema}profiles WHERE id IN (:ids)", ids));
  }

  private static Uni<Void> suppress(Set<IdentifierRef> identifiers) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Uni<Void> steps = Uni.createFrom().voidItem();
    // One statement after the other: a session runs one query at a time.
    for (String hash : identifiers.stream().map(SuppressedIdentifier::hashOf).sorted().toList()) {
      steps =
          steps.chain(
              () ->
                  IdentityResolver.execute(
                      "INSERT INTO {h-schema}suppressed_identifiers (hash, suppressed_at)"
                          + " VALUES (:hash, :at) ON CONFLICT (hash) DO NOTHING",
                      Map.of("hash", hash, "at", now)));
    }
    return steps;
  }
}
