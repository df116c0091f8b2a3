package io.cdp.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.cdp.connector.ConnectorRules.InvalidExpressionException;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.contracts.profile.v1.Visit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Mappings and event conditions: what compiles, what a delivery's data holds. */
class ConnectorRulesTest {

  private final ConnectorRules rules = new ConnectorRules();

  private static final Profile PROFILE =
      Profile.newBuilder()
          .setProfileId("p-1")
          .addIdentifiers("email:ann@example.com")
          .addIdentifiers("user_id:42")
          .setTraits(
              Struct.newBuilder()
                  .putFields("email", Value.newBuilder().setStringValue("ann@example.com").build())
                  .putFields("name", Value.newBuilder().setStringValue("Ann").build()))
          .setAttributes(
              Struct.newBuilder().putFields("orders", Value.newBuilder().setNumberValue(2).build()))
          .addBadges("vip")
          .setVisit(
              Visit.newBuilder()
                  .setStartedAt(Timestamp.newBuilder().setSeconds(1_767_225_600L))
                  .setEventCount(5))
          .build();

  private Map<String, Object> map(Map<String, String> mapping, Map<String, Object> event) {
    return rules.map(mapping, CelValues.profile(PROFILE), event, Map.of("id", "a-1"));
  }

  @Test
  void mappedFieldsAreEvaluatedOverProfileEventAndAudience() throws Exception {
    Map<String, String> mapping = new LinkedHashMap<>();
    mapping.put("email", "profile.traits.email");
    mapping.put("orders", "profile.attributes.orders + 1.0");
    mapping.put("vip", "'vip' in profile.badges");
    mapping.put("emails", "profile.identifiers.email");
    mapping.put("visitStart", "profile.visit.startedAt");
    mapping.put("total", "event.properties.total");
    mapping.put("audience", "audience.id");
    mapping.put("summary", "{'who': profile.id, 'count': profile.visit.eventCount}");
    Map<String, Object> event =
        CelValues.objectFromJson(
            new ObjectMapper().readTree("{\"event\":\"Order\",\"properties\":{\"total\":12}}"));

    Map<String, Object> data = map(mapping, event);

    assertEquals("ann@example.com", data.get("email"));
    assertEquals(3.0, data.get("orders"));
    assertEquals(true, data.get("vip"));
    assertEquals(List.of("ann@example.com"), data.get("emails"));
    assertEquals("2026-01-01T00:00:00Z", data.get("visitStart"));
    assertEquals(12L, data.get("total"));
    assertEquals("a-1", data.get("audience"));
    assertEquals(Map.of("who", "p-1", "count", 5L), data.get("summary"));
    assertEquals(mapping.keySet(), data.keySet());
  }

  @Test
  void aFieldWhoseInputIsMissingIsLeftOut() {
    Map<String, Object> data =
        map(Map.of("email", "profile.traits.email", "age", "profile.traits.age"), Map.of());
    assertEquals(Map.of("email", "ann@example.com"), data);
  }

  @Test
  void aMappingThatDoesNotCompileIsRefusedWithItsPosition() {
    InvalidExpressionException e =
        assertThrows(
            InvalidExpressionException.class, () -> rules.compileMapping("profile.traits.email +"));
    assertTrue(e.getMessage().contains("<input>:1:"), e.getMessage());
    assertThrows(InvalidExpressionException.class, () -> rules.compileMapping("visitor.email"));
  }

  @Test
  void theProfileIsNeededOnlyByAMappingThatReadsIt() {
    assertTrue(rules.readsProfile(Map.of("a", "audience.name", "e", "profile.traits.email")));
    assertTrue(rules.readsProfile(Map.of("vip", "'vip' in profile.badges")));
    assertFalse(rules.readsProfile(Map.of("a", "audience.name", "o", "event.properties.total")));
    assertFalse(rules.readsProfile(Map.of("profile", "audience.id + 'profile'")));
    assertFalse(rules.readsProfile(Map.of()));
  }

  @Test
  void eventConditionsMustBeBoolAndMatchTheEvent() throws Exception {
    String condition = "event.event == 'Order Completed' && event.properties.total > 100";
    rules.compileCondition(condition);
    Map<String, Object> big =
        CelValues.objectFromJson(
            new ObjectMapper()
                .readTree("{\"event\":\"Order Completed\",\"properties\":{\"total\":250.5}}"));
    Map<String, Object> small =
        CelValues.objectFromJson(
            new ObjectMapper()
                .readTree("{\"event\":\"Order Completed\",\"properties\":{\"total\":20}}"));
    assertTrue(rules.matches(condition, big));
    assertFalse(rules.matches(condition, small));
    // No properties at all: a run-time error, which does not match.
    assertFalse(rules.matches(condition, Map.of("event", "Order Completed")));
    assertThrows(InvalidExpressionException.class, () -> rules.compileCondition("event.event"));
    assertThrows(
        InvalidExpressionException.class, () -> rules.compileCondition("profile.id == 'x'"));
  }
}
