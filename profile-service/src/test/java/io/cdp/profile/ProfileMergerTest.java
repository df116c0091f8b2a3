package io.cdp.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdp.profile.AttributeSpec.RuleSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How merged profiles fold into the survivor, without infrastructure. */
class ProfileMergerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");

  private final ProfileMerger merger = new ProfileMerger(5, Clock.fixed(NOW, ZoneOffset.UTC));
  private final Enrichments enrichments =
      new EnrichmentRules()
          .compileAll(
              List.of(
                  new AttributeSpec(
                          "orders",
                          "timeline",
                          null,
                          3,
                          List.of(new RuleSpec(null, null, "append", null, null)))
                      .toDefinition(),
                  new AttributeSpec("last_order_at", "date", null, null, List.of())
                      .toDefinition()));

  private static ObjectNode json(String text) {
    try {
      return (ObjectNode) JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static LiveProfile profile(
      String id,
      String identifier,
      String traits,
      String attributes,
      List<String> badges,
      Visit visit,
      long version,
      List<String> messageIds) {
    return new LiveProfile(
        id,
        List.of(identifier),
        json(traits),
        json(attributes),
        badges,
        visit,
        version,
        NOW,
        messageIds);
  }

  private final LiveProfile survivor =
      profile(
          "s",
          "user_id:42",
          "{\"name\":\"Ann\",\"plan\":\"pro\"}",
          """
          {"event_count": 3, "first_seen_at": "2026-01-02T00:00:00Z", "last_event_at": "2026-01-05T00:00:00Z",
           "spend": 10, "categories": ["hats"], "views": {"hats": 2},
           "favourite": "hats", "orders": [{"time": "2026-01-03T00:00:00Z", "values": {"n": 1}}]}
          """,
          List.of("vip"),
          new Visit(
              Instant.parse("2026-01-05T00:00:00Z"),
              Instant.parse("2026-01-05T00:00:00Z"),
              1,
              false),
          7,
          List.of("s1", "s2"));

  private final LiveProfile merged =
      profile(
          "m",
          "anonymous_id:a1",
          "{\"name\":\"Anonymous\",\"city\":\"Oslo\"}",
          """
          {"event_count": 2, "first_seen_at": "2026-01-01T00:00:00Z", "last_event_at": "2026-01-06T00:00:00Z",
           "spend": 2.5, "categories": ["shoes", "hats"], "views": {"hats": 1, "shoes": 4},
           "favourite": "shoes", "only_here": true,
           "orders": [{"time": "2026-01-01T00:00:00Z", "values": {"n": 0}},
                      {"time": "2026-01-04T00:00:00Z", "values": {"n": 2}},
                      {"time": "2026-01-06T00:00:00Z", "values": {"n": 3}}]}
          """,
          List.of("browser"),
          new Visit(
              Instant.parse("2026-01-06T00:00:00Z"),
              Instant.parse("2026-01-06T00:00:00Z"),
              2,
              false),
          4,
          List.of("m1"));

  @Test
  void attributesFoldByType() {
    JsonNode a =
        merger.fold(survivor, "s", List.of(merged), "g1", enrichments).profile().attributes();
    assertEquals(5, a.get("event_count").asLong());
    assertEquals("2026-01-01T00:00:00Z", a.get("first_seen_at").asText());
    assertEquals("2026-01-06T00:00:00Z", a.get("last_event_at").asText());
    assertEquals(12.5, a.get("spend").asDouble());
    assertEquals(JSON.valueToTree(List.of("hats", "shoes")), a.get("categories"));
    assertEquals(3, a.get("views").get("hats").asLong());
    assertEquals(4, a.get("views").get("shoes").asLong());
    // The merged profile saw the later event: its string is the newer one.
    assertEquals("shoes", a.get("favourite").asText());
    assertTrue(a.get("only_here").asBoolean());
  }

  @Test
  void timelinesInterleaveByTimeWithinTheirBound() {
    JsonNode orders =
        merger
            .fold(survivor, "s", List.of(merged), "g1", enrichments)
            .profile()
            .attributes()
            .get("orders");
    assertEquals(3, orders.size());
    // Four entries, in time order; the oldest (the merged profile's n=0) is dropped.
    assertEquals(1, orders.get(0).get("values").get("n").asInt());
    assertEquals(2, orders.get(1).get("values").get("n").asInt());
    assertEquals(3, orders.get(2).get("values").get("n").asInt());
  }

  @Test
  void traitsIdentifiersBadgesAndVisitFold() {
    ProfileUpdate update = merger.fold(survivor, "s", List.of(merged), "g1", enrichments);
    LiveProfile p = update.profile();
    assertEquals("s", p.profileId());
    assertEquals("Ann", p.traits().get("name").asText());
    assertEquals("Oslo", p.traits().get("city").asText());
    assertEquals(List.of("anonymous_id:a1", "user_id:42"), p.identifiers());
    assertEquals(List.of("anonymous_id:a1"), update.addedIdentifiers());
    assertEquals(List.of("browser", "vip"), p.badges());
    assertEquals(merged.visit(), p.visit());
    assertEquals(8, p.version());
    assertTrue(
        update.changed().containsAll(List.of("identifiers", "traits", "badges", "visit", "spend")));
  }

  @Test
  void messageIdsUniteAndTheMergeIsRemembered() {
    LiveProfile p = merger.fold(survivor, "s", List.of(merged), "g1", enrichments).profile();
    assertTrue(p.recentMessageIds().containsAll(List.of("m1", "s1", "s2", "merge:g1")));
    assertTrue(ProfileMerger.applied(p, "g1"));
    assertFalse(ProfileMerger.applied(survivor, "g1"));
  }

  @Test
  void aSurvivorWithoutAProfileTakesTheMergedOne() {
    LiveProfile p = merger.fold(null, "s", List.of(merged), "g1", enrichments).profile();
    assertEquals("s", p.profileId());
    assertEquals(merged.attributes(), p.attributes());
    assertEquals(1, p.version());
  }
}
