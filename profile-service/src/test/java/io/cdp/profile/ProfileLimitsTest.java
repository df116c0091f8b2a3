package io.cdp.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The size bound of a profile, without infrastructure. */
class ProfileLimitsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

  private final ProfileUpdater updater =
      new ProfileUpdater(Duration.ofMinutes(30), 10, Clock.fixed(T0, ZoneOffset.UTC));
  private final ProfileLimits limits = new ProfileLimits(300);

  private static ProfileEvent identify(String messageId, Instant at, String traits) {
    try {
      JsonNode payload = JSON.readTree("{\"traits\":" + traits + "}");
      return new ProfileEvent("p-1", messageId, "identify", at, List.of("user_id:42"), payload);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private ProfileUpdate apply(LiveProfile before, ProfileEvent event) {
    return updater.apply(before, event, Enrichments.NONE).orElseThrow();
  }

  @Test
  void anEventWithinTheBoundIsNotClipped() {
    ProfileUpdate update = apply(null, identify("m1", T0, "{\"name\":\"Ann\"}"));
    assertTrue(limits.clip(null, update).isEmpty());
  }

  @Test
  void anEventThatWouldExceedTheBoundStillCountsButChangesNoTraits() {
    LiveProfile before = apply(null, identify("m1", T0, "{\"name\":\"Ann\"}")).profile();
    String big = "x".repeat(400);
    ProfileUpdate update =
        apply(before, identify("m2", T0.plusSeconds(1), "{\"bio\":\"" + big + "\"}"));

    ProfileUpdate clipped = limits.clip(before, update).orElseThrow();

    LiveProfile after = clipped.profile();
    assertFalse(after.traits().has("bio"));
    assertEquals("Ann", after.traits().path("name").asText());
    assertEquals(2, after.attributes().path(ProfileUpdater.EVENT_COUNT).asInt());
    assertEquals(2, after.version());
    assertTrue(after.recentMessageIds().contains("m2"));
    assertFalse(clipped.changed().contains("traits"));
    assertTrue(clipped.changed().contains(ProfileUpdater.EVENT_COUNT));
  }

  @Test
  void aProfileAlreadyOverTheBoundMayShrink() {
    LiveProfile before =
        apply(null, identify("m1", T0, "{\"bio\":\"" + "x".repeat(400) + "\"}")).profile();
    ProfileUpdate shrink = apply(before, identify("m2", T0.plusSeconds(1), "{\"bio\":null}"));
    assertTrue(limits.clip(before, shrink).isEmpty());
  }
}
