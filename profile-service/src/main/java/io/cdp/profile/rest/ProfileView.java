package io.cdp.profile.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdp.profile.LiveProfile;
import java.time.Instant;
import java.util.List;

/** The body of {@code GET /v1/profiles/{type}:{value}} (API.md). */
public record ProfileView(
    String profileId,
    List<String> identifiers,
    JsonNode traits,
    JsonNode attributes,
    List<String> badges,
    VisitView visit,
    Instant updatedAt) {

  /** The current visit; {@code ended} once it timed out. */
  public record VisitView(Instant startedAt, Instant lastEventAt, long eventCount, boolean ended) {}

  static ProfileView of(LiveProfile profile) {
    VisitView visit =
        profile.visit() == null
            ? null
            : new VisitView(
                profile.visit().startedAt(),
                profile.visit().lastEventAt(),
                profile.visit().eventCount(),
                profile.visit().ended());
    return new ProfileView(
        profile.profileId(),
        profile.identifiers(),
        profile.traits(),
        profile.attributes(),
        profile.badges(),
        visit,
        profile.updatedAt());
  }
}
