package io.cdp.identity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which profile an event belongs to and which profiles it merges, given what the graph knows. Pure:
 * every merge decision is made here, in one place.
 *
 * <ol>
 *   <li>The event's highest-priority identifier decides where the event goes: its profile, or a new
 *       profile when it is unknown.
 *   <li>The other identifiers, in priority order, join that group: an unknown identifier is linked
 *       to it, a known one brings its whole profile (a merge), each only if no type would then hold
 *       more identifiers than its limit. What does not fit stays as it is: two user ids on one
 *       device are two people sharing it, so the device's profile is not merged and its cookie is
 *       not linked to the new user.
 *   <li>The group survives as its oldest existing profile (ties by id), so every instance and every
 *       replay picks the same survivor; the others are merged into it.
 * </ol>
 *
 * A replayed event finds all its identifiers on one profile and decides nothing new.
 */
public final class ResolutionRules {

  /** A profile as the graph holds it: when it was created and every identifier linked to it. */
  public record Profile(String id, Instant createdAt, Set<IdentifierRef> identifiers) {}

  /**
   * What to do with one event.
   *
   * @param profileId the profile the event belongs to (the survivor when there is a merge)
   * @param created whether {@code profileId} is a new profile
   * @param mergedProfileIds the profiles to merge into {@code profileId}, sorted
   * @param linked the event's identifiers that belong to {@code profileId} afterwards
   * @param refused the event's identifiers left where they are (or unlinked) because of a limit
   * @param reason what links the merged profiles, e.g. {@code "user_id:42 seen with email:a@b.c"}
   */
  public record Decision(
      String profileId,
      boolean created,
      List<String> mergedProfileIds,
      List<IdentifierRef> linked,
      List<IdentifierRef> refused,
      String reason) {}

  private static final Comparator<Profile> OLDEST_FIRST =
      Comparator.comparing(Profile::createdAt).thenComparing(Profile::id);

  private final MergeRules rules;

  public ResolutionRules(MergeRules rules) {
    this.rules = rules;
  }

  /**
   * Decides one event.
   *
   * @param identifiers the event's identifiers, at least one
   * @param owners the profile id of each identifier already linked
   * @param profiles every profile named in {@code owners}
   * @param newProfileId the id to use if the event starts a new profile
   */
  public Decision decide(
      List<IdentifierRef> identifiers,
      Map<IdentifierRef, String> owners,
      Map<String, Profile> profiles,
      String newProfileId) {
    List<IdentifierRef> ordered =
        identifiers.stream().distinct().sorted(rules.byPriority()).toList();
    IdentifierRef top = ordered.get(0);
    Set<String> group = new LinkedHashSet<>();
    Map<String, Set<String>> held = new HashMap<>();
    List<IdentifierRef> linked = new ArrayList<>();
    List<IdentifierRef> refused = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    String topOwner = owners.get(top);
    if (topOwner != null) {
      group.add(topOwner);
      add(held, profile(profiles, topOwner).identifiers());
    } else {
      add(held, Set.of(top));
    }
    linked.add(top);
    for (IdentifierRef id : ordered.subList(1, ordered.size())) {
      String owner = owners.get(id);
      if (owner != null && group.contains(owner)) {
        linked.add(id);
        continue;
      }
      Set<IdentifierRef> joining =
          owner == null ? Set.of(id) : profile(profiles, owner).identifiers();
      if (!fits(held, joining)) {
        refused.add(id);
        continue;
      }
      add(held, joining);
      linked.add(id);
      if (owner != null) {
        group.add(owner);
        reasons.add(top.key() + " seen with " + id.key());
      }
    }
    Optional<Profile> oldest = group.stream().map(p -> profile(profiles, p)).min(OLDEST_FIRST);
    String survivor = oldest.map(Profile::id).orElse(newProfileId);
    List<String> merged = group.stream().filter(p -> !p.equals(survivor)).sorted().toList();
    return new Decision(
        survivor,
        oldest.isEmpty(),
        merged,
        List.copyOf(linked),
        List.copyOf(refused),
        merged.isEmpty() ? "" : String.join("; ", reasons));
  }

  /** Whether adding {@code joining} keeps every type it grows within its limit. */
  private boolean fits(Map<String, Set<String>> held, Set<IdentifierRef> joining) {
    Map<String, Set<String>> after = new HashMap<>();
    held.forEach((type, values) -> after.put(type, new HashSet<>(values)));
    add(after, joining);
    return after.entrySet().stream()
        .allMatch(
            e -> {
              int before = held.getOrDefault(e.getKey(), Set.of()).size();
              int size = e.getValue().size();
              // A profile already over a lowered limit may keep what it has, but not grow.
              return size == before || size <= rules.limit(e.getKey());
            });
  }

  private static void add(Map<String, Set<String>> held, Set<IdentifierRef> identifiers) {
    for (IdentifierRef id : identifiers) {
      held.computeIfAbsent(id.type(), t -> new HashSet<>()).add(id.value());
    }
  }

  private static Profile profile(Map<String, Profile> profiles, String id) {
    Profile p = profiles.get(id);
    if (p == null) {
      throw new IllegalArgumentException("Profile " + id + " is an owner but was not given");
    }
    return p;
  }
}
