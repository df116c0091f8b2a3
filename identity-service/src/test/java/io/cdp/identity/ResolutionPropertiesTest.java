package io.cdp.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.identity.ResolutionRules.Decision;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random sequences of events over a small set of identifiers (so that they collide and merge), each
 * seeded so that a failure is reproducible. After every event the graph keeps its invariants.
 */
class ResolutionPropertiesTest {

  private static final List<IdentifierRef> UNIVERSE = universe();
  private static final MergeRules TIGHT =
      MergeRules.withOverrides(
          Map.of(),
          Map.of("email", 1, "anonymous_id", 2),
          3,
          MergeRules.DEFAULT_BLOCKED_VALUES,
          "");

  private static List<IdentifierRef> universe() {
    List<IdentifierRef> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(new IdentifierRef("user_id", "u" + i));
      ids.add(new IdentifierRef("email", "e" + i + "@x.y"));
      ids.add(new IdentifierRef("crm_id", "c" + i));
    }
    for (int i = 0; i < 6; i++) {
      ids.add(new IdentifierRef("anonymous_id", "a" + i));
    }
    return List.copyOf(ids);
  }

  private static List<IdentifierRef[]> events(long seed) {
    Random random = new Random(seed);
    List<IdentifierRef[]> events = new ArrayList<>();
    for (int e = 0; e < 40; e++) {
      int size = 1 + random.nextInt(4);
      IdentifierRef[] ids = new IdentifierRef[size];
      for (int i = 0; i < size; i++) {
        ids[i] = UNIVERSE.get(random.nextInt(UNIVERSE.size()));
      }
      events.add(ids);
    }
    return events;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233})
  void invariantsHoldForRandomSequences(long seed) {
    for (MergeRules rules : List.of(MergeRules.DEFAULTS, TIGHT)) {
      InMemoryGraph graph = new InMemoryGraph(rules);
      List<IdentifierRef[]> events = events(seed);
      for (int n = 0; n < events.size(); n++) {
        graph.event(events.get(n));
        String at = "seed " + seed + ", event " + n;
        assertEveryIdentifierOnALiveProfile(graph, at);
        assertWithinLimits(graph, rules, at);
        assertChainsEndOnLiveProfiles(graph, at);
        if (n % 5 == 4) {
          assertReplayingChangesNothing(graph, events.subList(0, n + 1), at);
        }
      }
      // The same events give the same graph: nothing depends on timing or hash order.
      InMemoryGraph again = new InMemoryGraph(rules);
      events.forEach(again::event);
      assertEquals(graph.owners, again.owners, "seed " + seed);
      assertEquals(graph.mergedInto, again.mergedInto, "seed " + seed);
    }
  }

  private static void assertEveryIdentifierOnALiveProfile(InMemoryGraph graph, String at) {
    assertTrue(graph.profiles.keySet().containsAll(graph.owners.values()), at);
  }

  private static void assertWithinLimits(InMemoryGraph graph, MergeRules rules, String at) {
    for (String profile : graph.profiles.keySet()) {
      Map<String, Long> byType =
          graph.identifiersOf(profile).stream()
              .collect(Collectors.groupingBy(IdentifierRef::type, Collectors.counting()));
      byType.forEach(
          (type, count) ->
              assertTrue(count <= rules.limit(type), at + ": " + profile + " has " + byType));
    }
  }

  private static void assertChainsEndOnLiveProfiles(InMemoryGraph graph, String at) {
    for (String merged : graph.mergedInto.keySet()) {
      String p = merged;
      for (int hops = 0; graph.mergedInto.containsKey(p); hops++) {
        assertTrue(hops <= graph.mergedInto.size(), at + ": a cycle from " + merged);
        p = graph.mergedInto.get(p);
      }
      assertTrue(graph.profiles.containsKey(p), at + ": " + merged + " leads to a dead profile");
    }
  }

  private static void assertReplayingChangesNothing(
      InMemoryGraph graph, List<IdentifierRef[]> prefix, String at) {
    Map<IdentifierRef, String> owners = new HashMap<>(graph.owners);
    Set<String> profiles = Set.copyOf(graph.profiles.keySet());
    Map<String, String> merged = new HashMap<>(graph.mergedInto);
    for (IdentifierRef[] event : prefix) {
      Decision d = graph.event(event);
      assertEquals(List.of(), d.mergedProfileIds(), at);
      assertFalse(d.created(), at + ": a replay created a profile");
    }
    assertEquals(owners, graph.owners, at);
    assertEquals(profiles, graph.profiles.keySet(), at);
    assertEquals(merged, graph.mergedInto, at);
  }
}
