package io.cdp.audience;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.cdp.common.ProfileVariables;
import io.cdp.contracts.profile.v1.Profile;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rules checked against attribute definitions as the profile service lists them. */
class AttributeCheckTest {

  /** One attribute of every type, by the names the profile service's API uses. */
  private static final Map<String, String> DEFINITIONS =
      Map.of(
          "lifetime_orders", "number",
          "plan", "string",
          "subscribed", "boolean",
          "last_order", "date",
          "vip", "badge",
          "interests", "set",
          "events_by_name", "tally",
          "orders", "timeline");

  private final AudienceRules rules = new AudienceRules();

  private String refused(String rule) {
    return assertThrows(
            AudienceRules.InvalidRuleException.class, () -> rules.check(rule, DEFINITIONS))
        .getMessage();
  }

  private void accepted(String rule) {
    assertDoesNotThrow(() -> rules.check(rule, DEFINITIONS), rule);
  }

  @Test
  void anUndefinedAttributeIsRefusedAtItsPosition() {
    String message =
        refused("profile.traits.plan == 'pro' && profile.attributes.lifetme_orders > 1");
    assertTrue(message.contains("<input>:1:51: undefined attribute 'lifetme_orders'"), message);
    assertTrue(message.contains("| profile.traits.plan"), "CEL's snippet of the rule: " + message);
  }

  @Test
  void everyUndefinedAttributeIsNamedInEveryFormOfRead() {
    String message =
        refused(
            "has(profile.attributes.tier) || profile.attributes['segment'] == 'b' ||"
                + " profile.attributes.plan == 'pro'");
    assertTrue(message.contains("undefined attribute 'tier'"), message);
    assertTrue(message.contains("undefined attribute 'segment'"), message);
    assertFalse(message.contains("'plan'"), message);
  }

  @Test
  void aNumberComparedWithAStringIsATypeErrorWithItsPosition() {
    String message = refused("profile.attributes.lifetime_orders == 'x'");
    assertTrue(
        message.contains(
            "<input>:1:36: found no matching overload for '_==_' applied to '(double, string)'"),
        message);
  }

  @Test
  void aTypeErrorOnALaterLineHasThatLine() {
    String message = refused("profile.attributes.plan == 'pro' &&\n  profile.attributes.plan > 3");
    assertTrue(message.contains("<input>:2:27:"), message);
    assertTrue(message.contains("applied to '(string, int)'"), message);
  }

  @Test
  void typeErrorsOfEachType() {
    refused("profile.attributes['plan'] > 3");
    refused("profile.attributes.subscribed == 'yes'");
    refused("now - profile.attributes.last_order > duration('24h')");
    refused("profile.attributes.interests > 1");
    refused("profile.attributes.events_by_name['Order Completed'] == 'many'");
    refused("profile.attributes.orders.exists(o, o == 3)");
    refused("size(profile.attributes.lifetime_orders) > 1");
  }

  @Test
  void wellTypedUsesOfEachTypeAreAccepted() {
    accepted("profile.attributes.lifetime_orders >= 2 && profile.attributes.lifetime_orders < 9.5");
    accepted("profile.attributes.lifetime_orders == 2 || 3 != profile.attributes.lifetime_orders");
    accepted("profile.attributes.plan == 'pro' || profile.attributes['plan'].startsWith('ent')");
    accepted("profile.attributes.plan > 'a'"); // strings order lexicographically in CEL
    accepted("profile.attributes.subscribed == true");
    accepted("now - timestamp(profile.attributes.last_order) > duration('720h')");
    accepted("'shoes' in profile.attributes.interests && size(profile.attributes.interests) > 1");
    accepted("profile.attributes.events_by_name['Order Completed'] >= 3");
    accepted("profile.attributes.orders.exists(o, o.time > '2026-01-01')");
    accepted("has(profile.attributes.plan) && profile.attributes.plan != ''");
  }

  @Test
  void aBadgeIsNotAnAttributeValue() {
    String message = refused("profile.attributes.vip == true");
    assertTrue(message.contains("'vip' in profile.badges"), message);
    assertFalse(rules.namesAttributes("'vip' in profile.badges"));
  }

  @Test
  void aTypeThisServiceDoesNotKnowYetIsDynamic() {
    assertDoesNotThrow(
        () -> rules.check("profile.attributes.score == 'x'", Map.of("score", "vector")));
  }

  @Test
  void onlyRulesNamingAttributesNeedTheirDefinitions() {
    assertTrue(rules.namesAttributes("profile.attributes.plan == 'pro'"));
    assertTrue(rules.namesAttributes("profile.attributes['plan'] == 'pro'"));
    assertTrue(rules.namesAttributes("has(profile.attributes.plan)"));
    assertFalse(rules.namesAttributes("profile.traits.plan == 'pro' && 'vip' in profile.badges"));
    assertFalse(rules.namesAttributes("size(profile.attributes) > 3"));
  }

  @Test
  void aNumberEqualToAnIntegerLiteralMatchesAtRunTimeAsTheCheckAllows() {
    String rule = "profile.attributes.lifetime_orders == 2";
    accepted(rule);
    Map<String, Object> profile =
        ProfileVariables.of(
            Profile.newBuilder()
                .setAttributes(
                    Struct.newBuilder()
                        .putFields("lifetime_orders", Value.newBuilder().setNumberValue(2).build()))
                .build());
    assertTrue(rules.matches(rule, profile, Instant.now()));
    assertFalse(rules.matches("profile.attributes.lifetime_orders != 2", profile, Instant.now()));
  }
}
