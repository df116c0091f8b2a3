package io.cdp.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cdp.consent.ConsentPolicy.InvalidConsentException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsentPolicyTest {

  private final ConsentPolicy policy =
      new ConsentPolicy(
          Map.of(
              "analytics", DefaultMode.OPT_OUT,
              "advertising", DefaultMode.OPT_IN,
              "email", DefaultMode.OPT_IN));

  @Test
  void withoutChoicesOptOutPurposesAreAllowedAndOptInOnesDenied() {
    assertEquals(
        Map.of("analytics", true, "advertising", false, "email", false),
        policy.effective(Map.of()));
  }

  @Test
  void choicesOverrideDefaultsBothWays() {
    assertEquals(
        Map.of("analytics", false, "advertising", true, "email", false),
        policy.effective(Map.of("analytics", false, "advertising", true)));
  }

  @Test
  void checkingNoPurposesAnswersEveryConfiguredOne() {
    assertEquals(policy.effective(Map.of()), policy.allowed(Map.of(), List.of()));
  }

  @Test
  void anUnconfiguredPurposeIsDeniedEvenIfOnceGranted() {
    assertEquals(
        Map.of("sale_of_data", false, "analytics", true),
        policy.allowed(Map.of("sale_of_data", true), List.of("sale_of_data", "analytics")));
  }

  @Test
  void validationAcceptsOnlyKnownPurposesWithJsonBooleans() {
    assertEquals(Map.of("analytics", false), policy.validate(Map.of("analytics", false)));

    InvalidConsentException unknown =
        assertThrows(InvalidConsentException.class, () -> policy.validate(Map.of("ads", true)));
    assertEquals("unknown_purpose", unknown.code());
    assertEquals("purposes.ads", unknown.field());

    for (Object notBoolean : new Object[] {"true", 1, null}) {
      Map<String, Object> requested = new HashMap<>();
      requested.put("email", notBoolean);
      InvalidConsentException e =
          assertThrows(InvalidConsentException.class, () -> policy.validate(requested));
      assertEquals("invalid_value", e.code());
      assertEquals("purposes.email", e.field());
    }
  }

  @Test
  void aPolicyWithoutPurposesIsAConfigurationError() {
    assertThrows(IllegalArgumentException.class, () -> new ConsentPolicy(Map.of()));
  }
}
