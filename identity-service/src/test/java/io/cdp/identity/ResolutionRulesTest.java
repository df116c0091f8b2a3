package io.cdp.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.identity.ResolutionRules.Decision;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which profile an event goes to and which profiles it merges, on an {@link InMemoryGraph}. */
class ResolutionRulesTest {

  private static final IdentifierRef USER = id("user_id", "42");
  private static final IdentifierRef OTHER_USER = id("user_id", "43");
  private static final IdentifierRef EMAIL = id("email", "ann@example.com");
  private static final IdentifierRef PHONE = id("phone", "+15550100");
  private static final IdentifierRef ANON = id("anonymous_id", "a-1");
  private static final IdentifierRef ANON_2 = id("anonymous_id", "a-2");
  private static final IdentifierRef CRM = id("crm_id", "c-1");

  private static IdentifierRef id(String type, String value) {
    return new IdentifierRef(type, value);
  }

  @Test
  void anAnonymousVisitorWhoLogsInKeepsTheAnonymousProfile() {
    InMemoryGraph g = new InMemoryGraph(MergeRules.DEFAULTS);
    String anonymous = g.event(ANON).profileId();
    Decision login = g.event(USER, EMAIL, ANON);
    assertEquals(anonymous, login.profileId());
    assertFalse(login.created());
    assertEquals(List.of(), login.mergedProfileIds());
    assertEquals(anonymous, g.owners.get(USER));
  }

  @Test
  void twoDevicesOfOneUserMergeIntoTheOldestProfile() {
    InMemoryGraph g = new InMemoryGraph(MergeRules.DEFAULTS);
    String phone = g.event(ANON).profileId();
    String laptop = g.event(ANON_2).profileId();
    g.event(USER, ANON_2);
    Decision second = g.event(USER, ANON);
    assertEquals(phone, second.profileId());
    assertEquals(List.of(laptop), second.mergedProfileIds());
    assertEquals("user_id:42 seen with anonymous_id:a-1", second.reason());
    assertEquals(Set.of(phone), Set.copyOf(g.owners.values()));
  }

  @Test
  void anEmailSharedByTwoAnonymousProfilesMergesThem() {
    InMemoryGraph g = new InMemoryGraph(MergeRules.DEFAULTS);
    String first = g.event(EMAIL, ANON).profileId();
    String second = g.event(ANON_2).profileId();
    Decision merge = g.event(EMAIL, ANON_2);
    assertEquals(first, merge.profileId());
    assertEquals(List.of(second), merge.mergedProfileIds());
  }

  @Test
  void twoUsersOnASharedDeviceNeverMerge() {
    InMemoryGraph g = new InMemoryGraph(MergeRules.DEFAULTS);
    String first = g.event(USER, ANON).profileId();
    Decision second = g.event(OTHER_USER, ANON);
    assertTrue(second.created());
    assertEquals(List.of(), second.mergedProfileIds());
    assertEquals(List.of(ANON), second.refused());
    assertEquals(first, g.owners.get(ANON));
    assertEquals(second.profileId(), g.owners.get(OTHER_USER));

    // Known both: the event goes to its highest-priority identifier's profile, still no merge.
    Decision again = g.event(OTHER_USER, ANON);
    assertEquals(second.profileId(), again.profileId());
    assertEquals(List.of(), again.mergedProfileIds());
  }

  @Test
  void twoProfilesWithAUserIdEachDoNotMergeThroughAnEmail() {
    InMemoryGraph g = new InMemoryGraph(MergeRules.DEFAULTS);
    String ann = g.event(USER, EMAIL).profileId();
    String bob = g.event(OTHER_USER).profileId();
    Decision d = g.event(OTHER_USER, EMAIL);
    assertEquals(bob, d.profileId());
    assertEquals(List.of(EMAIL), d.refused());
    assertEquals(ann, g.owners.get(EMAIL));
  }

