package io.cdp.audience;

import io.cdp.contracts.audience.v1.TransitionKind;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/** What changes in a profile's memberships when its matching audiences are known. Pure. */
public final class Transitions {

  /** The audiences joined and left; both sorted, so transitions are published in a stable order. */
  public record Diff(Set<String> joined, Set<String> left) {
    public boolean isEmpty() {
      return joined.isEmpty() && left.isEmpty();
    }
  }

  /**
   * Compares the audiences a profile is in with those it now matches: joins are the new matches,
   * leaves the memberships that no longer match; the rest stay (and publish nothing).
   */
  public static Diff diff(Set<String> current, Set<String> matching) {
    Set<String> joined = new TreeSet<>(matching);
    joined.removeAll(current);
    Set<String> left = new TreeSet<>(current);
    left.removeAll(matching);
    return new Diff(joined, left);
  }

  /**
   * The transition's id: the same profile, audience, profile version, round and kind always give
   * the same id, so a transition republished after a redelivery can be recognised downstream.
   *
   * <p>{@code round} is 0 for a transition caused by a profile change (each change has a new
   * version). A re-evaluation without a new version (time passed, an audience was backfilled) that
   * changes memberships counts a new round of the profile ({@link
   * io.cdp.audience.store.ProfileState#round}), so a member leaving and joining again at the same
   * version gets distinct ids.
   */
  public static String transitionId(
      String profileId, String audienceId, long profileVersion, long round, TransitionKind kind) {
    String key = profileId + '|' + audienceId + '|' + profileVersion + '|' + kind.name();
    if (round > 0) {
      key += "|" + round;
    }
    return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private Transitions() {}
}
