package io.cdp.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which profile an event goes to, given the links the graph already has. */
class ResolutionRulesTest {

  private static final IdentifierRef USER = new IdentifierRef("user_id", "42");
  private static final IdentifierRef EMAIL = new IdentifierRef("email", "ann@example.com");
  private static final IdentifierRef PHONE = new IdentifierRef("phone", "+15550100");
  private static final IdentifierRef ANON = new IdentifierRef("anonymous_id", "a-1");
  private static final IdentifierRef CRM = new IdentifierRef("crm_id", "c-1");

  @Test
  void nothingKnownMeansANewProfile() {
    assertEquals(Optional.empty(), ResolutionRules.chooseProfile(List.of(USER, ANON), Map.of()));
  }

  @Test
  void anAnonymousVisitorWhoLogsInKeepsTheAnonymousProfile() {
    assertEquals(
        Optional.of("p-anon"),
        ResolutionRules.chooseProfile(List.of(USER, EMAIL, ANON), Map.of(ANON, "p-anon")));
  }

  @Test
  void theHighestPriorityKnownIdentifierWinsWhateverTheOrder() {
    Map<IdentifierRef, String> known =
        Map.of(ANON, "p-anon", PHONE, "p-phone", EMAIL, "p-email", CRM, "p-crm");
    assertEquals(
        Optional.of("p-email"),
        ResolutionRules.chooseProfile(List.of(CRM, ANON, PHONE, EMAIL), known));
    assertEquals(
        Optional.of("p-user"),
        ResolutionRules.chooseProfile(List.of(ANON, USER), Map.of(ANON, "p-anon", USER, "p-user")));
    assertEquals(
        Optional.of("p-anon"),
        ResolutionRules.chooseProfile(List.of(CRM, ANON), Map.of(CRM, "p-crm", ANON, "p-anon")));
  }
}
