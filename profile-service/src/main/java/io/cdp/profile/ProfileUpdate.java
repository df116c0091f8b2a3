package io.cdp.profile;

import java.util.List;

/**
 * The result of applying one event (or a visit's end) to a profile.
 *
 * @param profile the profile after the change
 * @param changed names of what changed: attribute names, {@code traits}, {@code badges}, {@code
 *     visit}, {@code identifiers}
 * @param visitChange whether the change started or ended a visit
 * @param addedIdentifiers identifiers the profile did not have before
 */
public record ProfileUpdate(
    LiveProfile profile,
    List<String> changed,
    VisitChange visitChange,
    List<String> addedIdentifiers) {

  /** Visit boundaries, as published on the change. */
  public enum VisitChange {
    NONE,
    STARTED,
    ENDED
  }
}
