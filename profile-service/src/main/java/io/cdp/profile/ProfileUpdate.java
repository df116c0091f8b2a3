package io.cdp.profile;

import java.util.List;

/**
 * The result of applying one event to a profile.
 *
 * @param profile the profile after the event
 * @param changed names of what changed: attribute names, {@code traits}, {@code visit}, {@code
 *     identifiers}
 * @param visitStarted true when the event opened a new visit
 * @param addedIdentifiers identifiers the profile did not have before
 */
public record ProfileUpdate(
    LiveProfile profile,
    List<String> changed,
    boolean visitStarted,
    List<String> addedIdentifiers) {}
