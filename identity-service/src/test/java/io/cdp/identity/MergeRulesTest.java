package io.cdp.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The configured rules: priorities, limits and blocked values per identifier type. */
class MergeRulesTest {

  @Test
  void defaultsRankUserIdThenEmailThenTheRest() {
    MergeRules rules = MergeRules.DEFAULTS;
    assertEquals(1, rules.priority("user_id"));
    assertEquals(2, rules.priority("email"));
    assertTrue(rules.priority("phone") < rules.priority("anonymous_id"));
    assertTrue(rules.priority("anonymous_id") < rules.priority("crm_id"));
    assertEquals(1, rules.limit("user_id"));
    assertEquals(5, rules.limit("email"));
    assertEquals(5, rules.limit("crm_id"));
  }

  @Test
  void overridesReplaceOnlyTheTypesTheyName() {
    MergeRules rules =
        MergeRules.withOverrides(
            Map.of("crm_id", 2, "email", 6), Map.of("email", 1), 3, Set.of("Guest"), "+49");
    assertEquals(1, rules.priority("user_id"));
    assertEquals(2, rules.priority("crm_id"));
    assertEquals(6, rules.priority("email"));
    assertEquals(7, rules.priority("ga_client_id"));
    assertEquals(1, rules.limit("email"));
    assertEquals(1, rules.limit("user_id"));
    assertEquals(3, rules.limit("phone"));
    assertEquals("49", rules.defaultCountryCode());
    assertTrue(rules.isBlocked("GUEST"));
    assertFalse(rules.isBlocked("undefined"));
  }

  @Test
  void blankAndAllZeroValuesAreAlwaysBlocked() {
    MergeRules rules = MergeRules.withOverrides(Map.of(), Map.of(), 5, Set.of(), "");
    for (String value : List.of("", "000", "00000000-0000-0000-0000-000000000000", "+0")) {
      assertTrue(rules.isBlocked(value), value);
    }
    assertFalse(rules.isBlocked("0x"));
  }

  @Test
  void equalPrioritiesOrderByTypeThenValue() {
    IdentifierRef b = new IdentifierRef("b_id", "1");
    IdentifierRef a2 = new IdentifierRef("a_id", "2");
    IdentifierRef a1 = new IdentifierRef("a_id", "1");
    assertEquals(
        List.of(a1, a2, b),
        List.of(b, a2, a1).stream().sorted(MergeRules.DEFAULTS.byPriority()).toList());
  }
}