  @Test
  void aLimitStopsLinkingOneIdentifierTooMany() {
    InMemoryGraph g =
        new InMemoryGraph(MergeRules.withOverrides(Map.of(), Map.of("email", 2), 5, Set.of(), ""));
    String p = g.event(USER, id("email", "1@x.y")).profileId();
    g.event(USER, id("email", "2@x.y"));
    Decision third = g.event(USER, id("email", "3@x.y"));
    assertEquals(p, third.profileId());
    assertEquals(List.of(id("email", "3@x.y")), third.refused());
    assertFalse(g.owners.containsKey(id("email", "3@x.y")));
  }

  @Test
  void aMergeThatWouldBreakALimitIsRefused() {
    InMemoryGraph g =
        new InMemoryGraph(MergeRules.withOverrides(Map.of(), Map.of("email", 1), 5, Set.of(), ""));
    String first = g.event(EMAIL, ANON).profileId();
    String second = g.event(id("email", "bob@example.com"), ANON_2).profileId();
    Decision d = g.event(ANON, ANON_2);
    assertEquals(first, d.profileId());
    assertEquals(List.of(), d.mergedProfileIds());
    assertEquals(second, g.owners.get(ANON_2));
  }

  @Test
  void aChainOfThreeMergesEndsOnTheOldestProfile() {
    InMemoryGraph g = new InMemoryGraph(MergeRules.DEFAULTS);
    String a = g.event(ANON).profileId();
    String b = g.event(ANON_2).profileId();
    String c = g.event(PHONE).profileId();
    String d = g.event(CRM).profileId();
    assertEquals(List.of(d), g.event(PHONE, CRM).mergedProfileIds());
    assertEquals(List.of(c), g.event(ANON_2, PHONE).mergedProfileIds());
    Decision last = g.event(EMAIL, ANON, CRM);
    assertEquals(a, last.profileId());
    assertEquals(List.of(b), last.mergedProfileIds());
    assertEquals(Set.of(a), Set.copyOf(g.owners.values()));
    // Every old id leads to the survivor, and no chain loops.
    for (String old : List.of(b, c, d)) {
      String p = old;
      for (int hops = 0; g.mergedInto.containsKey(p); hops++) {
        assertTrue(hops < 3, "chain from " + old);
        p = g.mergedInto.get(p);
      }
      assertEquals(a, p, old);
    }
  }

  @Test
  void aReplayDecidesNothingNew() {
    InMemoryGraph g = new InMemoryGraph(MergeRules.DEFAULTS);
    g.event(ANON);
    g.event(ANON_2);
    Decision merge = g.event(USER, ANON, ANON_2);
    assertEquals(1, merge.mergedProfileIds().size());
    Map<IdentifierRef, String> before = Map.copyOf(g.owners);
    Decision replay = g.event(USER, ANON, ANON_2);
    assertEquals(merge.profileId(), replay.profileId());
    assertEquals(List.of(), replay.mergedProfileIds());
    assertFalse(replay.created());
    assertEquals(before, g.owners);
  }

  @Test
  void theHighestPriorityIdentifierDecidesWhateverTheOrderGiven() {
    InMemoryGraph g = new InMemoryGraph(MergeRules.DEFAULTS);
    String user = g.event(USER).profileId();
    g.event(OTHER_USER, CRM);
    Decision d = g.event(CRM, ANON, USER);
    assertEquals(user, d.profileId());
    assertEquals(List.of(CRM), d.refused());
  }

  @Test
  void configuredPrioritiesChangeWhichProfileAnEventFollows() {
    MergeRules crmFirst = MergeRules.withOverrides(Map.of("crm_id", 0), Map.of(), 5, Set.of(), "");
    assertEquals(
        List.of(CRM, USER, ANON),
        List.of(ANON, USER, CRM).stream().sorted(crmFirst.byPriority()).toList());
    InMemoryGraph g =
        new InMemoryGraph(MergeRules.withOverrides(Map.of("crm_id", 0), Map.of(), 5, Set.of(), ""));
    String crm = g.event(CRM, USER).profileId();
    Decision d = g.event(CRM, OTHER_USER);
    assertEquals(crm, d.profileId());
    assertEquals(List.of(OTHER_USER), d.refused());
  }
}
