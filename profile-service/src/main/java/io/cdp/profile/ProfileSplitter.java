package io.cdp.profile;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Identifiers detached from one profile onto another ({@code cdp.identity.splits}): the profile
 * they left loses them, the profile they went to gains them. Nothing else moves: the profile keeps
 * no event history, so what the old profile learned from those identifiers cannot be told apart
 * from the rest and stays with it (the warehouse, which keeps the history, can rebuild both).
 *
 * <p>Both steps are idempotent: a profile that already lacks (or already has) the identifiers is
 * left as it is, so a redelivered split changes nothing.
 */
public final class ProfileSplitter {

  private final Clock clock;

  public ProfileSplitter(Clock clock) {
    this.clock = clock;
  }

  /** The profile without those identifiers; empty when it has none of them. */
  public Optional<ProfileUpdate> without(LiveProfile profile, Collection<String> identifiers) {
    TreeSet<String> kept = new TreeSet<>(profile.identifiers());
    if (!kept.removeAll(identifiers)) {
      return Optional.empty();
    }
    return Optional.of(update(profile, List.copyOf(kept), List.of()));
  }

  /**
   * The profile with those identifiers, {@code profile} being {@link LiveProfile#empty} for a new
   * one; empty when it has them all.
   */
  public Optional<ProfileUpdate> with(LiveProfile profile, Collection<String> identifiers) {
    TreeSet<String> all = new TreeSet<>(profile.identifiers());
    List<String> added = identifiers.stream().distinct().filter(all::add).sorted().toList();
    if (added.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(update(profile, List.copyOf(all), added));
  }

  private ProfileUpdate update(LiveProfile before, List<String> identifiers, List<String> added) {
    LiveProfile after =
        new LiveProfile(
            before.profileId(),
            identifiers,
            before.traits(),
            before.attributes(),
            before.badges(),
            before.visit(),
            before.version() + 1,
            clock.instant(),
            before.recentMessageIds());
    return new ProfileUpdate(after, List.of("identifiers"), ProfileUpdate.VisitChange.NONE, added);
  }
}
