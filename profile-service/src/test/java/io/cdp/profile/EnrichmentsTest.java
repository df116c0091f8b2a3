package io.cdp.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.profile.AttributeSpec.RuleSpec;
import io.cdp.profile.EnrichmentRules.InvalidDefinitionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every attribute type and operation, timings, ordering and validation, without infrastructure. */
class EnrichmentsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final Instant SCAN = Instant.parse("2026-01-01T12:00:00Z");

  private final EnrichmentRules rules = new EnrichmentRules();
  private final ProfileUpdater updater =
      new ProfileUpdater(Duration.ofMinutes(30), 50, Clock.fixed(SCAN, ZoneOffset.UTC));
  private int messages;

  private static RuleSpec rule(String when, String op, String value) {
    return new RuleSpec(null, when, op, value, null);
  }

  private static AttributeSpec attribute(String name, String type, RuleSpec... rules) {
    return new AttributeSpec(name, type, null, null, List.of(rules));
  }

  private Enrichments enrichments(AttributeSpec... specs) {
    return rules.compileAll(Arrays.stream(specs).map(AttributeSpec::toDefinition).toList());
  }

  /** Applies events (payload JSON) at one-second steps from T0. */
  private LiveProfile run(Enrichments enrichments, String... payloads) {
    LiveProfile profile = null;
    for (String payload : payloads) {
      profile = apply(profile, enrichments, T0.plusSeconds(messages), payload).profile();
    }
    return profile;
  }

  private ProfileUpdate apply(
      LiveProfile profile, Enrichments enrichments, Instant at, String payload) {
    try {
      JsonNode json = JSON.readTree(payload);
      ProfileEvent event =
          new ProfileEvent(
              "p-1", "m" + messages++, json.path("type").asText("track"), at, List.of(), json);
      return updater.apply(profile, event, enrichments).orElseThrow();
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static final String ORDER =
      "{\"event\":\"Order Completed\",\"properties\":{\"total\":25.5,\"category\":\"shoes\"}}";
  private static final String VIEW =
      "{\"event\":\"Viewed\",\"properties\":{\"category\":\"hats\"}}";

  @Test
  void numberIncrementsOnlyWhenTheConditionHolds() {
    Enrichments e =
        enrichments(
            attribute(
                "lifetime_orders",
                "number",
                rule("event.event == 'Order Completed'", "increment", "1")));
    LiveProfile p = run(e, ORDER, VIEW, ORDER);
    assertEquals(2, p.attributes().get("lifetime_orders").asLong());
    assertTrue(p.attributes().get("lifetime_orders").isIntegralNumber());
  }

  @Test
  void numberDecrementsAndSetsFromTheEvent() {
    Enrichments e =
        enrichments(
            attribute("credits", "number", rule(null, "decrement", null)),
            attribute(
                "last_total",
                "number",
                rule("has(event.properties.total)", "set", "event.properties.total")));
    LiveProfile p = run(e, ORDER, VIEW);
    assertEquals(-2, p.attributes().get("credits").asLong());
    assertEquals(25.5, p.attributes().get("last_total").asDouble());
  }

  @Test
  void stringSetReplacesAndSetIfEmptyKeepsTheFirst() {
    Enrichments e =
        enrichments(
            attribute("last_category", "string", rule(null, "set", "event.properties.category")),
            attribute(
                "first_category",
                "string",
                rule(null, "set_if_empty", "event.properties.category")));
    LiveProfile p = run(e, ORDER, VIEW);
    assertEquals("hats", p.attributes().get("last_category").asText());
    assertEquals("shoes", p.attributes().get("first_category").asText());
  }

  @Test
  void booleanSet() {
    Enrichments e =
        enrichments(
            attribute("buyer", "boolean", rule(null, "set", "event.event == 'Order Completed'")));
    assertTrue(run(e, ORDER).attributes().get("buyer").asBoolean());
    assertFalse(run(e, ORDER, VIEW).attributes().get("buyer").asBoolean());
  }

  @Test
  void dateSetToNowIsTheEventTimeAndAnExpressionIsParsed() {
    Enrichments e =
        enrichments(
            attribute(
                "last_order_at", "date", rule("event.event == 'Order Completed'", "set", "now")),
            attribute(
                "birthday",
                "date",
                rule("has(event.properties.born)", "set", "event.properties.born")));
    LiveProfile p = run(e, ORDER, "{\"properties\":{\"born\":\"1990-05-01T00:00:00Z\"}}");
    assertEquals(T0.toString(), p.attributes().get("last_order_at").asText());
    assertEquals("1990-05-01T00:00:00Z", p.attributes().get("birthday").asText());
  }

  @Test
  void badgeAssignAndRemoveAndBadgesSeeThisEventsCounters() {
    Enrichments e =
        enrichments(
            attribute(
                "vip",
                "badge",
                rule("profile.attributes.orders >= 2", "assign", null),
                rule("event.event == 'Refunded'", "remove", null)),
            attribute(
                "orders", "number", rule("event.event == 'Order Completed'", "increment", null)));
    LiveProfile once = run(e, ORDER);
    assertEquals(List.of(), once.badges());
    messages = 0;
    LiveProfile twice = run(e, ORDER, ORDER);
    assertEquals(List.of("vip"), twice.badges());
    assertFalse(twice.attributes().has("vip"));
    LiveProfile refunded =
        apply(twice, e, T0.plusSeconds(10), "{\"event\":\"Refunded\"}").profile();
    assertEquals(List.of(), refunded.badges());
  }

  @Test
  void setAddsAndRemovesDistinctSortedStrings() {
    Enrichments e =
        enrichments(
            attribute(
                "categories",
                "set",
                rule("has(event.properties.category)", "add", "event.properties.category"),
                rule("event.event == 'Forget'", "remove", "['shoes', 'none']")));
    LiveProfile p = run(e, VIEW, ORDER, VIEW);
    assertEquals(JSON.valueToTree(List.of("hats", "shoes")), p.attributes().get("categories"));
    p = apply(p, e, T0.plusSeconds(10), "{\"event\":\"Forget\"}").profile();
    assertEquals(JSON.valueToTree(List.of("hats")), p.attributes().get("categories"));
  }

  @Test
  void tallyCountsPerKeyAndAStringCanPickItsTopKey() {
    Enrichments e =
        enrichments(
            attribute(
                "category_views",
                "tally",
                new RuleSpec(
                    null,
                    "has(event.properties.category)",
                    "increment",
                    null,
                    "event.properties.category")),
            attribute(
                "favourite_category",
                "string",
                rule(
                    "has(profile.attributes.category_views)",
                    "set",
                    "profile.attributes.category_views.filter(k,"
                        + " profile.attributes.category_views.all(j,"
                        + " profile.attributes.category_views[k] >="
                        + " profile.attributes.category_views[j]))[0]")));
    LiveProfile p = run(e, VIEW, ORDER, VIEW);
    assertEquals(2, p.attributes().get("category_views").get("hats").asLong());
    assertEquals(1, p.attributes().get("category_views").get("shoes").asLong());
    assertEquals("hats", p.attributes().get("favourite_category").asText());
  }

  /** A timeline {@code orders} of at most {@code max} order totals. */
  private Enrichments ordersTimeline(int max) {
    return enrichments(
        new AttributeSpec(
            "orders",
            "timeline",
            null,
            max,
            List.of(
                rule(
                    "event.event == 'Order Completed'",
                    "append",
                    "{'total': event.properties.total}"))));
  }

  @Test
  void timelineAppendsInTimeOrderAndKeepsTheLatestEntries() {
    Enrichments e = ordersTimeline(2);
    LiveProfile p = run(e, ORDER, ORDER, ORDER);
    JsonNode timeline = p.attributes().get("orders");
    assertEquals(2, timeline.size());
    assertEquals(T0.plusSeconds(1).toString(), timeline.get(0).get("time").asText());
    assertEquals(T0.plusSeconds(2).toString(), timeline.get(1).get("time").asText());
    assertEquals(25.5, timeline.get(1).get("values").get("total").asDouble());
    // A late event lands in time order, and being the oldest it is the one dropped.
    p = apply(p, e, T0.minusSeconds(60), ORDER).profile();
    assertEquals(
        T0.plusSeconds(1).toString(), p.attributes().get("orders").get(0).get("time").asText());
  }

  @Test
  void aLateTimelineEntryLandsBetweenTheEntriesAroundItsTime() {
    Enrichments e = ordersTimeline(5);
    LiveProfile p = run(e, ORDER, ORDER, ORDER);
    p = apply(p, e, T0.plusMillis(1500), ORDER).profile();
    List<String> times = new ArrayList<>();
    p.attributes().get("orders").forEach(entry -> times.add(entry.get("time").asText()));
    assertEquals(
        List.of(
            T0.toString(),
            T0.plusSeconds(1).toString(),
            T0.plusMillis(1500).toString(),
            T0.plusSeconds(2).toString()),
        times);
  }

  @Test
  void rulesReadTheVisitTraitsAndIdentifiersOfTheProfile() {
    Enrichments e =
        enrichments(
            attribute(
                "engaged",
                "badge",
                rule(
                    "profile.visit.eventCount >= 2"
                        + " && profile.visit.startedAt < timestamp('2030-01-01T00:00:00Z')"
                        + " && profile.traits.plan == 'pro'",
                    "assign",
                    null)));
    LiveProfile p = run(e, "{\"type\":\"identify\",\"traits\":{\"plan\":\"pro\"}}");
    assertEquals(List.of(), p.badges());
    p = apply(p, e, T0.plusSeconds(5), VIEW).profile();
    assertEquals(List.of("engaged"), p.badges());
  }

  @Test
  void aRuleThatFailsAtRunTimeIsSkipped() {
    Enrichments e =
        enrichments(
            attribute("total", "number", rule(null, "increment", "event.properties.total")));
    LiveProfile p = run(e, VIEW, ORDER);
    assertEquals(25.5, p.attributes().get("total").asDouble());
  }

  @Test
  void newVisitorAndNewVisitTimingsFireOnceEach() {
    Enrichments e =
        enrichments(
            attribute("visits", "number", new RuleSpec("new visit", null, "increment", null, null)),
            attribute(
                "acquired_by",
                "string",
                new RuleSpec("new visitor", null, "set", "event.event", null)));
    LiveProfile p = run(e, ORDER, VIEW);
    assertEquals(1, p.attributes().get("visits").asLong());
    assertEquals("Order Completed", p.attributes().get("acquired_by").asText());
    p = apply(p, e, T0.plus(Duration.ofHours(1)), VIEW).profile();
    assertEquals(2, p.attributes().get("visits").asLong());
    assertEquals("Order Completed", p.attributes().get("acquired_by").asText());
  }

  @Test
  void visitScopedAttributesResetWhenANewVisitStarts() {
    Enrichments e =
        enrichments(
            new AttributeSpec(
                "visit_views", "number", "visit", null, List.of(rule(null, "increment", null))),
            new AttributeSpec(
                "browsing", "badge", "visit", null, List.of(rule(null, "assign", null))),
            attribute("views", "number", rule(null, "increment", null)));
    LiveProfile p = run(e, VIEW, VIEW);
    assertEquals(2, p.attributes().get("visit_views").asLong());
    ProfileUpdate next = apply(p, e, T0.plus(Duration.ofHours(1)), VIEW);
    assertEquals(1, next.profile().attributes().get("visit_views").asLong());
    assertEquals(3, next.profile().attributes().get("views").asLong());
    assertEquals(List.of("browsing"), next.profile().badges());
  }

  @Test
  void anIdleVisitEndsAndFiresVisitEndedRulesOnce() {
    Enrichments e =
        enrichments(
            attribute(
                "ended_visits",
                "number",
                new RuleSpec("visit ended", null, "increment", null, null)),
            attribute(
                "last_visit_end", "date", new RuleSpec("visit ended", null, "set", "now", null)));
    LiveProfile p = run(e, VIEW);
    assertTrue(updater.endVisit(p, T0.plus(Duration.ofMinutes(29)), e).isEmpty());
    ProfileUpdate ended = updater.endVisit(p, SCAN, e).orElseThrow();
    assertEquals(ProfileUpdate.VisitChange.ENDED, ended.visitChange());
    assertTrue(ended.profile().visit().ended());
    assertEquals(1, ended.profile().attributes().get("ended_visits").asLong());
    assertEquals(SCAN.toString(), ended.profile().attributes().get("last_visit_end").asText());
    assertEquals(p.version() + 1, ended.profile().version());
    assertTrue(updater.endVisit(ended.profile(), SCAN.plusSeconds(60), e).isEmpty());
    // The next event, even one within the timeout of the last, starts a new visit.
    ProfileUpdate after = apply(ended.profile(), e, T0.plusSeconds(5), VIEW);
    assertEquals(ProfileUpdate.VisitChange.STARTED, after.visitChange());
  }

  @Test
  void anOpTheTypeDoesNotHaveIsRefusedWithItsField() {
    InvalidDefinitionException e =
        assertThrows(
            InvalidDefinitionException.class,
            () -> enrichments(attribute("x", "string", rule(null, "increment", "1"))));
    assertEquals("enrichments[0].op", e.field());
    assertEquals("invalid_rule", e.code());
  }

  @Test
  void aRuleThatDoesNotCompileIsRefusedWithThePosition() {
    InvalidDefinitionException e =
        assertThrows(
            InvalidDefinitionException.class,
            () ->
                enrichments(
                    attribute(
                        "x",
                        "number",
                        rule(null, "increment", null),
                        rule("event.event == ", "increment", null))));
    assertEquals("enrichments[1].when", e.field());
    assertTrue(e.getMessage().contains("1:"), e.getMessage());
  }

  @Test
  void aValueOfTheWrongTypeOrAMissingKeyIsRefused() {
    assertEquals(
        "enrichments[0].value",
        assertThrows(
                InvalidDefinitionException.class,
                () -> enrichments(attribute("x", "number", rule(null, "set", "'ten'"))))
            .field());
    assertEquals(
        "enrichments[0].when",
        assertThrows(
                InvalidDefinitionException.class,
                () -> enrichments(attribute("x", "number", rule("1 + 1", "increment", null))))
            .field());
    assertEquals(
        "enrichments[0].key",
        assertThrows(
                InvalidDefinitionException.class,
                () -> enrichments(attribute("x", "tally", rule(null, "increment", null))))
            .field());
  }

  @Test
  void unknownTypesScopesTimingsAndReservedNamesAreRefused() {
    assertEquals(
        "type",
        assertThrows(InvalidDefinitionException.class, () -> attribute("x", "money").toDefinition())
            .field());
    assertEquals(
        "scope",
        assertThrows(
                InvalidDefinitionException.class,
                () -> new AttributeSpec("x", "number", "forever", null, List.of()).toDefinition())
            .field());
    assertEquals(
        "enrichments[0].timing",
        assertThrows(
                InvalidDefinitionException.class,
                () ->
                    attribute(
                            "x", "number", new RuleSpec("sometimes", null, "increment", null, null))
                        .toDefinition())
            .field());
    assertEquals(
        "name",
        assertThrows(
                InvalidDefinitionException.class,
                () -> attribute("event_count", "number").toDefinition())
            .field());
  }

  @Test
  void aSpecRoundTripsWithItsDefaultsWrittenOut() {
    AttributeSpec spec =
        AttributeSpec.of(
            new AttributeSpec("t", "timeline", null, null, List.of(rule(null, "append", null)))
                .toDefinition());
    assertEquals("visitor", spec.scope());
    assertEquals(100, spec.maxEntries());
    assertEquals("any event", spec.enrichments().get(0).timing());
    assertEquals(spec, AttributeSpec.of(spec.toDefinition()));
  }
}
