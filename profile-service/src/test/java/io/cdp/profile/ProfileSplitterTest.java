package io.cdp.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a split does to the two profiles, without infrastructure. */
class ProfileSplitterTest {

  private static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");

  private final ProfileSplitter splitter = new ProfileSplitter(Clock.fixed(NOW, ZoneOffset.UTC));

  private static LiveProfile profile(String id, long version, String... identifiers) {
    ObjectNode attributes = JsonNodeFactory.instance.objectNode().put("orders", 3);
    return new LiveProfile(
        id,
        List.of(identifiers),
        JsonNodeFactory.instance.objectNode().put("name", "Ann"),
        attributes,
        List.of("vip"),
        null,
        version,
        NOW.minusSeconds(60),
        List.of("m1"));
  }

  @Test
  void theProfileLeftLosesOnlyTheIdentifiersAndKeepsWhatItLearned() {
    LiveProfile before = profile("p1", 4, "anonymous_id:a", "email:ann@example.com", "user_id:1");

    ProfileUpdate update = splitter.without(before, List.of("anonymous_id:a")).orElseThrow();

    assertEquals(List.of("email:ann@example.com", "user_id:1"), update.profile().identifiers());
    assertEquals(5, update.profile().version());
    assertEquals(NOW, update.profile().updatedAt());
    assertEquals(before.attributes(), update.profile().attributes());
    assertEquals(before.traits(), update.profile().traits());
    assertEquals(List.of("vip"), update.profile().badges());
    assertEquals(List.of("identifiers"), update.changed());
    assertEquals(List.of(), update.addedIdentifiers());
  }

  @Test
  void theNewProfileGetsTheIdentifiersAndNothingElse() {
    ProfileUpdate update =
        splitter.with(LiveProfile.empty("p2"), List.of("anonymous_id:a")).orElseThrow();

    assertEquals("p2", update.profile().profileId());
    assertEquals(List.of("anonymous_id:a"), update.profile().identifiers());
    assertEquals(1, update.profile().version());
    assertTrue(update.profile().attributes().isEmpty());
    assertEquals(List.of("anonymous_id:a"), update.addedIdentifiers());
  }

  @Test
  void aRedeliveredSplitChangesNeitherProfile() {
    assertTrue(
        splitter.without(profile("p1", 5, "user_id:1"), List.of("anonymous_id:a")).isEmpty());
    assertTrue(
        splitter.with(profile("p2", 1, "anonymous_id:a"), List.of("anonymous_id:a")).isEmpty());
  }
}
