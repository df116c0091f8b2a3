package io.cdp.profile;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The size bound of a profile: its traits, attributes, badges and identifiers as JSON, in bytes
 * ({@code cdp.profile.max-size}, 400 KB). An event whose changes would take a profile over it, and
 * make it larger than it was, is clipped: it still counts (the visit, the built-in attributes, the
 * identifiers and its messageId are applied) but its traits, attributes and badges are not. Pure,
 * so the rule is unit-tested.
 */
public final class ProfileLimits {

  private static final Set<String> ALWAYS_APPLIED =
      Set.of(
          "visit",
          "identifiers",
          ProfileUpdater.EVENT_COUNT,
          ProfileUpdater.FIRST_SEEN_AT,
          ProfileUpdater.LAST_EVENT_AT);

  private final long maxBytes;

  public ProfileLimits(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /**
   * The clipped form of {@code update} of {@code before} (null for a new profile), or empty when
   * the update stays within the bound or does not grow the profile.
   */
  public Optional<ProfileUpdate> clip(LiveProfile before, ProfileUpdate update) {
    LiveProfile after = update.profile();
    long size = size(after);
    if (size <= maxBytes || (before != null && size <= size(before))) {
      return Optional.empty();
    }
    LiveProfile base = before != null ? before : LiveProfile.empty(after.profileId());
    ObjectNode attributes = base.attributes().deepCopy();
    for (String builtIn :
        List.of(
            ProfileUpdater.EVENT_COUNT,
            ProfileUpdater.FIRST_SEEN_AT,
            ProfileUpdater.LAST_EVENT_AT)) {
      attributes.set(builtIn, after.attributes().get(builtIn));
    }
    LiveProfile clipped =
        new LiveProfile(
            after.profileId(),
            after.identifiers(),
            base.traits(),
            attributes,
            base.badges(),
            after.visit(),
            after.version(),
            after.updatedAt(),
            after.recentMessageIds());
    return Optional.of(
        new ProfileUpdate(
            clipped,
            update.changed().stream().filter(ALWAYS_APPLIED::contains).toList(),
            update.visitChange(),
            update.addedIdentifiers()));
  }

  /** What the bound counts: the free-form parts of the profile as JSON, in bytes. */
  public static long size(LiveProfile profile) {
    return bytes(profile.traits().toString())
        + bytes(profile.attributes().toString())
        + profile.badges().stream().mapToLong(badge -> bytes(badge) + 3).sum()
        + profile.identifiers().stream().mapToLong(identifier -> bytes(identifier) + 3).sum();
  }

  private static long bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }
}
