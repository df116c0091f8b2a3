package io.cdp.profile;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A resolved event, as the profile logic needs it.
 *
 * @param profileId the profile identity resolution chose
 * @param messageId the event's Segment messageId (the idempotency key)
 * @param type Segment call type: track, identify, page...
 * @param timestamp the event time (clock-skew corrected by the collector)
 * @param identifiers the event's identifiers as {@code type:value}
 * @param payload the whole event as Segment-spec JSON
 */
public record ProfileEvent(
    String profileId,
    String messageId,
    String type,
    Instant timestamp,
    List<String> identifiers,
    JsonNode payload) {

  /** The same event for another profile (the one its profile was merged into). */
  public ProfileEvent withProfileId(String otherProfileId) {
    return new ProfileEvent(otherProfileId, messageId, type, timestamp, identifiers, payload);
  }
}
