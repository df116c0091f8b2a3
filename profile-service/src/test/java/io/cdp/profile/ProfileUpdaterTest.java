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
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The event-to-profile rules, without infrastructure. */
class ProfileUpdaterTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

  private final ProfileUpdater updater =
      new ProfileUpdater(
          Duration.ofMinutes(30),
          3,
          Clock.fixed(Instant.parse("2026-02-01T00:00:00Z"), ZoneOffset.UTC));

  private static ProfileEvent event(String messageId, String type, Instant at, String payload) {
    try {
      JsonNode json = JSON.readTree(payload);
      return new ProfileEvent("p-1", messageId, type, at, List.of("user_id:42"), json);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private LiveProfile applied(LiveProfile current, ProfileEvent event) {
    return apply(current, event).orElseThrow().profile();
  }

  private Optional<ProfileUpdate> apply(LiveProfile current, ProfileEvent event) {
    return updater.apply(current, event, Enrichments.NONE);
  }

  @Test
  void aFirstEventCreatesTheProfileWithBuiltInAttributes() {
    ProfileUpdate update = apply(null, event("m1", "track", T0, "{}")).orElseThrow();
    LiveProfile profile = update.profile();
    assertEquals("p-1", profile.profileId());
    assertEquals(List.of("user_id:42"), profile.identifiers());
    assertEquals(List.of("user_id:42"), update.addedIdentifiers());
    assertEquals(1, profile.attributes().get("event_count").asLong());
    assertEquals(T0.toString(), profile.attributes().get("first_seen_at").asText());
    assertEquals(T0.toString(), profile.attributes().get("last_event_at").asText());
    assertEquals(1, profile.version());
    assertEquals(ProfileUpdate.VisitChange.STARTED, update.visitChange());
    assertTrue(update.changed().containsAll(List.of("identifiers", "visit", "event_count")));
    assertEquals(Instant.parse("2026-02-01T00:00:00Z"), profile.updatedAt());
  }

  @Test
  void identifyTraitsMergeAndANullRemovesATrait() {
    LiveProfile p =
        applied(
            null,
            event("m1", "identify", T0, "{\"traits\":{\"email\":\"a@x.io\",\"plan\":\"free\"}}"));
    p =
        applied(
            p,
            event(
                "m2",
                "identify",
                T0.plusSeconds(1),
                "{\"traits\":{\"plan\":\"pro\",\"email\":null,\"age\":41}}"));
    assertEquals("pro", p.traits().get("plan").asText());
    assertEquals(41, p.traits().get("age").asInt());
    assertFalse(p.traits().has("email"));
  }

  @Test
  void contextTraitsApplyToAnyEventButTopLevelTraitsOnlyToIdentify() {
    LiveProfile p =
        applied(
            null,
            event(
                "m1",
                "track",
                T0,
                "{\"traits\":{\"ignored\":true},\"context\":{\"traits\":{\"name\":\"Ann\"}}}"));
    assertEquals("Ann", p.traits().get("name").asText());
    assertFalse(p.traits().has("ignored"));
  }

  @Test
  void unchangedTraitsAreNotReportedAsChanged() {
    LiveProfile p = applied(null, event("m1", "identify", T0, "{\"traits\":{\"plan\":\"pro\"}}"));
    ProfileUpdate update =
        apply(p, event("m2", "identify", T0.plusSeconds(5), "{\"traits\":{\"plan\":\"pro\"}}"))
            .orElseThrow();
    assertFalse(update.changed().contains("traits"));
    assertFalse(update.changed().contains("identifiers"));
    assertTrue(update.changed().contains("event_count"));
  }

  @Test
  void aVisitContinuesWithinTheTimeoutAndRestartsAfterIt() {
    LiveProfile p = applied(null, event("m1", "page", T0, "{}"));
    ProfileUpdate within =
        apply(p, event("m2", "page", T0.plus(Duration.ofMinutes(30)), "{}")).orElseThrow();
    assertEquals(ProfileUpdate.VisitChange.NONE, within.visitChange());
    assertEquals(2, within.profile().visit().eventCount());
    assertEquals(T0, within.profile().visit().startedAt());

    Instant later = T0.plus(Duration.ofMinutes(61));
    ProfileUpdate next = apply(within.profile(), event("m3", "page", later, "{}")).orElseThrow();
    assertEquals(ProfileUpdate.VisitChange.STARTED, next.visitChange());
    assertEquals(new Visit(later, later, 1, false), next.profile().visit());
    assertEquals(3, next.profile().attributes().get("event_count").asLong());
  }

  @Test
  void aLateEventCountsInTheCurrentVisitWithoutMovingLastEventAtBack() {
    LiveProfile p = applied(null, event("m1", "page", T0, "{}"));
    LiveProfile late = applied(p, event("m2", "page", T0.minusSeconds(60), "{}"));
    assertEquals(T0, late.visit().lastEventAt());
    assertEquals(T0.minusSeconds(60), late.visit().startedAt());
    assertEquals(T0.toString(), late.attributes().get("last_event_at").asText());
    assertEquals(T0.minusSeconds(60).toString(), late.attributes().get("first_seen_at").asText());
  }

  @Test
  void aRedeliveredEventChangesNothing() {
    ProfileEvent first = event("m1", "identify", T0, "{\"traits\":{\"plan\":\"pro\"}}");
    LiveProfile p = applied(null, first);
    assertEquals(Optional.empty(), apply(p, first));
    assertEquals(1, p.version());
  }

  @Test
  void everyAppliedEventBumpsTheVersionAndOnlyTheLastMessageIdsAreRemembered() {
    LiveProfile p = null;
    for (int i = 1; i <= 5; i++) {
      p = applied(p, event("m" + i, "track", T0.plusSeconds(i), "{}"));
    }
    assertEquals(5, p.version());
    assertEquals(List.of("m3", "m4", "m5"), p.recentMessageIds());
    // Outside the window: applied again (the window is sized to exceed in-flight redeliveries).
    assertTrue(apply(p, event("m1", "track", T0, "{}")).isPresent());
    assertTrue(apply(p, event("m5", "track", T0, "{}")).isEmpty());
  }

  @Test
  void newIdentifiersAreAddedAndReported() {
    LiveProfile p = applied(null, event("m1", "track", T0, "{}"));
    ProfileEvent withEmail =
        new ProfileEvent(
            "p-1",
            "m2",
            "identify",
            T0.plusSeconds(1),
            List.of("user_id:42", "email:ann@example.com"),
            JSON.createObjectNode());
    ProfileUpdate update = apply(p, withEmail).orElseThrow();
    assertEquals(List.of("email:ann@example.com"), update.addedIdentifiers());
    assertEquals(List.of("email:ann@example.com", "user_id:42"), update.profile().identifiers());
    assertTrue(update.changed().contains("identifiers"));
  }
}
