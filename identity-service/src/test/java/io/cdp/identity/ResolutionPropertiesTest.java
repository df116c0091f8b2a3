package io.cdp.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.identity.ResolutionRules.Decision;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random sequences of events over a small set of identifiers (so that they collide and merge),
 * under random merge rules, run through {@link ResolutionRules} as {@link IdentityResolver} applies
 * them. Each case is drawn from its seed, so a failure names the seed that reproduces it.
 */
class ResolutionPropertiesTest {

  private static final List<String> TYPES = List.of("user_id", "email", "crm_id", "anonymous_id");

  /** Few values per type: random events share identifiers often. */
  private static final List<IdentifierRef> UNIVERSE = universe();

  private static final int CASES = 300;

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

  /** One generated case: rules, a history of 1 to 40 events of 1 to 4 identifiers, a cut. */
  private record Case(long seed, MergeRules rules, List<IdentifierRef[]> events, int cut) {

    static Case of(long seed) {
      Random random = new Random(seed);
      List<String> order = new ArrayList<>(TYPES);
      Collections.shuffle(order, random);
      Map<String, Integer> priorities = new HashMap<>();
      Map<String, Integer> limits = new HashMap<>();
      for (int i = 0; i < order.size(); i++) {
        priorities.put(order.get(i), i + 1);
        limits.put(order.get(i), 1 + random.nextInt(3));
      }
      MergeRules rules =
          new MergeRules(priorities, limits, 5, MergeRules.DEFAULT_BLOCKED_VALUES, "");
      List<IdentifierRef[]> events = new ArrayList<>();
      int length = 1 + random.nextInt(40);
      for (int e = 0; e < length; e++) {
        IdentifierRef[] ids = new IdentifierRef[1 + random.nextInt(4)];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = UNIVERSE.get(random.nextInt(UNIVERSE.size()));
        }
        events.add(ids);
      }
      return new Case(seed, rules, events, random.nextInt(length + 1));
    }

    String at(int event) {
      return "seed " + seed + ", event " + event;
    }
  }

  static LongStream seeds() {
    return new Random(20261124).longs(CASES);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void afterEveryEventEachIdentifierHasOneLiveProfileWithinTheLimits(long seed) {
    Case c = Case.of(seed);
    InMemoryGraph graph = new InMemoryGraph(c.rules());
    for (int n = 0; n < c.events().size(); n++) {
      graph.event(c.events().get(n));
      assertEachIdentifierOnExactlyOneLiveProfile(graph, c.at(n));
      assertWithinLimits(graph, c.rules(), c.at(n));
      assertChainsEndOnLiveProfiles(graph, c.at(n));
    }
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void replayingAnyPrefixChangesNothing(long seed) {
    Case c = Case.of(seed);
    InMemoryGraph graph = new InMemoryGraph(c.rules());
    c.events().forEach(graph::event);
    Map<IdentifierRef, String> owners = new HashMap<>(graph.owners);
    Set<String> profiles = Set.copyOf(graph.profiles.keySet());
    Map<String, String> merged = new HashMap<>(graph.mergedInto);

    for (int n = 0; n < c.cut(); n++) {
      Decision d = graph.event(c.events().get(n));
      assertEquals(List.of(), d.mergedProfileIds(), "replaying " + c.at(n) + " merged");
      assertFalse(d.created(), "replaying " + c.at(n) + " created a profile");
    }
    assertEquals(owners, graph.owners, "seed " + seed);
    assertEquals(profiles, graph.profiles.keySet(), "seed " + seed);
    assertEquals(merged, graph.mergedInto, "seed " + seed);
  }

  /** Nothing depends on timing or hash order: every instance builds the same graph. */
  @ParameterizedTest
  @MethodSource("seeds")
  void theSameEventsGiveTheSameGraph(long seed) {
    Case c = Case.of(seed);
    InMemoryGraph one = new InMemoryGraph(c.rules());
    InMemoryGraph two = new InMemoryGraph(c.rules());
    c.events().forEach(one::event);
    c.events().forEach(two::event);
    assertEquals(one.owners, two.owners, "seed " + seed);
    assertEquals(one.mergedInto, two.mergedInto, "seed " + seed);
  }

  private static void assertEachIdentifierOnExactlyOneLiveProfile(InMemoryGraph graph, String at) {
    for (IdentifierRef id : graph.owners.keySet()) {
      long holders =
          graph.profiles.keySet().stream().filter(p -> graph.identifiersOf(p).contains(id)).count();
      assertEquals(1, holders, at + ": " + id + " is on " + holders + " live profiles");
    }
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
}
