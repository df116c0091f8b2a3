package io.cdp.identity;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which profile an event belongs to, given what the graph already knows. Pure.
 *
 * <p>The event goes to the profile of its highest-priority identifier that is already linked
 * ({@link IdentifierRef#BY_PRIORITY}); with none linked it starts a new profile. The event's
 * unlinked identifiers are then linked to that profile.
 */
public final class ResolutionRules {

  private ResolutionRules() {}

  /**
   * The profile of the highest-priority known identifier, or empty when none is known.
   *
   * <p>MERGE POINT: when {@code known} holds two or more different profiles, this event is evidence
   * that they are one person. This slice does not merge: the lower-priority identifiers stay on
   * their profiles and the event goes to the chosen one. The merge rules (limits per type, shared
   * devices, publishing on {@code cdp.identity.merges}) are decided here, in one place.
   */
  public static Optional<String> chooseProfile(
      List<IdentifierRef> identifiers, Map<IdentifierRef, String> known) {
    return identifiers.stream()
        .sorted(IdentifierRef.BY_PRIORITY)
        .filter(known::containsKey)
        .findFirst()
        .map(known::get);
  }
}
