package io.cdp.audience;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.cdp.common.ProfileVariables;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.contracts.profile.v1.Visit;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AudienceRulesTest {

  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  private final AudienceRules rules = new AudienceRules();

  private static Map<String, Object> profile(double orders) {
    return ProfileVariables.of(
        Profile.newBuilder()
            .setProfileId("p-1")
            .addIdentifiers("email:ann@example.com")
            .setTraits(
                Struct.newBuilder()
                    .putFields("plan", Value.newBuilder().setStringValue("pro").build())
                    .putFields("nickname", Value.newBuilder().setNullValueValue(0).build()))
            .setAttributes(
                Struct.newBuilder()
                    .putFields(
                        "lifetime_orders", Value.newBuilder().setNumberValue(orders).build()))
            .addBadges("vip")
            .setVisit(
                Visit.newBuilder()
                    .setStartedAt(Timestamp.newBuilder().setSeconds(NOW.getEpochSecond() - 600))
                    .setEventCount(3))
            .putConsent("advertising", true)
            .build());
  }

  @Test
  void aNumericRuleMatchesOnlyProfilesThatSatisfyIt() {
    String rule = "profile.attributes.lifetime_orders >= 2";
    assertTrue(rules.matches(rule, profile(2), NOW));
    assertTrue(rules.matches(rule, profile(7), NOW));
    assertFalse(rules.matches(rule, profile(1), NOW));
  }

  @Test
  void rulesReadTraitsBadgesIdentifiersConsentVisitAndNow() {
    Map<String, Object> p = profile(0);
    assertTrue(rules.matches("profile.traits.plan == 'pro' && 'vip' in profile.badges", p, NOW));
    assertTrue(rules.matches("has(profile.identifiers.email)", p, NOW));
    assertFalse(rules.matches("has(profile.identifiers.phone)", p, NOW));
    assertTrue(rules.matches("profile.consent.advertising == true", p, NOW));
    assertTrue(rules.matches("profile.traits.nickname == null", p, NOW));
    assertTrue(
        rules.matches("now - profile.visit.startedAt < duration('15m')", p, NOW),
        "the visit started 10 minutes ago");
    assertFalse(rules.matches("now - profile.visit.startedAt < duration('5m')", p, NOW));
  }

  @Test
  void aRuleReadingAnAbsentAttributeDoesNotMatch() {
    assertFalse(rules.matches("profile.attributes.never_set > 3", profile(5), NOW));
  }

  @Test
  void aSyntaxErrorIsRefusedWithItsPosition() {
    var e =
        assertThrows(
            AudienceRules.InvalidRuleException.class,
            () -> rules.compile("profile.attributes.lifetime_orders >= "));
    assertTrue(e.getMessage().contains("1:"), e.getMessage());
  }

  @Test
  void aTypeErrorAndANonBoolResultAreRefused() {
    var unknown =
        assertThrows(AudienceRules.InvalidRuleException.class, () -> rules.compile("prof.x == 1"));
    assertTrue(unknown.getMessage().contains("undeclared reference"), unknown.getMessage());
    var notBool =
        assertThrows(AudienceRules.InvalidRuleException.class, () -> rules.compile("1 + 2"));
    assertTrue(notBool.getMessage().contains("must return a bool"), notBool.getMessage());
    assertThrows(
        AudienceRules.InvalidRuleException.class, () -> rules.compile("profile.attributes.vip"));
  }

  @Test
  void onlyRulesReadingAChangedPartOfTheProfileAreAffected() {
    String orders = "profile.attributes.lifetime_orders >= 2";
    assertTrue(rules.affectedBy(orders, List.of("visit", "lifetime_orders")));
    assertFalse(rules.affectedBy(orders, List.of("visit", "event_count", "traits")));
    assertTrue(rules.affectedBy("'vip' in profile.badges", List.of("badges")));
    assertFalse(rules.affectedBy("'vip' in profile.badges", List.of("traits")));
    assertTrue(rules.affectedBy("profile.traits.plan == 'pro'", List.of("traits")));
    assertTrue(rules.affectedBy("has(profile.attributes.x)", List.of("x")));
    assertTrue(rules.affectedBy("profile.attributes['x'] > 1", List.of("x")));
    assertFalse(rules.affectedBy("profile.attributes['x'] > 1", List.of("y")));
    assertTrue(rules.affectedBy("profile.consent.ads == true", List.of("consent")));
    assertFalse(rules.affectedBy("profile.id == 'p-1'", List.of("traits", "x")));
  }

  @Test
  void rulesThatReadTheProfileAsAWholeOrReadNowAreAffectedByAnyChange() {
    assertTrue(rules.affectedBy("size(profile.attributes) > 3", List.of("anything")));
    assertTrue(
        rules.affectedBy("profile.attributes.exists(k, k.startsWith('x'))", List.of("anything")));
    assertTrue(
        rules.affectedBy("now - profile.visit.startedAt > duration('1m')", List.of("badges")));
  }

  @Test
  void aRuleIsCompiledOnce() {
    String rule = "size(profile.badges) > 0";
    assertSame(rules.compile(rule), rules.compile(rule));
  }
}
