package io.cdp.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cdp.consent.ConsentPolicy.InvalidConsentException;
import io.cdp.consent.ConsentPolicy.Jurisdiction;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  private final ConsentPolicy byPlace =
      new ConsentPolicy(
          Map.of(
              "analytics", DefaultMode.OPT_OUT,
              "advertising", DefaultMode.OPT_IN,
              "email", DefaultMode.OPT_IN),
          List.of(
              new Jurisdiction("eu", Set.of("de", "FR"), Map.of("analytics", DefaultMode.OPT_IN)),
              new Jurisdiction(
                  "us",
                  Set.of("US"),
                  Map.of("analytics", DefaultMode.OPT_OUT, "advertising", DefaultMode.OPT_OUT))),
          null);

  @Test
  void defaultsFollowTheSubjectsCountryOrJurisdictionCode() {
    assertEquals(
        Map.of("analytics", false, "advertising", false, "email", false),
        byPlace.effective(Map.of(), "DE"));
    assertEquals(
        Map.of("analytics", false, "advertising", false, "email", false),
        byPlace.effective(Map.of(), " eu "));
    assertEquals(
        Map.of("analytics", true, "advertising", true, "email", false),
        byPlace.effective(Map.of(), "us"));
    assertEquals(
        Map.of("advertising", true, "email", false),
        byPlace.allowed(Map.of(), List.of("advertising", "email"), "US"));
  }

  @Test
  void choicesStillWinOverAJurisdictionsDefaults() {
    assertEquals(
        Map.of("analytics", true, "advertising", false, "email", false),
        byPlace.effective(Map.of("analytics", true), "FR"));
    assertEquals(
        Map.of("advertising", false),
        byPlace.allowed(Map.of("advertising", false), List.of("advertising"), "US"));
  }

  @Test
  void anUnknownOrUncoveredPlaceGetsThePurposesOwnDefaults() {
    Map<String, Boolean> own = byPlace.effective(Map.of());
    assertEquals(Map.of("analytics", true, "advertising", false, "email", false), own);
    assertEquals(own, byPlace.effective(Map.of(), "BR"));
    assertEquals(own, byPlace.effective(Map.of(), null));
  }

  @Test
  void aConfiguredDefaultJurisdictionAppliesWhereNoneIsKnown() {
    ConsentPolicy euByDefault =
        new ConsentPolicy(
            Map.of("analytics", DefaultMode.OPT_OUT),
            List.of(new Jurisdiction("eu", Set.of("DE"), Map.of("analytics", DefaultMode.OPT_IN))),
            "EU");
    assertEquals(Map.of("analytics", false), euByDefault.effective(Map.of(), null));
    assertEquals(Map.of("analytics", false), euByDefault.effective(Map.of(), "BR"));
    assertEquals(DefaultMode.OPT_IN, euByDefault.defaultOf("analytics", "de"));
  }

  @Test
  void aJurisdictionNamingAnUnknownPurposeOrAnUnknownDefaultIsAConfigurationError() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new ConsentPolicy(
                Map.of("analytics", DefaultMode.OPT_OUT),
                List.of(new Jurisdiction("eu", Set.of(), Map.of("ads", DefaultMode.OPT_IN))),
                null));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ConsentPolicy(Map.of("analytics", DefaultMode.OPT_OUT), List.of(), "mars"));
  }
}
