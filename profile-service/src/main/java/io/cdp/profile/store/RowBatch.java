package io.cdp.profile.store;

import io.cdp.profile.LiveProfile;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The profile rows one unit of work changed (a batch of events, a merge, a visit scan), written to
 * PostgreSQL in one transaction by {@link ProfileRows#save}: the last state of each profile written
 * to the cache, and the profiles merged away. Filled by the profiles of a batch side by side, then
 * saved.
 */
public final class RowBatch {

  private final Map<String, LiveProfile> profiles = new LinkedHashMap<>();
  private final Map<String, String> merged = new LinkedHashMap<>();

  /** {@code profile} was written to the cache; it replaces any earlier state in this batch. */
  public synchronized void profile(LiveProfile profile) {
    // Removed first so iteration follows write order: the later writer of an identifier wins.
    profiles.remove(profile.profileId());
    profiles.put(profile.profileId(), profile);
  }

  /** {@code profileId} was folded into {@code survivorId}. */
  public synchronized void merged(String profileId, String survivorId) {
    profiles.remove(profileId);
    merged.put(profileId, survivorId);
  }

  /** The profiles, in the order they were last written. */
  synchronized Collection<LiveProfile> profiles() {
    return profiles.values();
  }

  /** Merged profile id to the profile it was folded into. */
  synchronized Map<String, String> merged() {
    return merged;
  }

  synchronized boolean isEmpty() {
    return profiles.isEmpty() && merged.isEmpty();
  }
}
